/**
 * tokenAuthorizer through the handler: the access matrix
 * {credentials} × {module} × {endpoint}, the GitLab-compatible 404 mode, and
 * what sources and the access log get to see.
 */
import { describe, expect, it } from "vitest";
import { type AuthMode, tokenAuthorizer } from "../../src/auth/authorizer.ts";
import type { AccessLogEntry } from "../../src/handler.ts";
import { createProxy } from "../../src/handler.ts";
import { MemorySource, type MemoryRepo } from "../../src/sources/memory.ts";
import type { RepoSource } from "../../src/sources/source.ts";

const RIGHT = "gmp_right_0123456789abcdef";
const OTHER = "gmp_other_0123456789abcdef";
const WRONG = "gmp_wrong_0123456789abcdef";

const repo = (root: string): MemoryRepo => ({
  root,
  commits: [{ id: "c1", date: "2024-01-02T03:04:05Z", files: { "go.mod": `module ${root}\n`, "x.go": "package x\n" } }],
  tags: { "v1.0.0": "c1" },
});

const SECRET = "corp.example/secret"; // exists, private
const ABSENT = "corp.example/absent"; // under the private pattern, no repository
const PUBLIC = "example.com/open";

const source = new MemorySource([repo(SECRET), repo(PUBLIC), repo("other.example/x")]);

function proxyWith(mode: AuthMode, log?: (e: AccessLogEntry) => void, src: RepoSource = source) {
  return createProxy({
    source: src,
    log,
    authorize: tokenAuthorizer({
      tokens: [
        { token: RIGHT, patterns: "corp.example", name: "right" },
        { token: OTHER, patterns: "other.example,example.com", name: "other" },
      ],
      private: "corp.example,other.example",
      mode,
    }),
  });
}

const credentials = {
  "no credentials": undefined,
  "wrong token": "Basic " + btoa(`gopher:${WRONG}`),
  "token of another scope": "Basic " + btoa(`gopher:${OTHER}`),
  "right token": "Basic " + btoa(`gopher:${RIGHT}`),
} as const;
type Cred = keyof typeof credentials;

const modules = { "existing private module": SECRET, "absent private path": ABSENT, "public module": PUBLIC } as const;
type Mod = keyof typeof modules;

const endpoints: Record<string, (m: string) => string> = {
  list: (m) => `https://proxy.test/${m}/@v/list`,
  info: (m) => `https://proxy.test/${m}/@v/v1.0.0.info`,
  mod: (m) => `https://proxy.test/${m}/@v/v1.0.0.mod`,
  zip: (m) => `https://proxy.test/${m}/@v/v1.0.0.zip`,
  "@latest": (m) => `https://proxy.test/${m}/@latest`,
  "go-get": (m) => `https://${m}?go-get=1`,
};

/** expected is the documented status (mode "401"). */
function expected(cred: Cred, mod: Mod): number {
  if (cred === "wrong token") return 401;
  if (mod === "public module") return 200;
  if (cred === "no credentials") return 401;
  if (cred === "token of another scope") return 403;
  return mod === "absent private path" ? 404 : 200;
}

