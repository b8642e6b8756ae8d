/**
 * Pack entry headers (Documentation/gitformat-pack.txt), shared by the
 * random-access reader of packs on disk (pack.ts) and the parser of packs
 * as they stream in from a git server (http-git/pack-stream.ts).
 *
 * A pack starts with a 12-byte header and ends with a 20-byte SHA-1. An
 * entry starts with a varint holding its type (3 bits) and inflated size
 * (4, then 7 bits a byte); for an OFS_DELTA then the base's distance back in
 * the pack (git's "offset encoding": each continuation adds one before
 * shifting), for a REF_DELTA the base's 20-byte id; then a zlib stream.
 */

import type { ObjectType } from "../../git/object.ts";

/** TYPES names the whole-object types by their number; deltas have none. */
export const TYPES: (ObjectType | undefined)[] = [undefined, "commit", "tree", "blob", "tag"];
export const OFS_DELTA = 6;
export const REF_DELTA = 7;
export const PACK_HEADER_BYTES = 12;
export const TRAILER_BYTES = 20;
/** MAX_ENTRY_HEADER_BYTES covers the longest entry header: a 10-byte size varint and a 20-byte base id. */
export const MAX_ENTRY_HEADER_BYTES = 32;

/** deflateBound is zlib's worst-case compressed size for n bytes, with the zlib wrapper and room to spare. */
export function deflateBound(n: number): number {
  return n + Math.ceil(n / 8) + Math.ceil(n / 64) + 64;
}

/** EntryHeader is one parsed entry header. */
export interface EntryHeader {
  type: number;
  /** size is the inflated size: the object's, or for a delta the delta's. */
  size: number;
  /** headerBytes is where the zlib stream starts, from the entry's first byte. */
  headerBytes: number;
  /** baseOffset is an OFS_DELTA's base offset in the pack, else -1. */
  baseOffset: number;
  /** baseId is a REF_DELTA's base id. */
  baseId?: Uint8Array;
}

/** EntryHeaderError says an entry header is malformed, or ends past the bytes given. */
export class EntryHeaderError extends Error {
  override name = "EntryHeaderError";
}

/**
 * parseEntryHeader reads the header of the entry at pack offset `offset`
 * from the start of `bytes`, refusing a size over maxSize before anything is
 * allocated for it.
 *
 * @example parseEntryHeader(new Uint8Array([0x35, ...zlib]), 12) // { type: 3 (blob), size: 5, headerBytes: 1, baseOffset: -1 }
 * Edge case: bytes that end inside the header throw EntryHeaderError, as a malformed header does.
 */
export function parseEntryHeader(bytes: Uint8Array, offset: number, maxSize = Number.MAX_SAFE_INTEGER): EntryHeader {
  let i = 0;
  const next = (): number => {
    if (i >= bytes.length) throw new EntryHeaderError(`entry header at offset ${offset} runs past the end of the pack`);
    return bytes[i++];
  };
  let c = next();
  const type = (c >> 4) & 7;
  let size = c & 15;
  for (let scale = 16; c & 0x80; scale *= 128) {
    c = next();
    size += (c & 0x7f) * scale;
    if (size > maxSize) throw new EntryHeaderError(`entry at offset ${offset} claims more than ${maxSize} bytes`);
  }
  let baseOffset = -1;
  let baseId: Uint8Array | undefined;
  if (type === OFS_DELTA) {
    c = next();
    let distance = c & 0x7f;
    while (c & 0x80) {
      c = next();
      distance = (distance + 1) * 128 + (c & 0x7f);
    }
    baseOffset = offset - distance;
    if (distance === 0 || baseOffset < PACK_HEADER_BYTES) throw new EntryHeaderError(`delta at offset ${offset} has a bad base offset`);
  } else if (type === REF_DELTA) {
    if (i + 20 > bytes.length) throw new EntryHeaderError(`entry header at offset ${offset} runs past the end of the pack`);
    baseId = bytes.slice(i, i + 20);
    i += 20;
  } else if (!TYPES[type]) {
    throw new EntryHeaderError(`entry at offset ${offset} has unknown type ${type}`);
  }
  return { type, size, headerBytes: i, baseOffset, baseId };
}
