import { describe, expect, test } from "vitest";
import { ZipError } from "../../src/errors.ts";
import { compareBytewise, hash1, Hash1Builder, hashGoMod, hashZip } from "../../src/hash/dirhash.ts";
import { createZipStream } from "../../src/zip/writer.ts";

const enc = new TextEncoder();

/** bigText is 1,068,890 bytes: "line 0 of a large file\n" … "line 39999 …\n". */
function bigText(): string {
  let s = "";
  for (let i = 0; i < 40000; i++) s += `line ${i} of a large file\n`;
  return s;
}

/**
 * Expected values are the `Sum` and `GoModSum` that `go mod download -json`
 * (go1.19.8) printed for these files, zipped by Info-ZIP `zip -r -D -X` and
 * served from a file:// GOPROXY with GOSUMDB=off.
 */
const vectors: {
  module: string;
  label: string;
  files: Record<string, string>;
  sum: string;
  goModSum: string;
}[] = [
  {
    module: "example.com/m@v1.0.0",
    label: "go.mod",
    files: { "go.mod": "module example.com/m\n" },
    sum: "h1:yJwNngL0tCKlmRg8yireic46hRGohEbhwD/WSE0Ax3I=",
    goModSum: "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k=",
  },
  {
    // Byte order sorts "豈.go" (U+F900, EF A4 80) before "𐐀.go" (U+10400,
    // F0 90 90 80); UTF-16 order would put it after (D801 DC00 < F900).
    module: "example.com/m@v1.0.0",
    label: "go.mod, m.go, a/empty.txt, a b.txt, 豈.go, 𐐀.go, B, a.go",
    files: {
      "go.mod": "module example.com/m\n\ngo 1.19\n",
      "m.go": "package m\n",
      "a/empty.txt": "",
      "a b.txt": "x",
      "豈.go": "fw",
      "𐐀.go": "dz",
      "B": "B",
      "a.go": "a",
    },
    sum: "h1:F8bPhG1mhmIjG4dI+r7WneTesIWWUROrS8bynpNW+Zc=",
    goModSum: "h1:c7eb1HtAGcXC5xl8fDvw0SlSffdsUomPvNZGVXleRQ4=",
  },
  {
    module: "golang.org/x/big@v0.0.0-20200101000000-0123456789ab",
    label: "go.mod, 1 MB big.txt",
    files: { "go.mod": "module golang.org/x/big\n\ngo 1.24\n", "big.txt": bigText() },
    sum: "h1:2Bjuj/DuDUMEOuX0Dh1x4YAalL7Tbe2TkXMdU9qyCVs=",
    goModSum: "h1:3HW7p/g4UkrvJheR/nfosFQnzZQiE2IjlHnKpaNBqE0=",
  },
];

const EMPTY_H1 = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

function prefixed(module: string, files: Record<string, string>) {
  return Object.entries(files).map(([name, text]) => ({ name: `${module}/${name}`, open: () => enc.encode(text) }));
}

async function zipOf(entries: { name: string; data: Uint8Array }[]): Promise<Uint8Array> {
  return new Uint8Array(await new Response(createZipStream(entries)).arrayBuffer());
}

describe("hash1", () => {
  test.each(vectors)("hash1($module: $label)", async ({ module, files, sum }) => {
    expect(await hash1(prefixed(module, files))).toBe(sum);
  });

  test("hash1([]) is the hash of no lines", async () => {
    expect(await hash1([])).toBe(EMPTY_H1);
  });

  test("hash1() does not depend on the order of the list", async () => {
    const { module, files, sum } = vectors[1]!;
    expect(await hash1(prefixed(module, files).reverse())).toBe(sum);
  });

  test("hash1() accepts async open", async () => {
    const { module, files, sum } = vectors[1]!;
    const list = prefixed(module, files).map((f) => ({ name: f.name, open: async () => f.open() }));
    expect(await hash1(list)).toBe(sum);
  });

  test.each([
    ["a\nb", "dirhash: filenames with newlines are not supported"],
    ["m@v1.0.0/\n", "dirhash: filenames with newlines are not supported"],
    ["x\ud800.go", 'dirhash: file name "x\\ud800.go" is not valid UTF-8'],
  ])("hash1(%j) throws ZipError before opening any file", async (name, message) => {
    let opened = false;
    const files = [
      { name: "a", open: () => ((opened = true), new Uint8Array()) },
      { name, open: () => new Uint8Array() },
    ];
    const err = await hash1(files).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipError);
    expect((err as Error).message).toBe(message);
    expect(opened).toBe(false);
  });
});

