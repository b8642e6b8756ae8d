import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactKey, type CacheEntry, type Pin } from "../../src/cache/cache.ts";
import { type CacheFileSystem, DirCache } from "../../src/cache/dir.ts";
import { nodeCacheFileSystem } from "../../src/cache/node-fs.ts";

let root: string;
let n = 0;
const fresh = async () => {
  const dir = join(root, `c${n++}`);
  return { dir, cache: new DirCache(dir, nodeCacheFileSystem) };
};
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const KEY = artifactKey("example.com/Hello", "v1.0.0", COMMIT, "zip");
const entry = (text: string): CacheEntry => ({ body: new TextEncoder().encode(text), etag: '"tag"', modified: 1_700_000_000_000 });
const pin: Pin = { module: "example.com/Hello", version: "v1.0.0", commit: COMMIT, pinned: "2024-01-01T00:00:00.000Z", zip: "h1:abc=" };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "gomodproxy-dircache-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("DirCache", () => {
  it("set then get round-trips body, etag and modified, under the escaped path", async () => {
    const { dir, cache } = await fresh();
    await cache.set(KEY, entry("zip bytes"));
    const got = await cache.get(KEY);
    expect(new TextDecoder().decode(got!.body)).toBe("zip bytes");
    expect(got).toMatchObject({ etag: '"tag"', modified: 1_700_000_000_000 });
    const file = await readFile(join(dir, "data/example.com/!hello/@v/v1.0.0", `${COMMIT}.zip`), "latin1");
    expect(file).toMatch(/^gomodproxy-cache 1 \{.*\}\nzip bytes$/);
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });

  it("a second DirCache on the same directory sees the entry (a restart)", async () => {
    const { dir, cache } = await fresh();
    await cache.set(KEY, entry("kept"));
    expect(new TextDecoder().decode((await new DirCache(dir, nodeCacheFileSystem).get(KEY))!.body)).toBe("kept");
  });

  it("declines entries that expire, and keys that are not artifact keys", async () => {
    const { dir, cache } = await fresh();
    await cache.set(KEY, { ...entry("short"), expires: Date.now() + 60_000 });
    await cache.set("list:example.com/m@", entry("list"));
    await cache.set("../escape", entry("x"));
    expect(await cache.get(KEY)).toBeUndefined();
    expect(await cache.get("list:example.com/m@")).toBeUndefined();
    expect(await readdir(dir).catch(() => [])).not.toContain("data");
  });

  const damage: [string, (file: string) => Promise<void>][] = [
    ["truncated body", async (f) => writeFile(f, (await readFile(f)).subarray(0, -3))],
    ["flipped body byte", async (f) => {
      const b = await readFile(f);
      b[b.length - 1] ^= 1;
      await writeFile(f, b);
    }],
    ["empty file", (f) => writeFile(f, "")],
    ["no header", (f) => writeFile(f, "zip bytes")],
    ["garbled header", (f) => writeFile(f, "gomodproxy-cache 1 {not json\nzip bytes")],
  ];

  it.each(damage)("a data file with a %s reads as missing and is removed", async (_name, hurt) => {
    const { dir, cache } = await fresh();
    await cache.set(KEY, entry("zip bytes"));
    const file = join(dir, "data/example.com/!hello/@v/v1.0.0", `${COMMIT}.zip`);
    await hurt(file);
    expect(await cache.get(KEY)).toBeUndefined();
    await expect(readFile(file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("pins round-trip as JSON under pins/", async () => {
    const { dir, cache } = await fresh();
    expect(await cache.getPin(pin.module, pin.version)).toBeUndefined();
    await cache.setPin(pin);
    expect(await cache.getPin(pin.module, pin.version)).toEqual(pin);
    expect(JSON.parse(await readFile(join(dir, "pins/example.com/!hello/@v/v1.0.0.json"), "utf8"))).toEqual(pin);
  });

  it.each([
    ["not JSON", "{"],
    ["another version's pin", JSON.stringify({ ...pin, version: "v1.0.1" })],
    ["a pin without a commit", JSON.stringify({ ...pin, commit: "" })],
  ])("getPin throws on %s rather than treating the version as unpinned", async (_name, text) => {
    const { dir, cache } = await fresh();
    await mkdir(join(dir, "pins/example.com/!hello/@v"), { recursive: true });
    await writeFile(join(dir, "pins/example.com/!hello/@v/v1.0.0.json"), text);
    await expect(cache.getPin(pin.module, pin.version)).rejects.toThrow(/pin/);
  });

  it("a write that fails before the rename leaves no entry and no temporary file", async () => {
    const { dir } = await fresh();
    const failing: CacheFileSystem = { ...nodeCacheFileSystem, rename: async () => Promise.reject(new Error("disk full")) };
    const cache = new DirCache(dir, failing);
    await expect(cache.set(KEY, entry("x"))).rejects.toThrow("disk full");
    expect(await new DirCache(dir, nodeCacheFileSystem).get(KEY)).toBeUndefined();
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });

  it("the first write removes temporary files older than an hour, and keeps newer ones", async () => {
    const { dir, cache } = await fresh();
    await mkdir(join(dir, "tmp"), { recursive: true });
    await writeFile(join(dir, "tmp/old.tmp"), "half a zip");
    await writeFile(join(dir, "tmp/new.tmp"), "being written by another process");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(dir, "tmp/old.tmp"), twoHoursAgo, twoHoursAgo);
    await cache.set(KEY, entry("x"));
    expect(await readdir(join(dir, "tmp"))).toEqual(["new.tmp"]);
  });
});
