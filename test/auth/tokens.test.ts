import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { checkTokenSpec, hashToken, parseTokens, timingSafeEqual, TokenSet, type TokenSpec } from "../../src/auth/tokens.ts";

const T1 = "gmp_0123456789abcdef";
const T2 = "gmp_fedcba9876543210";

describe("parseTokens", () => {
  const ok: { name: string; text: string; want: TokenSpec[] }[] = [
    { name: "empty file", text: "", want: [] },
    { name: "comments and blank lines", text: "# tokens\n\n   # indented comment\n\t\n", want: [] },
    { name: "one token, one pattern", text: `${T1} corp.example/*\n`, want: [{ token: T1, patterns: "corp.example/*" }] },
    {
      name: "several patterns and a name, tabs and CRLF",
      text: `${T1}\tcorp.example/a,*.corp.example  ci-bot\r\n`,
      want: [{ token: T1, patterns: "corp.example/a,*.corp.example", name: "ci-bot" }],
    },
    {
      name: "a hashed token",
      text: `sha256:${"0".repeat(64)} corp.example\n${T2} corp.example/x`,
      want: [{ token: `sha256:${"0".repeat(64)}`, patterns: "corp.example" }, { token: T2, patterns: "corp.example/x" }],
    },
  ];
  for (const c of ok) {
    it(`parseTokens(${c.name})`, () => {
      expect(parseTokens(c.text)).toEqual(c.want);
    });
  }

  const bad: { name: string; text: string; error: string }[] = [
    { name: "no pattern", text: `${T1}\n`, error: "tokens:1: want TOKEN PATTERN[,PATTERN...] [NAME], found 1 fields" },
    { name: "four fields", text: `# c\n${T1} a.b name extra\n`, error: "tokens:2: want TOKEN PATTERN[,PATTERN...] [NAME], found 4 fields" },
    { name: "short token", text: "short a.b\n", error: "tokens:1: token too short: want at least 16 characters" },
    { name: "bad hash", text: "sha256:abc a.b\n", error: "tokens:1: want sha256: and 64 lowercase hex digits" },
    { name: "uppercase hash", text: `sha256:${"A".repeat(64)} a.b\n`, error: "tokens:1: want sha256: and 64 lowercase hex digits" },
    { name: "only commas", text: `${T1} ,,\n`, error: "tokens:1: no module pattern" },
    { name: "malformed glob", text: `${T1} corp.example/[\n`, error: 'tokens:1: malformed pattern "corp.example/["' },
    { name: "duplicate token", text: `${T1} a.b\n\n${T1} c.d\n`, error: "tokens:3: same token as line 1" },
  ];
  for (const c of bad) {
    it(`parseTokens(${c.name}) throws`, () => {
      expect(() => parseTokens(c.text)).toThrow(c.error);
    });
  }

  it("parseTokens errors never quote the token", () => {
    for (const text of ["tooshort-secret a.b", `${T1} a.b n\n${T1} a.b`, `${T1}`, `${T1} [`]) {
      let message = "";
      try {
        parseTokens(text, "/etc/gomodproxy/tokens");
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^\/etc\/gomodproxy\/tokens:\d+: /);
      expect(message).not.toContain("tooshort-secret");
      expect(message).not.toContain(T1);
    }
  });
});

describe("checkTokenSpec", () => {
  it("checkTokenSpec names the token by name or position", () => {
    expect(() => checkTokenSpec({ token: "x".repeat(16), patterns: "" }, 2)).toThrow("token #3: no module pattern");
    expect(() => checkTokenSpec({ token: "short", patterns: "a.b", name: "ci" })).toThrow("token ci: token too short");
    expect(() => checkTokenSpec({ token: "x".repeat(16), patterns: "a.b", name: "two words" })).toThrow("name must be");
  });
});

describe("hashToken", () => {
  it("hashToken(secret) is sha256: and the hex digest, as sha256sum prints it", async () => {
    expect(await hashToken(T1)).toBe(sha256sum(T1));
    expect(await hashToken("")).toBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
  it("hashToken(sha256:…) returns it unchanged", async () => {
    expect(await hashToken(`sha256:${"1".repeat(64)}`)).toBe(`sha256:${"1".repeat(64)}`);
  });
});

describe("TokenSet", () => {
  it("find(secret) returns the entry, named by default after the digest", async () => {
    const set = await TokenSet.from([{ token: T1, patterns: "a.b" }, { token: T2, patterns: "c.d", name: "ci" }]);
    const hex = (await hashToken(T1)).slice("sha256:".length);
    expect(await set.find(T1)).toMatchObject({ patterns: "a.b", name: `token-${hex.slice(0, 8)}` });
    expect(await set.find(T2)).toMatchObject({ patterns: "c.d", name: "ci" });
    expect(await set.find(T1.slice(0, -1))).toBeUndefined();
    expect(await set.find("")).toBeUndefined();
  });

  it("find(secret) matches a token configured only by its sha256:", async () => {
    const set = await TokenSet.from([{ token: await hashToken(T1), patterns: "a.b", name: "hashed" }]);
    expect(await set.find(T1)).toMatchObject({ name: "hashed" });
    expect(await set.find(await hashToken(T1))).toBeUndefined(); // the digest is not a password
  });

  it("a token listed as secret and as digest reads the union of its patterns", async () => {
    const set = await TokenSet.from([{ token: T1, patterns: "a.b" }, { token: await hashToken(T1), patterns: "c.d" }]);
    expect(set.entries).toHaveLength(1);
    expect((await set.find(T1))?.patterns).toBe("a.b,c.d");
  });

  it("keeps digests only, never the secret", async () => {
    const set = await TokenSet.from([{ token: T1, patterns: "a.b", name: "n" }]);
    const dump = JSON.stringify(set.entries, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
    expect(dump).not.toContain(T1);
    expect(set.entries[0]!.digest).toHaveLength(32);
  });
});

describe("timingSafeEqual", () => {
  const cases: { a: number[]; b: number[]; want: boolean }[] = [
    { a: [], b: [], want: true },
    { a: [1, 2, 3], b: [1, 2, 3], want: true },
    { a: [1, 2, 3], b: [1, 2, 4], want: false },
    { a: [0, 2, 3], b: [1, 2, 3], want: false },
    { a: [1, 2], b: [1, 2, 3], want: false },
    { a: [255], b: [127], want: false },
  ];
  for (const c of cases) {
    it(`timingSafeEqual([${c.a}], [${c.b}]) === ${c.want}`, () => {
      expect(timingSafeEqual(new Uint8Array(c.a), new Uint8Array(c.b))).toBe(c.want);
    });
  }
});

/** sha256sum is what an operator runs to hash a token: `printf %s TOKEN | sha256sum`. */
function sha256sum(text: string): string {
  return "sha256:" + execFileSync("sha256sum", { input: text }).toString().split(" ")[0];
}