interface Answer {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

async function ask(proxy: ReturnType<typeof createProxy>, url: string, auth: string | undefined, method = "GET"): Promise<Answer> {
  const res = await proxy.handle(new Request(url, { method, headers: auth ? { authorization: auth } : {} }));
  return { status: res.status, headers: [...res.headers].sort(), body: new Uint8Array(await res.arrayBuffer()) };
}

const text = (a: Answer) => new TextDecoder().decode(a.body);

describe("access matrix, mode 401", () => {
  const proxy = proxyWith("401");
  for (const [cred, auth] of Object.entries(credentials) as [Cred, string | undefined][]) {
    for (const [mod, path] of Object.entries(modules) as [Mod, string][]) {
      for (const [endpoint, url] of Object.entries(endpoints)) {
        const want = expected(cred, mod);
        it(`${cred} × ${mod} × ${endpoint} → ${want}`, async () => {
          const a = await ask(proxy, url(path), auth);
          expect(a.status, text(a)).toBe(want);
        });
      }
    }
  }

  for (const cred of ["no credentials", "wrong token", "token of another scope"] as Cred[]) {
    for (const [endpoint, url] of Object.entries(endpoints)) {
      it(`${cred} × ${endpoint}: the denial is byte-identical whether or not the module exists`, async () => {
        const auth = credentials[cred];
        const existing = await ask(proxy, url(SECRET), auth);
        const absent = await ask(proxy, url(ABSENT), auth);
        expect(existing.status).toBeGreaterThanOrEqual(401);
        expect(absent).toEqual(existing);
        // The message names the host (for the netrc line); go-get asks each module's own host.
        if (cred === "wrong token" && endpoint !== "go-get") expect(await ask(proxy, url(PUBLIC), auth)).toEqual(existing);
      });
    }
  }

  it("no credentials: 401 with WWW-Authenticate and what to put in ~/.netrc", async () => {
    const a = await ask(proxy, endpoints.list!(SECRET), undefined);
    const body = "private module: authentication required\n" +
      "put your token in ~/.netrc (the go command sends it over https only):\n" +
      "machine proxy.test login token password <token>\n";
    expect(a.headers).toEqual([
      ["cache-control", "no-store"],
      ["content-length", String(body.length)],
      ["content-type", "text/plain; charset=utf-8"],
      ["www-authenticate", 'Basic realm="gomodproxy"'],
    ]);
    expect(text(a)).toBe(
      "private module: authentication required\n" +
        "put your token in ~/.netrc (the go command sends it over https only):\n" +
        "machine proxy.test login token password <token>\n",
    );
  });

  it("wrong token: 401 invalid token, also for public modules", async () => {
    const a = await ask(proxy, endpoints.info!(PUBLIC), credentials["wrong token"]);
    expect(a.headers).toContainEqual(["www-authenticate", 'Basic realm="gomodproxy"']);
    expect(text(a)).toBe(
      "invalid token\n" +
        "check the password for proxy.test in ~/.netrc (or the file $NETRC names):\n" +
        "machine proxy.test login token password <token>\n",
    );
  });

  it("token of another scope: 403 without WWW-Authenticate", async () => {
    const a = await ask(proxy, endpoints.zip!(SECRET), credentials["token of another scope"]);
    const body = "private module: your token does not cover it\nask for a token whose patterns match this module\n";
    expect(a.headers).toEqual([["cache-control", "no-store"], ["content-length", String(body.length)], ["content-type", "text/plain; charset=utf-8"]]);
    expect(text(a)).toBe(body);
  });

  it("the go-get page names the host the go command asked, for its netrc machine line", async () => {
    const a = await ask(proxy, endpoints["go-get"]!(SECRET), undefined);
    expect(text(a)).toContain("machine corp.example login token password <token>");
  });

  it("right token: the go-get page points at the proxy", async () => {
    const a = await ask(proxy, `https://${SECRET}/sub/pkg?go-get=1`, credentials["right token"]);
    expect(a.status).toBe(200);
    expect(text(a)).toContain(`<meta name="go-import" content="${SECRET} mod https://corp.example">`);
  });

  it("right token as Bearer, and as a netrc login without password", async () => {
    expect((await ask(proxy, endpoints.list!(SECRET), `Bearer ${RIGHT}`)).status).toBe(200);
    expect((await ask(proxy, endpoints.list!(SECRET), "Basic " + btoa(`${RIGHT}:`))).status).toBe(200);
  });

  it("a malformed Authorization header is an invalid token", async () => {
    for (const auth of ["Digest x", "Basic %%%", `Bearer ${RIGHT} extra`, `Basic ${btoa("gopher:")}`]) {
      expect((await ask(proxy, endpoints.list!(PUBLIC), auth)).status, auth).toBe(401);
    }
  });

  it("HEAD is denied like GET, without a body", async () => {
    const head = await ask(proxy, endpoints.mod!(ABSENT), undefined, "HEAD");
    expect(head.status).toBe(401);
    expect(head.body).toHaveLength(0);
  });
});

describe("access matrix, mode 404 (GitLab-compatible)", () => {
  const proxy = proxyWith("404");
  for (const [cred, auth] of Object.entries(credentials) as [Cred, string | undefined][]) {
    for (const [mod, path] of Object.entries(modules) as [Mod, string][]) {
      const want = expected(cred, mod) === 200 ? 200 : 404;
      for (const [endpoint, url] of Object.entries(endpoints)) {
        it(`${cred} × ${mod} × ${endpoint} → ${want}`, async () => {
          const a = await ask(proxy, url(path), auth);
          expect(a.status, text(a)).toBe(want);
          if (want === 404 && cred !== "right token") {
            expect(a.headers.map(([k]) => k)).not.toContain("www-authenticate");
            if (mod !== "public module" || endpoint !== "go-get") {
              expect(await ask(proxy, url(mod === "public module" ? SECRET : ABSENT), auth)).toEqual(a);
            }
          }
        });
      }
    }
  }

  it("every denial reads the same: not found or access denied", async () => {
    const a = await ask(proxy, endpoints.list!(SECRET), undefined);
    expect(text(a)).toBe(
      "not found or access denied\n" +
        "for a private module, put your token in ~/.netrc (sent over https only):\n" +
        "machine proxy.test login token password <token>\n",
    );
  });
});

describe("what sources and the log see", () => {
  it("sources never see the client's Authorization header", async () => {
    const seen: (string | null)[] = [];
    const spy: RepoSource = {
      open(path, context) {
        seen.push(context?.request?.headers.get("authorization") ?? null);
        return source.open(path);
      },
    };
    const proxy = proxyWith("401", undefined, spy);
    for (const url of Object.values(endpoints)) {
      expect((await ask(proxy, url(SECRET), credentials["right token"])).status).toBe(200);
      expect((await ask(proxy, url(PUBLIC), `Bearer ${OTHER}`)).status).toBe(200);
    }
    expect(seen.length).toBeGreaterThanOrEqual(12);
    expect(seen.every((h) => h === null)).toBe(true);
  });

  it("the log entry names the token and leaves anonymous requests without a user", async () => {
    const entries: AccessLogEntry[] = [];
    const proxy = proxyWith("401", (e) => entries.push(e));
    await ask(proxy, endpoints.list!(SECRET), credentials["right token"]);
    await ask(proxy, endpoints.list!(PUBLIC), undefined);
    await ask(proxy, endpoints.list!(SECRET), credentials["wrong token"]);
    expect(entries.map(({ path, status, user }) => ({ path, status, user }))).toEqual([
      { path: `/${SECRET}/@v/list`, status: 200, user: "right" },
      { path: `/${PUBLIC}/@v/list`, status: 200, user: undefined },
      { path: `/${SECRET}/@v/list`, status: 401, user: undefined },
    ]);
  });
});

describe("tokenAuthorizer options", () => {
  it("throws at once on a bad token, pattern or mode, without quoting the token", () => {
    expect(() => tokenAuthorizer({ tokens: [{ token: "short-secret", patterns: "a.b" }] })).toThrow("token #1: token too short");
    expect(() => tokenAuthorizer({ private: "a.b,[" })).toThrow('malformed private pattern "["');
    expect(() => tokenAuthorizer({ mode: "403" as AuthMode })).toThrow('invalid auth mode "403"');
    expect(() => tokenAuthorizer({ realm: 'a"b' })).toThrow("invalid realm");
  });

  it("with no private patterns everything is public; a presented token is still checked", async () => {
    const proxy = createProxy({ source, authorize: tokenAuthorizer({ tokens: [{ token: RIGHT, patterns: "*" }] }) });
    expect((await ask(proxy, endpoints.list!(SECRET), undefined)).status).toBe(200);
    expect((await ask(proxy, endpoints.list!(SECRET), `Bearer ${WRONG}`)).status).toBe(401);
  });

  it("private: '*' makes every module private", async () => {
    const proxy = createProxy({ source, authorize: tokenAuthorizer({ tokens: [{ token: RIGHT, patterns: "corp.example" }], private: "*" }) });
    expect((await ask(proxy, endpoints.list!(PUBLIC), undefined)).status).toBe(401);
    expect((await ask(proxy, endpoints.list!(PUBLIC), `Bearer ${RIGHT}`)).status).toBe(403);
    expect((await ask(proxy, endpoints.list!(SECRET), `Bearer ${RIGHT}`)).status).toBe(200);
  });

  it("the realm is configurable", async () => {
    const proxy = createProxy({ source, authorize: tokenAuthorizer({ private: "*", realm: "corp modules" }) });
    expect((await ask(proxy, endpoints.list!(PUBLIC), undefined)).headers).toContainEqual(["www-authenticate", 'Basic realm="corp modules"']);
  });
});
