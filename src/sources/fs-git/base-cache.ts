/**
 * BaseCache keeps recently rebuilt delta bases, so the objects of one tree,
 * whose delta chains share bases, do not inflate the same chain again (git's
 * `core.deltaBaseCacheLimit`, 96 MiB by default). It is bounded by bytes and
 * evicts the least recently used entry; entries larger than a quarter of the
 * budget are not kept.
 */

import type { GitObject } from "../../git/object.ts";

/** DEFAULT_BASE_CACHE_BYTES is the delta base budget shared by all repositories of a source. */
export const DEFAULT_BASE_CACHE_BYTES = 32 << 20;

export class BaseCache {
  #entries = new Map<string, GitObject>();
  #bytes = 0;

  constructor(readonly maxBytes = DEFAULT_BASE_CACHE_BYTES) {}

  /** get returns the cached object for key and marks it recently used. */
  get(key: string): GitObject | undefined {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, object: GitObject): void {
    if (object.data.length > this.maxBytes / 4 || this.#entries.has(key)) return;
    this.#entries.set(key, object);
    this.#bytes += object.data.length;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.data.length;
    }
  }
}
