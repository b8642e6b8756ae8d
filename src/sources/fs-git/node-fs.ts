/**
 * nodeFileSystem: the reader's `FileSystem` over node:fs/promises. Deno and
 * Bun implement node:fs/promises too, so this one object serves all three
 * runtimes; a runtime-native one only has to keep the same error codes.
 *
 * `readFile` reads a file with one read of its size instead of node's
 * 512 KiB chunks: each read is a round trip through the I/O threads, and a
 * large repository's pack index is 10 MB.
 *
 * Pack reads (`FileHandle.read`) of up to 256 KiB run synchronously most of
 * the time. A cold zip reads thousands of small pack entries one delta
 * chain step after another; from the page cache a synchronous read costs
 * a few microseconds, a round trip through the I/O threads ~50 µs of CPU.
 * `node bench/fs-http.mjs --rounds 5`, back to back on the benchmark tag:
 * cold zip 1,214-1,294 ms (1.14x `git archive`) against 1,463-1,563 ms
 * (1.36x) with every read asynchronous.
 *
 * The price is fairness while a cold zip is built, which two rules bound.
 * After `SYNC_SLICE_MS` of synchronous reads, every read goes through the
 * I/O threads until the event loop has come round (`setImmediate`), so
 * every build in flight waits and other requests are answered. And
 * `SLOW_READS_IN_A_ROW` reads each slower than `SLOW_READ_MS` came from the
 * disk, not the page cache, so reads stay asynchronous for the next
 * `ASYNC_AFTER_SLOW_MS` (one slow read alone is no sign: on the benchmark VM
 * one read in a few thousand stalls for 2-8 ms whatever it reads). Measured
 * with `@v/list` requests sent every 2 ms while the 19 MB zip was built
 * (bench/fs-http.mjs): median 30-33 ms, p90 53-60 ms, worst 89-120 ms; with
 * every read asynchronous, median 8-9 ms, p90 28 ms. `createNodeFileSystem({
 * syncReads: false })` (`gomodproxy serve --no-sync-reads`) chooses that.
 */

import type { Stats } from "node:fs";
import { readSync } from "node:fs";
import { setImmediate } from "node:timers";
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

/** SYNC_READ_MAX_BYTES is the largest read that may run synchronously. */
const SYNC_READ_MAX_BYTES = 256 << 10;
/** SYNC_SLICE_MS is how long reads run synchronously before the event loop must come round. */
const SYNC_SLICE_MS = 10;
/** SLOW_READ_MS marks a synchronous read that may have gone to the disk. */
const SLOW_READ_MS = 2;
/** SLOW_READS_IN_A_ROW slow reads, one after another, mean the disk. */
const SLOW_READS_IN_A_ROW = 3;
/** ASYNC_AFTER_SLOW_MS is how long reads stay asynchronous after a slow one. */
const ASYNC_AFTER_SLOW_MS = 1000;

/**
 * SyncReads decides, read by read, whether a pack read runs synchronously,
 * by the rules in the file comment. One instance serves every file: the
 * event loop is one, whichever file blocks it.
 *
 * @example new SyncReads().run(8192, () => readSync(fd, buffer, 0, 8192, at)) // bytes read, or undefined: read asynchronously
 * Edge case: the first read of a process goes through the I/O threads, since no slice has begun.
 */
export class SyncReads {
  #sliceStart = -Infinity;
  #yielding = false;
  #asyncUntil = 0;
  #slowInARow = 0;

  constructor(
    private readonly clock: () => number = () => performance.now(),
    private readonly afterEventLoop: (fn: () => void) => void = setImmediate,
  ) {}

  /** run calls read and returns its result, or returns undefined when this read must go through the I/O threads. */
  run(length: number, read: () => number): number | undefined {
    const now = this.clock();
    if (length > SYNC_READ_MAX_BYTES || now < this.#asyncUntil || this.#yielding) return undefined;
    if (now - this.#sliceStart > SYNC_SLICE_MS) {
      this.#yielding = true;
      this.afterEventLoop(() => {
        this.#yielding = false;
        this.#sliceStart = this.clock();
      });
      return undefined;
    }
    const done = read();
    this.#slowInARow = this.clock() - now > SLOW_READ_MS ? this.#slowInARow + 1 : 0;
    if (this.#slowInARow >= SLOW_READS_IN_A_ROW) {
      this.#slowInARow = 0;
      this.#asyncUntil = now + ASYNC_AFTER_SLOW_MS;
    }
    return done;
  }
}

const syncReads = new SyncReads();

/** readAllSync reads buffer.length bytes at position, or fewer at the end of the file. */
function readAllSync(fd: number, buffer: Uint8Array, position: number): number {
  let done = 0;
  while (done < buffer.length) {
    const n = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

async function openFile(path: string, sync: SyncReads | undefined): Promise<FileHandle> {
  const handle = await open(path, "r");
  return {
    async read(buffer, position) {
      const now = sync?.run(buffer.length, () => readAllSync(handle.fd, buffer, position));
      if (now !== undefined) return now;
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

/**
 * createNodeFileSystem returns the reader's FileSystem over node:fs.
 * `syncReads: false` keeps every pack read asynchronous: fairer to other
 * requests while a cold zip is built, slower to build it (see the file
 * comment). Default true.
 *
 * @example new FsGitSource({ root, fs: createNodeFileSystem({ syncReads: false }) })
 */
export function createNodeFileSystem(options: { syncReads?: boolean } = {}): FileSystem {
  const sync = options.syncReads === false ? undefined : syncReads;
  return { ...nodeFileSystem, open: (path) => openFile(path, sync) };
}

/** nodeFileSystem reads through node:fs, with synchronous small pack reads (`createNodeFileSystem()`). */
export const nodeFileSystem: FileSystem = {
  open: (path) => openFile(path, syncReads),
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