describe("Hash1Builder", () => {
  test("add() in any order gives hash1()", async () => {
    const { module, files, sum } = vectors[1]!;
    const h = new Hash1Builder();
    const list = prefixed(module, files);
    await Promise.all(list.reverse().map(async (f) => h.add(f.name, await f.open())));
    expect(await h.sum()).toBe(sum);
  });

  test("addDigest() with a precomputed SHA-256", async () => {
    const h = new Hash1Builder();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode("module example.com/m\n")));
    h.addDigest("example.com/m@v1.0.0/go.mod", digest);
    expect(await h.sum()).toBe(vectors[0]!.sum);
  });

  test("sum() of nothing is the empty hash", async () => {
    expect(await new Hash1Builder().sum()).toBe(EMPTY_H1);
  });
});

describe("hashGoMod", () => {
  test.each(vectors)("hashGoMod(go.mod of $module)", async ({ files, goModSum }) => {
    expect(await hashGoMod(enc.encode(files["go.mod"]!))).toBe(goModSum);
  });
});

describe("hashZip", () => {
  test.each(vectors)("hashZip(zip of $module: $label)", async ({ module, files, sum }) => {
    const zip = await zipOf(Object.entries(files).map(([n, t]) => ({ name: `${module}/${n}`, data: enc.encode(t) })));
    expect(await hashZip(zip)).toBe(sum);
  });

  test("hashZip(empty zip) is the empty hash", async () => {
    expect(await hashZip(await zipOf([]))).toBe(EMPTY_H1);
  });

  test("hashZip() counts a directory entry as an empty file (golang/go#53448)", async () => {
    const files = [
      { name: "example.com/m@v1.0.0/go.mod", data: enc.encode("module example.com/m\n") },
      { name: "example.com/m@v1.0.0/sub/", data: new Uint8Array() },
    ];
    const withDir = await hashZip(await zipOf(files));
    expect(withDir).not.toBe(vectors[0]!.sum);
    expect(withDir).toBe(await hash1(files.map((f) => ({ name: f.name, open: () => f.data }))));
  });

  test("hashZip() hashes the last of duplicate entries under both lines", async () => {
    const zip = await zipOf([
      { name: "m@v1.0.0/a", data: enc.encode("first") },
      { name: "m@v1.0.0/a", data: enc.encode("second") },
    ]);
    const last = () => enc.encode("second");
    expect(await hashZip(zip)).toBe(await hash1([{ name: "m@v1.0.0/a", open: last }, { name: "m@v1.0.0/a", open: last }]));
  });
});

describe("compareBytewise", () => {
  test.each([
    ["a", "b", -1],
    ["b", "a", 1],
    ["a", "a", 0],
    ["a", "a/", -1],
    ["a/b", "a.b", 1], // '/' 0x2f > '.' 0x2e
    ["A", "a", -1],
    ["\uf900", "\u{10400}", -1], // UTF-16 says the opposite
    ["\uffff", "\u{10000}", -1],
    ["\ud7ff", "\ue000", -1],
    ["\u{10400}", "\u{10401}", -1],
  ])("compareBytewise(%j, %j) has sign %d", (a, b, sign) => {
    expect(Math.sign(compareBytewise(a, b))).toBe(sign);
    const bytes = (s: string) => [...enc.encode(s)];
    const ba = bytes(a), bb = bytes(b);
    let byteSign = 0;
    for (let i = 0; i < Math.min(ba.length, bb.length) && byteSign === 0; i++) byteSign = Math.sign(ba[i]! - bb[i]!);
    if (byteSign === 0) byteSign = Math.sign(ba.length - bb.length);
    expect(byteSign).toBe(sign);
  });
});
