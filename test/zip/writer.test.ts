import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { ZipError } from "../../src/errors.ts";
import { hash1, hashGoMod, hashZip } from "../../src/hash/dirhash.ts";
import { checkZipFiles, type ModuleFile } from "../../src/zip/files.ts";
import { readZip } from "../../src/zip/reader.ts";
import { createZipStream, storedZipSize, type ZipEntry, type ZipStreamOptions } from "../../src/zip/writer.ts";
import { goDownload, haveGo } from "./go-oracle.ts";
import { parseTxtar, txtarParams } from "./txtar.ts";
import { sampleZipSha256 } from "./writer-sample.ts";

const enc = new TextEncoder();

async function zipBytes(entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>, options?: ZipStreamOptions) {
  return new Uint8Array(await new Response(createZipStream(entries, options)).arrayBuffer());
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

interface TreeFile extends ModuleFile {
  data: Uint8Array;
}

/** moduleZip selects the files of a module as cmd/go does and writes its zip. */
async function moduleZip(module: string, version: string, files: TreeFile[], options?: ZipStreamOptions) {
  const gomod = files.find((f) => f.path === "go.mod");
  const go = gomod ? (/^go\s+(\S+)\s*$/m.exec(new TextDecoder().decode(gomod.data))?.[1] ?? "") : "";
  const kept = checkZipFiles(files, go);
  const entries = kept.map((f) => ({ name: `${module}@${version}/${f.path}`, data: f.data }));
  return { zip: await zipBytes(entries, options), entries };
}

/**
 * x/mod zip/testdata/create/*.txt at fe2ec04 (BSD licence): files in order,
 * and either the `h1:` of the zip x/mod's Create makes or its error. The
 * fixtures about module paths and versions (bad_mod_path, bad_version, …)
 * test module.Check, which is not this package's job.
 */
const createFixtures: Record<string, string> = {
  empty: String.raw`path=example.com/empty
version=v1.0.0
hash=h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
`,
  simple: String.raw`path=example.com/m
version=v1.0.0
hash=h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=
-- go.mod --
module example.com/m

go 1.13
-- m.go --
package m

func Foo() int { return 42 }
-- cmd/hello/hello.go --
package main

import (
  "fmt"
  "example.com/m"
)

func main() {
  fmt.Println(m.Foo())
}
`,
  exclude_submodule: String.raw`path=example.com/m
version=v1.0.0
hash=h1:XduFAgX/GaspZa8Jv4pfzoGEzNaU/r88PiCunijw5ok=
-- go.mod --
module example.com/m

go 1.13
-- sub/go.mod --
module example.com/m/sub
-- sub/x.go' --
invalid name, but this shouldn't be read
`,
  exclude_cap_go_mod_submodule: String.raw`path=example.com/m
version=v1.0.0
hash=h1:xctQQey8/y7IcBjFZDP/onWLSXhlqcsC3i1fgSdpMHk=
-- a.go --
package a
-- b/GO.MOD --
MODULE EXAMPLE.COM/M/B
-- b/b.go --
package b
`,
  exclude_vendor: String.raw`path=example.com/m
version=v1.0.0
hash=h1:5u93LDLN0Me+NGfZtRpA5mHxY8svfykHpq4CMSaBZyc=
-- go.mod --
module example.com/m

go 1.13
-- vendor/modules.txt --
included
see comment in isVendoredPackage and golang.org/issue/31562.
-- vendor/example.com/x/x.go --
excluded
-- sub/vendor/sub.txt --
excluded
-- pkg/vendor/vendor.go --
excluded
see comment in isVendoredPackage and golang.org/issue/37397
`,
  // With go 1.24, sub/vendor/sub.txt and pkg/vendor/vendor.go are both kept
  // (the fixed offset finds no slash after "vendor/"), whatever their text says.
  exclude_vendor_go124: String.raw`path=example.com/m
version=v1.0.0
hash=h1:mJR1q75yiMK6+CDw6DuhMS4v4hNoLXqkyk2Cph4VS8Q=
-- go.mod --
module example.com/m

go 1.24
modules.txt is excluded in 1.24+. See golang.org/issue/63395
-- vendor/modules.txt --
excluded
see comment in isVendoredPackage and golang.org/issue/31562.
-- vendor/example.com/x/x.go --
excluded
-- sub/vendor/sub.txt --
excluded
-- pkg/vendor/vendor.go --
included
see comment in isVendoredPackage and golang.org/issue/37397
`,
  go_mod_dir: String.raw`path=example.com/m
version=v1.0.0
hash=h1:Mun5l9cBlDnnV6JasTpio2aZJSbFj++h+814mnKC/OM=
-- go.mod/a.go --
package a
`,
  bad_file_path: String.raw`path=example.com/m
version=v1.0.0
wantErr=malformed file path "bad.go'": invalid char '\''
-- bad.go' --
package bad
`,
  bad_gomod_case: String.raw`path=example.com/m
version=v1.0.0
wantErr=GO.MOD: go.mod files must have lowercase names
-- GO.MOD --
module example.com/m
`,
  dup_file: String.raw`path=example.com/m
version=v1.0.0
wantErr=multiple entries for file "dup.go"
-- dup.go --
package d1
-- dup.go --
package d2
`,
  dup_file_and_dir: String.raw`path=example.com/m
version=v1.0.0
wantErr=entry "a.go" is both a file and a directory
-- a.go --
package a
-- a.go/b.go --
package b
`,
  file_case_conflict: String.raw`path=example.com/m
version=v1.0.0
wantErr=case-insensitive file name collision: "m.go" and "M.GO"
-- m.go --
package m
-- M.GO --
package m
`,
};

function fixture(text: string) {
  const archive = parseTxtar(text);
  const params = txtarParams(archive.comment);
  const files: TreeFile[] = archive.files.map((f) => {
    const data = enc.encode(f.data);
    return { path: f.name, kind: "file", size: data.length, data };
  });
  return { path: params.path!, version: params.version!, hash: params.hash, wantErr: params.wantErr, files };
}

describe("module zips of the x/mod create fixtures", () => {
  const ok = Object.entries(createFixtures).filter(([, t]) => fixture(t).hash !== undefined);
  const bad = Object.entries(createFixtures).filter(([, t]) => fixture(t).wantErr !== undefined);

  test.each(ok)("hashZip(create/%s.txt)", async (_, text) => {
    const { path, version, hash, files } = fixture(text);
    const { zip, entries } = await moduleZip(path, version, files);
    expect(await hashZip(zip)).toBe(hash);
    expect(await hash1(entries.map((e) => ({ name: e.name, open: () => e.data })))).toBe(hash);
  });

  test.each(bad)("checkZipFiles(create/%s.txt) throws", (_, text) => {
    const { wantErr, files } = fixture(text);
    expect(() => checkZipFiles(files, "")).toThrow(ZipError);
    expect(() => checkZipFiles(files, "")).toThrow(wantErr);
  });

  test.skipIf(!haveGo).concurrent.each(ok.filter(([name]) => name !== "empty"))(
    "go mod download accepts create/%s.txt with the fixture's h1",
    async (_, text) => {
      const { path, version, hash, files } = fixture(text);
      const { zip } = await moduleZip(path, version, files);
      const mod = files.find((f) => f.path === "go.mod")?.data ?? enc.encode(`module ${path}\n`);
      const got = await goDownload(path, version, zip, mod);
      expect(got.Error).toBeUndefined();
      expect(got.Sum).toBe(hash);
    },
  );
});

describe("createZipStream bytes", () => {
  test("createZipStream([]) is the 22-byte empty zip", async () => {
    expect(hex(await zipBytes([]))).toBe("504b0506" + "00".repeat(18));
  });

  test('createZipStream([{ name: "a", data: "hi" }]) is byte for byte fixed', async () => {
    const crc = "ac2a93d8"; // CRC-32 of "hi", little-endian
    const local = "504b0304" + "1400" + "0000" + "0000" + "0000" + "2100" + crc + "02000000" + "02000000" +
      "0100" + "0000" + "61" + "6869";
    const central = "504b0102" + "1400" + "1400" + "0000" + "0000" + "0000" + "2100" + crc + "02000000" +
      "02000000" + "0100" + "0000" + "0000" + "0000" + "0000" + "00000000" + "00000000" + "61";
    const end = "504b0506" + "0000" + "0000" + "0100" + "0100" + "2f000000" + "21000000" + "0000";
    expect(hex(await zipBytes([{ name: "a", data: enc.encode("hi") }]))).toBe(local + central + end);
  });

  test.each([
    ["m@v1.0.0/a.go", 0],
    ["m@v1.0.0/über.go", 0x800],
    ["m@v1.0.0/𐐀.go", 0x800],
  ])("createZipStream(%j) sets flags %i", async (name, flags) => {
    const zip = await zipBytes([{ name, data: enc.encode("x") }]);
    const view = new DataView(zip.buffer);
    expect(view.getUint16(6, true)).toBe(flags); // local header
    const [entry] = readZip(zip);
    expect(entry!.name).toBe(name);
  });

  test("createZipStream() output is the same on Node, Deno and Bun", async () => {
    const node = await sampleZipSha256();
    for (const [runtime, args] of [
      ["deno", ["run", "--no-lock", "test/zip/writer-sample.ts"]],
      ["bun", ["test/zip/writer-sample.ts"]],
    ] as const) {
      const bin = join("node_modules", ".bin", runtime);
      if (!existsSync(bin)) continue;
      const r = spawnSync(bin, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      expect(r.stdout.trim(), `${runtime}: ${r.stderr}`).toBe(node);
    }
  });

  test.each([
    ["no entries", []],
    ["ASCII and non-ASCII names", [["m@v1/a.go", 10], ["m@v1/ü/豈.go", 0], ["m@v1/𐐀", 1000]]],
  ] as [string, [string, number][]][])("storedZipSize(%s) is the real size", async (_, list) => {
    const entries = list.map(([name, size]) => ({ name, data: new Uint8Array(size) }));
    const zip = await zipBytes(entries);
    expect(storedZipSize(entries.map((e) => ({ name: e.name, size: e.data.length })))).toBe(zip.length);
  });
});

describe("createZipStream streaming", () => {
  test.each([
    ["1 MB files", 1 << 20, 3],
    ["1 kB files", 1000, 3 * 66],
  ])("createZipStream(%s) pulls entries only as the reader reads", async (_, size, most) => {
    let pulled = 0;
    async function* entries() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield { name: `m@v1/${i}`, data: new Uint8Array(size) };
      }
    }
    const reader = createZipStream(entries()).getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 10));
    expect(pulled).toBeLessThanOrEqual(most);
    await reader.cancel();
  });

  test("cancel() closes the entry iterator", async () => {
    let closed = false;
    async function* entries() {
      try {
        for (let i = 0; ; i++) yield { name: `m@v1/${i}`, data: new Uint8Array(10) };
      } finally {
        closed = true;
      }
    }
    const reader = createZipStream(entries()).getReader();
    await reader.read();
    await reader.cancel();
    expect(closed).toBe(true);
  });

  test("createZipStream() errors with ZipError past maxBytes", async () => {
    const entries = [{ name: "m@v1/a", data: new Uint8Array(100) }, { name: "m@v1/b", data: new Uint8Array(100) }];
    const err = await zipBytes(entries, { maxBytes: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipError);
    expect((err as Error).message).toBe("module zip file too large (max size is 200 bytes)");
    expect(await zipBytes(entries, { maxBytes: storedZipSize([{ name: "m@v1/a", size: 100 }, { name: "m@v1/b", size: 100 }]) }))
      .toHaveLength(2 * (30 + 46 + 12 + 100) + 22);
  });

  test("createZipStream() errors with ZipError for a name over 65,535 bytes", async () => {
    const err = await zipBytes([{ name: "x".repeat(70000), data: new Uint8Array() }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipError);
  });

  test("createZipStream() passes on an error of the entries", async () => {
    async function* entries(): AsyncGenerator<ZipEntry> {
      yield { name: "m@v1/a", data: new Uint8Array(1) };
      throw new Error("blob missing");
    }
    await expect(zipBytes(entries())).rejects.toThrow("blob missing");
  });
});

