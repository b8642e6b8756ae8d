/**
 * Where fetched objects are kept: the `ObjectStorage` interface and its
 * in-memory implementation.
 *
 * Objects are immutable and named by their content, so a store only ever
 * adds. It is divided into partitions, one per upstream repository URL and
 * credential identity (see `http.ts`): an object fetched with one user's
 * credentials is never read through another partition, even when the bytes
 * would be the same.
 *
 * A store receives only whole, verified packs (`parsePack` checked every
 * object id and the pack checksum), so it never holds a corrupt object.
 * The on-disk store (`node-store.ts`) writes them as git packs; this one
 * keeps the objects, up to a byte budget shared by all partitions, evicting
 * the least recently used. An evicted object is fetched again when next
 * read, which the HTTP source handles like any object it has not fetched.
 */

import type { GitObject } from "../../git/object.ts";
import type { ParsedPack } from "./pack-stream.ts";

/** ObjectStorage gives the store of one partition. */
export interface ObjectStorage {
  /**
   * partition returns the store for one repository URL and credential
   * identity. `id` is safe as a file name; `url` is for humans only.
   */
  partition(id: string, url: string): PartitionStore;
  /** keepRaw says whether `add` wants the pack bytes (`ParsedPack.raw`). */
  readonly keepRaw: boolean;
}

export interface PartitionStore {
  /** get returns an object, or undefined if this partition does not have it. */
  get(oid: string): Promise<GitObject | undefined>;
  /** add stores every object of a verified pack. */
  add(pack: ParsedPack): Promise<void>;
}

/** DEFAULT_MEMORY_BYTES is the default budget of `MemoryObjectStorage`. */
export const DEFAULT_MEMORY_BYTES = 256 << 20;

/** OBJECT_OVERHEAD_BYTES is a rough per-object cost beyond its content (map entry, object, header). */
const OBJECT_OVERHEAD_BYTES = 128;

/**
 * MemoryObjectStorage keeps objects in memory, at most `maxBytes` of them
 * for all partitions together.
 *
 * ```ts
 * const storage = new MemoryObjectStorage(64 << 20);
 * ```
 * Edge case: a single pack larger than the budget is kept whole until the
 * next `add`, so a read right after its fetch succeeds.
 */
export class MemoryObjectStorage implements ObjectStorage {
  readonly keepRaw = false;
  /** #objects maps `<partition> <oid>` to objects, least recently used first. */
  #objects = new Map<string, GitObject>();
  #bytes = 0;

  constructor(readonly maxBytes = DEFAULT_MEMORY_BYTES) {}

  partition(id: string): PartitionStore {
    return {
      get: (oid) => Promise.resolve(this.#get(`${id} ${oid}`)),
      add: (pack) => {
        this.#evict(sizeOf(pack));
        for (const [oid, object] of pack.objects) this.#set(`${id} ${oid}`, object);
        return Promise.resolve();
      },
    };
  }

  /** bytes is the memory the objects take, roughly. */
  get bytes(): number {
    return this.#bytes;
  }

  #get(key: string): GitObject | undefined {
    const object = this.#objects.get(key);
    if (object) {
      this.#objects.delete(key);
      this.#objects.set(key, object);
    }
    return object;
  }

  #set(key: string, object: GitObject): void {
    if (this.#objects.has(key)) return;
    this.#objects.set(key, object);
    this.#bytes += object.data.length + OBJECT_OVERHEAD_BYTES;
  }

  /** #evict makes room for `incoming` bytes, oldest first. */
  #evict(incoming: number): void {
    for (const [key, object] of this.#objects) {
      if (this.#bytes + incoming <= this.maxBytes) break;
      this.#objects.delete(key);
      this.#bytes -= object.data.length + OBJECT_OVERHEAD_BYTES;
    }
  }
}

function sizeOf(pack: ParsedPack): number {
  let n = 0;
  for (const object of pack.objects.values()) n += object.data.length + OBJECT_OVERHEAD_BYTES;
  return n;
}
