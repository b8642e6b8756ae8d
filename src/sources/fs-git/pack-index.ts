/**
 * Pack index version 2 (Documentation/gitformat-pack.txt, "pack-*.idx files
 * have the following format"):
 *
 *   magic "\377tOc", version 2
 *   fanout: 256 big-endian uint32, entry i = number of ids whose first byte ≤ i
 *   N sorted 20-byte object ids
 *   N CRC-32s (unused here)
 *   N uint32 offsets; with the high bit set, the low 31 bits index the table below
 *   uint64 offsets for packs over 2 GiB
 *   pack checksum, index checksum (20 bytes each)
 *
 * The whole index stays in memory (28 bytes an object, as git mmaps it) and
 * a lookup is the fanout range plus a binary search: no per-object setup, so
 * the first read of a repository costs one file read.
 *
 * `nextOffset` is git's reverse index (`pack-*.rev`), built on first use by
 * sorting the offsets (4 bytes an object; ~25 ms for 368k objects): the
 * entry at an offset ends where the next one starts, so a reader can fetch
 * exactly its bytes in one read instead of guessing with zlib's worst case.
 */

const MAGIC = 0xff744f63;
const HEADER_BYTES = 8;
const FANOUT_BYTES = 256 * 4;
const ID_BYTES = 20;

/** PackIndex finds objects' offsets in one packfile. */
export class PackIndex {
  readonly count: number;
  readonly #data: Uint8Array;
  readonly #view: DataView;
  readonly #offsets: number;
  readonly #largeOffsets: number;
  #sorted?: Uint32Array | Float64Array;

  private constructor(data: Uint8Array, count: number) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.count = count;
    const ids = HEADER_BYTES + FANOUT_BYTES;
    this.#offsets = ids + count * (ID_BYTES + 4);
    this.#largeOffsets = this.#offsets + count * 4;
  }

  /** parseIndex checks an .idx file's layout and returns its reader, or throws on anything but a whole v2 index. */
  static parse(data: Uint8Array): PackIndex {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length < HEADER_BYTES + FANOUT_BYTES + 2 * ID_BYTES) throw new Error("pack index truncated");
    if (view.getUint32(0) !== MAGIC) throw new Error("pack index version 1 is not supported");
    if (view.getUint32(4) !== 2) throw new Error(`pack index version ${view.getUint32(4)} is not supported`);
    let previous = 0;
    for (let i = 0; i < 256; i++) {
      const n = view.getUint32(HEADER_BYTES + 4 * i);
      if (n < previous) throw new Error("pack index fanout is not sorted");
      previous = n;
    }
    const count = previous;
    const fixed = HEADER_BYTES + FANOUT_BYTES + count * (ID_BYTES + 8) + 2 * ID_BYTES;
    const extra = data.length - fixed;
    if (extra < 0 || extra % 8 !== 0) throw new Error("pack index has the wrong size for its object count");
    return new PackIndex(data, count);
  }

  /** byteLength is what the index holds in memory, counting the reverse index it may build. */
  get byteLength(): number {
    return this.#data.length + 4 * this.count;
  }

  /** packChecksum is the SHA-1 trailer the matching .pack must end with. */
  packChecksum(): Uint8Array {
    const at = this.#data.length - 2 * ID_BYTES;
    return this.#data.subarray(at, at + ID_BYTES);
  }

  /** find returns the pack offset of the object with the given 20-byte id, or -1. */
  find(id: Uint8Array): number {
    const first = id[0];
    let lo = first === 0 ? 0 : this.#view.getUint32(HEADER_BYTES + 4 * (first - 1));
    let hi = this.#view.getUint32(HEADER_BYTES + 4 * first);
    const data = this.#data;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = HEADER_BYTES + FANOUT_BYTES + mid * ID_BYTES;
      let cmp = 0;
      for (let k = 1; k < ID_BYTES; k++) {
        cmp = data[at + k] - id[k];
        if (cmp !== 0) break;
      }
      if (cmp === 0) return this.#offsetAt(mid);
      if (cmp < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /**
   * nextOffset returns the offset of the entry that follows the one at
   * offset in the pack, or undefined for the last entry (it ends at the
   * trailer) and for an offset where no entry starts.
   */
  nextOffset(offset: number): number | undefined {
    const sorted = (this.#sorted ??= this.#sortOffsets());
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return sorted[lo] === offset && lo + 1 < sorted.length ? sorted[lo + 1] : undefined;
  }

  #sortOffsets(): Uint32Array | Float64Array {
    // Typed arrays sort numerically; 32 bits hold every offset of a pack under 4 GiB.
    let sorted: Uint32Array | Float64Array = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const offset = this.#offsetAt(i);
      if (offset > 0xffffffff) {
        sorted = Float64Array.from({ length: this.count }, (_, j) => this.#offsetAt(j));
        break;
      }
      sorted[i] = offset;
    }
    return sorted.sort();
  }

  #offsetAt(i: number): number {
    const small = this.#view.getUint32(this.#offsets + 4 * i);
    if (!(small & 0x80000000)) return small;
    const at = this.#largeOffsets + 8 * (small & 0x7fffffff);
    if (at + 8 > this.#data.length - 2 * ID_BYTES) throw new Error(`pack index large offset ${small & 0x7fffffff} out of range`);
    const offset = this.#view.getBigUint64(at);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("pack offset beyond 2^53");
    return Number(offset);
  }
}

/** DEFAULT_INDEX_CACHE_BYTES bounds the pack indexes a source keeps loaded: 256 MiB, about 9 million objects. */
export const DEFAULT_INDEX_CACHE_BYTES = 256 << 20;

/**
 * IndexBudget bounds the pack indexes held in memory for all packs of a
 * source (28 bytes an object, plus 4 once the reverse index is built), so a
 * proxy over thousands of repositories does not keep every index it ever
 * opened: past the budget, the least recently used index is dropped and
 * read again from its `.idx` when next needed.
 */
export class IndexBudget {
  readonly #held = new Map<object, { bytes: number; drop: () => void }>();
  #bytes = 0;

  constructor(readonly maxBytes = DEFAULT_INDEX_CACHE_BYTES) {}

  /** bytes is what the loaded indexes hold now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** add counts a newly loaded index of owner; `drop` unloads it when the budget needs the room. */
  add(owner: object, bytes: number, drop: () => void): void {
    this.#forget(owner);
    this.#held.set(owner, { bytes, drop });
    this.#bytes += bytes;
    for (const [other, entry] of this.#held) {
      if (this.#bytes <= this.maxBytes) break;
      if (other === owner) continue;
      this.#forget(other);
      entry.drop();
    }
  }

  /** touch marks owner's index as just used. */
  touch(owner: object): void {
    const entry = this.#held.get(owner);
    if (!entry) return;
    this.#held.delete(owner);
    this.#held.set(owner, entry);
  }

  #forget(owner: object): void {
    const entry = this.#held.get(owner);
    if (!entry) return;
    this.#held.delete(owner);
    this.#bytes -= entry.bytes;
  }
}

/** idBytes turns a 40-digit hex object id into its 20 bytes. */
export function idBytes(oid: string): Uint8Array {
  const out = new Uint8Array(ID_BYTES);
  for (let i = 0; i < ID_BYTES; i++) out[i] = parseInt(oid.substr(2 * i, 2), 16);
  return out;
}
