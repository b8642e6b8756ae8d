/**
 * Pack: random access to one packfile (Documentation/gitformat-pack.txt).
 *
 * An entry (its header: pack-entry.ts) ends where the next one starts
 * (`PackIndex.nextOffset`), so we read exactly its bytes through
 * `PackWindows` (the last entry: its header, then as many bytes as zlib can
 * need for its size, `deflateBound`), inflate, and walk the delta chain down
 * to a whole object or a base found in the `BaseCache`, then apply the
 * deltas back up, caching each base on the way. Only the index, windows and
 * cached bases are held in memory.
 */

import { type GitObject, toHex } from "../../git/object.ts";
import type { BaseCache } from "./base-cache.ts";
import { applyDelta } from "./delta.ts";
import type { FileSystem } from "./file-system.ts";
import type { HandlePool } from "./handle-pool.ts";
import type { Inflate } from "./inflate.ts";
import {
  deflateBound,
  MAX_ENTRY_HEADER_BYTES,
  OFS_DELTA,
  PACK_HEADER_BYTES,
  parseEntryHeader,
  TRAILER_BYTES,
  TYPES,
} from "./pack-entry.ts";
import { type IndexBudget, PackIndex } from "./pack-index.ts";
import type { PackWindows } from "./pack-windows.ts";

/** MAX_CHAIN is longer than any delta chain git writes (`pack.depth` is capped at 4095): beyond it is a loop. */
const MAX_CHAIN = 5000;

/** FindBase reads a REF_DELTA base that is not in this pack. */
export type FindBase = (oid: string) => Promise<GitObject>;

interface Entry {
  type: number;
  data: Uint8Array;
  baseOffset: number;
  baseId?: Uint8Array;
}

let nextPackId = 0;

/** Pack reads objects from one `pack-*.pack` by offset, through its `.idx`. */
export class Pack {
  readonly #id = nextPackId++;
  #index?: Promise<PackIndex>;
  #end = 0;

  constructor(
    readonly packPath: string,
    readonly idxPath: string,
    private readonly fs: FileSystem,
    private readonly pool: HandlePool,
    private readonly windows: PackWindows,
    private readonly cache: BaseCache,
    private readonly inflate: Inflate,
    private readonly indexes: IndexBudget,
  ) {}

  /**
   * index loads the .idx and checks that the pack is the one it describes;
   * it stays loaded until `indexes` needs the room for another.
   */
  index(): Promise<PackIndex> {
    if (this.#index) {
      this.indexes.touch(this);
      return this.#index;
    }
    const loading = this.#load();
    this.#index = loading;
    loading.then(
      (index) => this.indexes.add(this, index.byteLength, () => {
        if (this.#index === loading) this.#index = undefined;
      }),
      () => {}, // a broken index stays broken: every read reports it
    );
    return loading;
  }

  async #load(): Promise<PackIndex> {
    const index = PackIndex.parse(await this.fs.readFile(this.idxPath));
    const size = (await this.fs.stat(this.packPath)).size;
    if (size < PACK_HEADER_BYTES + TRAILER_BYTES) throw new Error("pack truncated");
    const header = await this.#readExactly(0, PACK_HEADER_BYTES);
    const view = new DataView(header.buffer);
    const version = view.getUint32(4);
    if (view.getUint32(0) !== 0x5041434b || (version !== 2 && version !== 3)) throw new Error("not a version 2 pack");
    if (view.getUint32(8) !== index.count) throw new Error(`pack holds ${view.getUint32(8)} objects, index ${index.count}`);
    const trailer = await this.#readExactly(size - TRAILER_BYTES, TRAILER_BYTES);
    const want = index.packChecksum();
    if (trailer.some((b, i) => b !== want[i])) throw new Error("pack checksum does not match its index");
    this.#end = size - TRAILER_BYTES;
    return index;
  }

  /** find returns the offset of the object with the given 20-byte id, or -1. */
  async find(id: Uint8Array): Promise<number> {
    return (await this.index()).find(id);
  }

  /** read returns the object at offset, rebuilding it from its delta chain. */
  async read(offset: number, findBase: FindBase): Promise<GitObject> {
    const index = await this.index();
    const deltas: { offset: number; data: Uint8Array }[] = [];
    let at = offset;
    let base: GitObject | undefined;
    while (!base) {
      base = this.cache.get(this.#key(at));
      if (base) break;
      if (deltas.length > MAX_CHAIN) throw new Error(`delta chain longer than ${MAX_CHAIN}`);
      const entry = await this.#entry(at);
      const type = TYPES[entry.type];
      if (type) {
        base = { type, data: entry.data };
        if (deltas.length > 0) this.cache.set(this.#key(at), base);
        break;
      }
      deltas.push({ offset: at, data: entry.data });
      if (entry.type === OFS_DELTA) {
        at = entry.baseOffset;
      } else {
        const inPack = index.find(entry.baseId!);
        if (inPack < 0) base = await findBase(toHex(entry.baseId!));
        else if (deltas.some((d) => d.offset === inPack)) throw new Error(`delta chain at ${offset} loops`);
        else at = inPack;
      }
    }
    for (let i = deltas.length - 1; i >= 0; i--) {
      base = { type: base.type, data: applyDelta(base.data, deltas[i].data) };
      if (i > 0) this.cache.set(this.#key(deltas[i].offset), base);
    }
    return base;
  }

  #key(offset: number): string {
    return `${this.#id}:${offset}`;
  }

  async #entry(offset: number): Promise<Entry> {
    const room = this.#end - offset;
    if (offset < PACK_HEADER_BYTES || room <= 0) throw new Error(`offset ${offset} is outside the pack`);
    const key = String(this.#id);
    // The entry ends where the next one starts (the reverse index): header and data come in one exact read.
    const following = (await this.index()).nextOffset(offset);
    const exact = following !== undefined && following > offset && following <= this.#end;
    const head = await this.windows.read(this.packPath, key, offset, exact ? following - offset : Math.min(MAX_ENTRY_HEADER_BYTES, room), this.#end);
    const { type, size, headerBytes: i, baseOffset, baseId } = parseEntryHeader(head, offset);
    // Deflate expands nothing beyond 1032:1; a larger size is a corrupt header, not a reason to allocate it.
    if (size > ((exact ? head.length : room) - i) * 1032 + 64) throw new Error(`entry at ${offset} claims ${size} bytes`);
    const compressed = exact
      ? head.subarray(i)
      : await this.windows.read(this.packPath, key, offset + i, Math.min(deflateBound(size), room - i), this.#end);
    const data = await this.inflate(compressed, size);
    return { type, data, baseOffset, baseId };
  }

  async #readExactly(position: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(length);
    if ((await this.pool.read(this.packPath, buffer, position)) !== length) throw new Error("pack truncated");
    return buffer;
  }
}

