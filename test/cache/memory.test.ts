import { describe, expect, it } from "vitest";
import type { Cache, CacheEntry, Pin } from "../../src/cache/cache.ts";
import { ENTRY_OVERHEAD_BYTES, MemoryCache } from "../../src/cache/memory.ts";

const entry = (size: number, extra: Partial<CacheEntry> = {}): CacheEntry => ({
  body: new Uint8Array(size),
  etag: `"${size}"`,
  modified: 0,
  ...extra,
});

const pin = (version: string): Pin => ({ module: "example.com/m", version, commit: "a".repeat(40), pinned: "2024-01-01T00:00:00.000Z" });

/** RecordingCache is a `next` cache that remembers what reached it. */
class RecordingCache implements Cache {
  entries = new Map<string, CacheEntry>();
  pins = new Map<string, Pin>();
  gets: string[] = [];
  async get(key: string) {
    this.gets.push(key);
    return this.entries.get(key);
  }
  async set(key: string, e: CacheEntry) {
    this.entries.set(key, e);
  }
  async getPin(module: string, version: string) {
    return this.pins.get(`${module}@${version}`);
  }
  async setPin(p: Pin) {
    this.pins.set(`${p.module}@${p.version}`, p);
  }
}

describe("MemoryCache", () => {
  it("get returns the very entry set", async () => {
    const cache = new MemoryCache();
    const e = entry(10);
    await cache.set("k", e);
    expect(await cache.get("k")).toBe(e);
    expect(await cache.get("other")).toBeUndefined();
  });

  it("evicts the least recently used entry once maxBytes is exceeded", async () => {
    const cache = new MemoryCache({ maxBytes: 3 * (100 + ENTRY_OVERHEAD_BYTES), maxEntryBytes: 1000 });
    await cache.set("a", entry(100));
    await cache.set("b", entry(100));
    await cache.set("c", entry(100));
    await cache.get("a"); // a is now the most recently used
    await cache.set("d", entry(100));
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("a")).toBeDefined();
    expect(await cache.get("c")).toBeDefined();
    expect(await cache.get("d")).toBeDefined();
    expect(cache.size).toBe(3 * (100 + ENTRY_OVERHEAD_BYTES));
    expect(cache.count).toBe(3);
  });

  it("replacing a key does not count it twice", async () => {
    const cache = new MemoryCache();
    await cache.set("a", entry(100));
    await cache.set("a", entry(50));
    expect(cache.size).toBe(50 + ENTRY_OVERHEAD_BYTES);
  });

  it("does not keep an entry larger than maxEntryBytes, and evicts nothing for it", async () => {
    const cache = new MemoryCache({ maxBytes: 10_000, maxEntryBytes: 1000 });
    await cache.set("small", entry(10));
    await cache.set("big", entry(1001));
    expect(await cache.get("big")).toBeUndefined();
    expect(await cache.get("small")).toBeDefined();
  });

  it("maxBytes 0 keeps no entries but keeps pins", async () => {
    const cache = new MemoryCache({ maxBytes: 0 });
    await cache.set("a", entry(1));
    await cache.setPin(pin("v1.0.0"));
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.getPin("example.com/m", "v1.0.0")).toEqual(pin("v1.0.0"));
  });

  it("drops an expired entry when read", async () => {
    const cache = new MemoryCache();
    await cache.set("old", entry(10, { expires: Date.now() - 1 }));
    await cache.set("fresh", entry(10, { expires: Date.now() + 60_000 }));
    expect(await cache.get("old")).toBeUndefined();
    expect(await cache.get("fresh")).toBeDefined();
    expect(cache.count).toBe(1);
  });

  it("with next, writes through and keeps what a miss reads through", async () => {
    const next = new RecordingCache();
    const cache = new MemoryCache({ next });
    const e = entry(10);
    await cache.set("k", e);
    expect(next.entries.get("k")).toBe(e);

    const behind = entry(20);
    next.entries.set("only-behind", behind);
    expect(await cache.get("only-behind")).toBe(behind);
    next.entries.delete("only-behind");
    expect(await cache.get("only-behind")).toBe(behind); // now from memory
    expect(next.gets).toEqual(["only-behind"]);
  });

  it("with next, pins are written through, read through, and at most maxPins stay in memory", async () => {
    const next = new RecordingCache();
    const cache = new MemoryCache({ next, maxPins: 1 });
    await cache.setPin(pin("v1.0.0"));
    await cache.setPin(pin("v1.1.0"));
    expect([...next.pins.keys()]).toEqual(["example.com/m@v1.0.0", "example.com/m@v1.1.0"]);
    next.pins.clear();
    expect(await cache.getPin("example.com/m", "v1.1.0")).toEqual(pin("v1.1.0"));
    expect(await cache.getPin("example.com/m", "v1.0.0")).toBeUndefined(); // dropped from memory, gone behind
  });
});
