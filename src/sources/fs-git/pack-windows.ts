/**
 * PackWindows reads packfiles through a cache of windows, as git reads
 * them through mmap windows (`core.packedGitWindowSize`).
 *
 * A module zip reads thousands of small entries, and every asynchronous
 * read is a round trip through the runtime's I/O threads; on the benchmark
 * (bench/README-fs.md) one read per entry made reading a tag's blobs four
 * times slower than reading through windows. In a packed
 * repository the entries of one commit's tree lie next to each other, so a
 * large window serves many of them with one read. In a repository that was
 * never repacked a tree's delta chain is spread over the whole pack, and a
 * large window per entry would copy hundreds of megabytes. So a window
 * starts small (an entry larger than that is read on its own), and a miss
 * next to the previous miss in the same pack (sequential reading) takes a
 * large one, like the kernel's read-ahead.
 *
 * Windows are shared by all packs of a source, bounded by bytes and evicted
 * least recently used first. A range larger than a window is read directly.
 */

import type { HandlePool } from "./handle-pool.ts";

/** SMALL_WINDOW_BYTES is the window read for an isolated entry. */
export const SMALL_WINDOW_BYTES = 8 << 10;

/** LARGE_WINDOW_BYTES is the window read when entries are read near each other. */
export const LARGE_WINDOW_BYTES = 256 << 10;

/**
 * DEFAULT_WINDOW_CACHE_BYTES is the window budget shared by all packs of a
 * source: 8 MiB. A larger one reads less but costs more on a cold start,
 * where each new page of memory is a fault: on the benchmark tag a cold
 * zip took 1.39-1.48 s with 8 MiB of windows and 1.66-1.72 s with 32 MiB
 * (bench/fs-http.mjs, README Performance).
 */
export const DEFAULT_WINDOW_CACHE_BYTES = 8 << 20;

interface Window {
  data: Promise<Uint8Array>;
  size: number;
}

export class PackWindows {
  #windows = new Map<string, Window>();
  #bytes = 0;
  #lastMiss = new Map<string, number>();

  constructor(readonly pool: HandlePool, readonly maxBytes = DEFAULT_WINDOW_CACHE_BYTES) {}

  /**
   * read returns `length` bytes of the pack at `position`, all before `end`:
   * a view into a cached window when they fit in one, else a fresh buffer.
   * `key` names the pack in the cache. Callers must not modify the result.
   */
  async read(path: string, key: string, position: number, length: number, end: number): Promise<Uint8Array> {
    if (length > LARGE_WINDOW_BYTES || this.maxBytes < 4 * LARGE_WINDOW_BYTES) {
      return await this.#direct(path, position, length);
    }
    let size = this.#cachedSize(key, position, length);
    if (!size) {
      // Sequential reading shows as a miss in the small window next to the previous miss.
      const index = Math.floor(position / SMALL_WINDOW_BYTES);
      const previous = this.#lastMiss.get(key);
      this.#lastMiss.set(key, index);
      const sequential = previous !== undefined && Math.abs(index - previous) <= 1;
      if (!sequential && length > SMALL_WINDOW_BYTES) return await this.#direct(path, position, length);
      size = sequential ? LARGE_WINDOW_BYTES : SMALL_WINDOW_BYTES;
    }
    // length ≤ size, so the range lies in one window or in two neighbours.
    const first = Math.floor(position / size);
    const last = Math.floor((position + length - 1) / size);
    const a = await this.#window(path, key, size, first, end);
    if (first === last) {
      const at = position - first * size;
      if (at + length > a.length) throw new Error("pack truncated");
      return a.subarray(at, at + length);
    }
    const b = await this.#window(path, key, size, last, end);
    const split = last * size - position;
    if (length - split > b.length) throw new Error("pack truncated");
    const out = new Uint8Array(length);
    out.set(a.subarray(position - first * size), 0);
    out.set(b.subarray(0, length - split), split);
    return out;
  }

  /** #cachedSize returns the window size whose cached windows hold the whole range, or 0. */
  #cachedSize(key: string, position: number, length: number): number {
    for (const size of [LARGE_WINDOW_BYTES, SMALL_WINDOW_BYTES]) {
      if (length > size) continue;
      const first = Math.floor(position / size);
      const last = Math.floor((position + length - 1) / size);
      if (this.#windows.has(`${key}:${size}:${first}`) && this.#windows.has(`${key}:${size}:${last}`)) return size;
    }
    return 0;
  }

  async #direct(path: string, position: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(length);
    if ((await this.pool.read(path, buffer, position)) !== length) throw new Error("pack truncated");
    return buffer;
  }

  #window(path: string, key: string, size: number, index: number, end: number): Promise<Uint8Array> {
    const id = `${key}:${size}:${index}`;
    const hit = this.#windows.get(id);
    if (hit) {
      this.#windows.delete(id);
      this.#windows.set(id, hit);
      return hit.data;
    }
    const start = index * size;
    const window = { data: this.#direct(path, start, Math.max(0, Math.min(size, end - start))), size };
    this.#windows.set(id, window);
    this.#bytes += size;
    window.data.catch(() => this.#drop(id, window));
    for (const [k, v] of this.#windows) {
      if (this.#bytes <= this.maxBytes) break;
      if (k !== id) this.#drop(k, v);
    }
    return window.data;
  }

  #drop(id: string, window: Window): void {
    if (this.#windows.get(id) !== window) return;
    this.#windows.delete(id);
    this.#bytes -= window.size;
  }
}
