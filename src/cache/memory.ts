/**
 * MemoryCache: entries in memory, least recently used first out, bounded by
 * the bytes they hold; the proxy's default cache.
 *
 * - Recency is kept as CLOCK does (second chance): a hit only marks its
 *   entry used, so the hot path never reorders the map; eviction walks from
 *   the oldest entry, gives a used one a second chance (moves it to the
 *   newest end, unmarked) and drops the first unused one.
 * - Size counts each body plus a fixed overhead per entry
 *   (`ENTRY_OVERHEAD_BYTES`) for its key and bookkeeping.
 * - An entry larger than `maxEntryBytes` is not kept, so one large zip cannot
 *   flush every small `.info`; with `next` it still goes there.
 * - Expired entries are dropped when read.
 * - Pins are not evicted: without `next` they are the only record, so they
 *   stay for the life of the process (a pin is about 200 bytes). With `next`
 *   (a `DirCache`), pins are written through and at most `maxPins` stay in
 *   memory, least recently used first out.
 * - With `next`, a miss reads through and keeps what it finds, and `set`
 *   writes to both, waiting for `next`.
 */

import type { Cache, CacheEntry, Pin } from "./cache.ts";

/** DEFAULT_MEMORY_CACHE_BYTES bounds the default cache: 256 MiB. */
export const DEFAULT_MEMORY_CACHE_BYTES = 256 << 20;

/** ENTRY_OVERHEAD_BYTES is what an entry costs beyond its body: key, object, map slot. */
export const ENTRY_OVERHEAD_BYTES = 256;

/** DEFAULT_MAX_PINS bounds the pins kept in memory when a `next` cache holds them all. */
export const DEFAULT_MAX_PINS = 100_000;

export interface MemoryCacheOptions {
  /** maxBytes bounds the entries kept. Default `DEFAULT_MEMORY_CACHE_BYTES` (256 MiB). */
  maxBytes?: number;
  /** maxEntryBytes is the largest body kept. Default maxBytes / 4. */
  maxEntryBytes?: number;
  /** next is a slower cache behind this one (a `DirCache`). Default: none. */
  next?: Cache;
  /** maxPins bounds the pins kept in memory when `next` is set. Default 100,000; without `next`, unbounded. */
  maxPins?: number;
}

/**
 * MemoryCache is an LRU cache bounded by bytes.
 *
 * @example
 * const cache = new MemoryCache({ maxBytes: 64 << 20 });
 * createProxy({ source, cache });
 * Edge case: `maxBytes: 0` keeps nothing (pins excepted), which turns caching off.
 */
export class MemoryCache implements Cache {
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly #next?: Cache;
  readonly #maxPins: number;
  readonly #entries = new Map<string, Slot>();
  readonly #pins = new Map<string, Pin>();
  #bytes = 0;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MEMORY_CACHE_BYTES;
    this.maxEntryBytes = options.maxEntryBytes ?? Math.floor(this.maxBytes / 4);
    this.#next = options.next;
    this.#maxPins = options.next ? options.maxPins ?? DEFAULT_MAX_PINS : Infinity;
  }

  /** size is the bytes held now, overhead included. */
  get size(): number {
    return this.#bytes;
  }

  /** count is the number of entries held now (pins not included). */
  get count(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const slot = this.#entries.get(key);
    if (slot) {
      if (slot.entry.expires !== undefined && slot.entry.expires <= Date.now()) {
        this.#entries.delete(key);
        this.#bytes -= cost(slot.entry);
        return undefined;
      }
      slot.used = true;
      return slot.entry;
    }
    const found = await this.#next?.get(key);
    if (found) this.#keep(key, found);
    return found;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    this.#keep(key, entry);
    await this.#next?.set(key, entry);
  }

  async getPin(module: string, version: string): Promise<Pin | undefined> {
    const key = `${module}@${version}`;
    const pin = this.#pins.get(key);
    if (pin) {
      if (this.#next) this.#keepPin(key, pin);
      return pin;
    }
    if (!this.#next) return undefined;
    const found = await this.#next.getPin(module, version);
    if (found) this.#keepPin(key, found);
    return found;
  }

  async setPin(pin: Pin): Promise<void> {
    await this.#next?.setPin(pin);
    this.#keepPin(`${pin.module}@${pin.version}`, pin);
  }

  #keep(key: string, entry: CacheEntry): void {
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= cost(old.entry);
    }
    if (entry.body.length > this.maxEntryBytes || cost(entry) > this.maxBytes) return;
    this.#entries.set(key, { entry, used: false });
    this.#bytes += cost(entry);
    for (const [k, slot] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      if (k === key) continue;
      this.#entries.delete(k);
      if (slot.used) {
        slot.used = false;
        this.#entries.set(k, slot); // second chance: newest again, unmarked
      } else {
        this.#bytes -= cost(slot.entry);
      }
    }
  }

  #keepPin(key: string, pin: Pin): void {
    this.#pins.delete(key);
    this.#pins.set(key, pin);
    if (this.#pins.size > this.#maxPins) this.#pins.delete(this.#pins.keys().next().value!);
  }
}

/** Slot is an entry and whether it was read since eviction last passed it. */
interface Slot {
  entry: CacheEntry;
  used: boolean;
}

function cost(entry: CacheEntry): number {
  return entry.body.length + ENTRY_OVERHEAD_BYTES;
}