describe("createZipStream with deflateRaw", () => {
  const entries = [
    { name: "m@v1.0.0/go.mod", data: enc.encode("module m\n") },
    { name: "m@v1.0.0/big.txt", data: enc.encode("all work and no play\n".repeat(1000)) },
  ];
  test("createZipStream(…, { deflateRaw }) deflates only what shrinks", async () => {
    const zip = await zipBytes(entries, { deflateRaw: (d) => deflateRawSync(d) });
    const read = readZip(zip);
    expect(read.map((e) => e.method)).toEqual([0, 8]);
    expect(zip.length).toBeLessThan(1000);
    expect(await read[1]!.read()).toEqual(entries[1]!.data);
    expect(await hashZip(zip)).toBe(await hashZip(await zipBytes(entries)));
  });
});

/** A module with a bit of everything the zip format cares about. */
function richModule(): TreeFile[] {
  const file = (path: string, text: string | Uint8Array): TreeFile => {
    const data = typeof text === "string" ? enc.encode(text) : text;
    return { path, kind: "file", size: data.length, data };
  };
  const big = new Uint8Array(3 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
  return [
    file("go.mod", "module example.com/rich\n\ngo 1.19\n"),
    file("LICENSE", "Copyright\n"),
    file("rich.go", "package rich\n"),
    file("empty.go", ""),
    file("internal/deep/er/x.go", "package er\n"),
    file("ünïcödé/豈.go", "package x\n"),
    file("𐐀/a b.txt", "spaces\n"),
    file("data/big.bin", big),
    file("vendor/modules.txt", "# kept below go1.24\n"),
    file("vendor/example.com/dep/dep.go", "package dep\n"),
    file("sub/go.mod", "module example.com/rich/sub\n"),
    file("sub/sub.go", "package sub\n"),
    { path: "link.go", kind: "symlink", size: 7, data: enc.encode("rich.go") },
  ];
}

describe.skipIf(!haveGo)("go mod download judges our zips", () => {
  test("go mod download accepts a stored zip: Sum = hashZip = hash1, same files extracted", async () => {
    const files = richModule();
    const { zip, entries } = await moduleZip("example.com/rich", "v1.0.0", files);
    const want = await hash1(entries.map((e) => ({ name: e.name, open: () => e.data })));
    expect(await hashZip(zip)).toBe(want);
    const gomod = files[0]!.data;
    const got = await goDownload("example.com/rich", "v1.0.0", zip, gomod, async (r) => {
      for (const e of entries) {
        const path = join(r.Dir!, e.name.slice("example.com/rich@v1.0.0/".length));
        expect(Buffer.compare(await readFile(path), e.data), path).toBe(0);
      }
      expect(existsSync(join(r.Dir!, "sub"))).toBe(false);
      expect(existsSync(join(r.Dir!, "vendor/example.com"))).toBe(false);
      expect(existsSync(join(r.Dir!, "link.go"))).toBe(false);
    });
    expect(got.Error).toBeUndefined();
    expect(got.Sum).toBe(want);
    expect(got.GoModSum).toBe(await hashGoMod(gomod));
  });

  test("go mod download accepts a deflated zip with the same Sum", async () => {
    const files = richModule();
    const stored = await moduleZip("example.com/rich", "v1.0.0", files);
    const { zip } = await moduleZip("example.com/rich", "v1.0.0", files, { deflateRaw: (d) => deflateRawSync(d) });
    const got = await goDownload("example.com/rich", "v1.0.0", zip, files[0]!.data);
    expect(got.Error).toBeUndefined();
    expect(got.Sum).toBe(await hashZip(stored.zip));
  });

  test("go mod download reads a zip64 zip of 65,600 entries to the last one", async () => {
    // Extracting 65,600 files takes the go command a minute on a busy
    // machine. The last entry collides with the first, so the go command
    // hashes the whole zip (Sum), then stops at x/mod's checks before
    // extracting anything, naming the last entry: proof that it read the
    // zip64 directory to the end.
    const gomod = enc.encode("module example.com/many\n");
    const entries = [{ name: "example.com/many@v1.0.0/go.mod", data: gomod }];
    for (let i = 0; i < 65_598; i++) entries.push({ name: `example.com/many@v1.0.0/d${i % 100}/f${i}.txt`, data: enc.encode(`${i}\n`) });
    entries.push({ name: "example.com/many@v1.0.0/D0/f0.txt", data: enc.encode("last\n") });
    const zip = await zipBytes(entries);
    expect(readZip(zip)).toHaveLength(65_600);
    expect(zip.length).toBe(storedZipSize(entries.map((e) => ({ name: e.name, size: e.data.length }))));
    const want = await hash1(entries.map((e) => ({ name: e.name, open: () => e.data })));
    const got = await goDownload("example.com/many", "v1.0.0", zip, gomod);
    expect(got.Sum).toBe(want);
    expect(got.Error).toContain('example.com/many@v1.0.0/D0/f0.txt: case-insensitive file name collision: "d0/f0.txt" and "D0/f0.txt"');
  });
});

describe.skipIf(spawnSync("unzip", ["-v"]).status !== 0)("unzip -t", () => {
  test.each([
    ["a module zip", 300],
    ["a zip64 zip", 65_535],
  ])("unzip -t accepts %s (%i entries)", async (_, n) => {
    const entries = Array.from({ length: n }, (_, i) => ({ name: `m@v1/ü${i % 10}/${i}`, data: enc.encode(`${i}`) }));
    const dir = await mkdtemp(join(tmpdir(), "gomodproxy-unzip-"));
    try {
      await writeFile(join(dir, "z.zip"), await zipBytes(entries));
      const r = spawnSync("unzip", ["-q", "-t", join(dir, "z.zip")], { encoding: "utf8", maxBuffer: 64 << 20 });
      expect(r.stdout).toContain("No errors detected");
      expect(r.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
