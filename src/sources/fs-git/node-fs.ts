/**
 * nodeFileSystem: the reader's `FileSystem` over node:fs/promises. Deno and
 * Bun implement node:fs/promises too, so this one object serves all three
 * runtimes; a runtime-native one only has to keep the same error codes.
 *
 * `readFile` reads a file with one read of its size instead of node's
 * 512 KiB chunks: each read is a round trip through the I/O threads, and a
 * large repository's pack index is 10 MB.
 */

import type { Stats } from "node:fs";
import { lstat, open, readdir, realpath, stat } from "node:fs/promises";
import type { FileHandle, FileStat, FileSystem } from "./file-system.ts";

function toStat(s: Stats): FileStat {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymbolicLink: s.isSymbolicLink(),
    size: s.size,
    mtimeMs: s.mtimeMs,
  };
}

async function openFile(path: string): Promise<FileHandle> {
  const handle = await open(path, "r");
  return {
    async read(buffer, position) {
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done;
    },
    close: () => handle.close(),
  };
}

/** nodeFileSystem reads through node:fs/promises. */
export const nodeFileSystem: FileSystem = {
  open: openFile,
  async readFile(path) {
    const handle = await open(path, "r");
    try {
      const size = (await handle.stat()).size;
      const buffer = new Uint8Array(size);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await handle.read(buffer, done, size - done, done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === size ? buffer : buffer.subarray(0, done);
    } finally {
      await handle.close();
    }
  },
  async stat(path) {
    return toStat(await stat(path));
  },
  async lstat(path) {
    return toStat(await lstat(path));
  },
  async readdir(path) {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.map((e) => ({
      name: e.name,
      isFile: e.isFile(),
      isDirectory: e.isDirectory(),
      isSymbolicLink: e.isSymbolicLink(),
    }));
  },
  async realpath(path) {
    return await realpath(path);
  },
};
