import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ZipError } from "../../src/errors.ts";
import { readZip } from "../../src/zip/reader.ts";
import { createZipStream } from "../../src/zip/writer.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function ourZip(entries: { name: string; data: Uint8Array }[]): Promise<Uint8Array> {
  return new Uint8Array(await new Response(createZipStream(entries)).arrayBuffer());
}

describe.skipIf(spawnSync("zip", ["-v"]).status !== 0)("readZip of Info-ZIP zips", () => {
  test("readZip(zip -r of a tree) lists directories, deflated files and extra fields", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gomodproxy-reader-"));
    try {
      await mkdir(join(dir, "m@v1", "sub"), { recursive: true });
      await writeFile(join(dir, "m@v1", "a.txt"), "hello ".repeat(100));
      await writeFile(join(dir, "m@v1", "sub", "ü.go"), "package u\n");
      const r = spawnSync("zip", ["-q", "-r", "out.zip", "m@v1"], { cwd: dir });
      expect(r.status).toBe(0);
      const entries = readZip(new Uint8Array(await readFile(join(dir, "out.zip"))));
      expect(entries.map((e) => e.name).sort()).toEqual(["m@v1/", "m@v1/a.txt", "m@v1/sub/", "m@v1/sub/ü.go"]);
      const a = entries.find((e) => e.name === "m@v1/a.txt")!;
      expect(a.method).toBe(8);
      expect(dec.decode(await a.read())).toBe("hello ".repeat(100));
      expect(dec.decode(await entries.find((e) => e.name === "m@v1/sub/ü.go")!.read())).toBe("package u\n");
      expect(await entries.find((e) => e.name === "m@v1/")!.read()).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("readZip errors", () => {
  test("readZip(bytes that are not a zip) throws ZipError", () => {
    expect(() => readZip(enc.encode("not a zip at all, just text"))).toThrow(ZipError);
    expect(() => readZip(new Uint8Array())).toThrow("zip: not a valid zip file");
  });

  test("readZip(a zip cut short) throws ZipError", async () => {
    const zip = await ourZip([{ name: "m@v1/a", data: enc.encode("abc") }]);
    // Keep the end record but drop the file data it points at.
    const cut = new Uint8Array([...zip.subarray(0, 10), ...zip.subarray(zip.length - 22)]);
    expect(() => readZip(cut)).toThrow(ZipError);
  });

  test("read() of an entry with a wrong CRC-32 throws ZipError", async () => {
    const zip = await ourZip([{ name: "m@v1/a", data: enc.encode("abc") }]);
    zip[30 + "m@v1/a".length] ^= 1; // flip a bit of the stored data
    const [entry] = readZip(zip);
    await expect(entry!.read()).rejects.toThrow("zip: m@v1/a: checksum error");
  });

  test("read() of an unsupported method throws ZipError", async () => {
    const zip = await ourZip([{ name: "m@v1/a", data: enc.encode("abc") }]);
    const central = zip.length - 22 - (46 + "m@v1/a".length);
    new DataView(zip.buffer).setUint16(central + 10, 12, true); // bzip2
    const [entry] = readZip(zip);
    await expect(entry!.read()).rejects.toThrow("zip: m@v1/a: unsupported compression method 12");
  });
});

describe("readZip of our zips", () => {
  test("readZip(createZipStream(65,536 entries)) reads the zip64 count", async () => {
    const entries = Array.from({ length: 65_536 }, (_, i) => ({ name: `m@v1/${i}`, data: enc.encode(String(i)) }));
    const read = readZip(await ourZip(entries));
    expect(read).toHaveLength(65_536);
    expect(read[65_535]!.name).toBe("m@v1/65535");
    expect(dec.decode(await read[65_535]!.read())).toBe("65535");
  });
});
