/**
 * nodeCacheFileSystem: DirCache's file operations over node:fs/promises,
 * which Deno and Bun implement too. The one file in src/cache that imports
 * a runtime module; nothing else in src/ may.
 *
 * `writeFile` opens with `wx` (create, never reuse a name) and calls
 * `fsync` before closing, so the rename that follows never publishes a file
 * whose bytes are still only in memory.
 */

import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import type { CacheFileSystem } from "./dir.ts";

/** nodeCacheFileSystem implements `CacheFileSystem` with node:fs. */
export const nodeCacheFileSystem: CacheFileSystem = {
  async readFile(path) {
    try {
      const data = await readFile(path);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },
  async writeFile(path, data) {
    const file = await open(path, "wx");
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
  },
  async rename(from, to) {
    await rename(from, to);
  },
  async mkdir(path) {
    await mkdir(path, { recursive: true });
  },
  async remove(path) {
    await rm(path, { force: true });
  },
  async list(path) {
    let names: string[];
    try {
      names = await readdir(path);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const out: { name: string; mtimeMs: number }[] = [];
    for (const name of names) {
      const s = await stat(`${path}/${name}`).catch(() => undefined);
      if (s?.isFile()) out.push({ name, mtimeMs: s.mtimeMs });
    }
    return out;
  },
};

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
