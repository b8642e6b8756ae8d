/**
 * Reading a packfile as it streams in, and proving it whole before any
 * object of it is used (Documentation/gitformat-pack.txt).
 *
 * A pack is "PACK", a version (2 or 3), an object count, the entries, and
 * the SHA-1 of everything before it. An entry is a type and inflated size
 * (a varint: 3 type bits, then 4 + 7k size bits), for an OFS_DELTA the
 * distance back to its base (git's offset encoding, each continuation adds
 * one before shifting), for a REF_DELTA the base's id, then a zlib stream.
 *
 * We read each entry once: wait until the stream has the entry's header and
 * as many bytes as zlib can need for its size (`deflateBound`) or the input
 * ends, inflate, and hash. Deltas are applied as soon as their base is
 * known: OFS_DELTA bases precede their deltas; a REF_DELTA base may be in
 * this pack (before or, in packs we did not ask to be ordered, after it) or,
 * for a thin pack, already in the local store (`findBase`).
 *
 * Nothing is trusted until the end: zlib checks each entry's Adler-32, delta
 * application checks every bound, each object id is the SHA-1 of the
 * rebuilt object, and the trailer must equal the SHA-1 of all bytes read, or
 * `parsePack` throws and its objects are dropped. So a truncated, reordered
 * or bit-flipped pack never yields an object, and an object can only be
 * stored under the id of its own content.
 */

import { crc32 } from "../../zip/crc32.ts";
import { applyDelta } from "../fs-git/delta.ts";
import {
  deflateBound,
  type EntryHeader,
  EntryHeaderError,
  MAX_ENTRY_HEADER_BYTES,
  OFS_DELTA,
  PACK_HEADER_BYTES,
  parseEntryHeader,
  TRAILER_BYTES,
  TYPES,
} from "../fs-git/pack-entry.ts";
import { type GitObject, toHex } from "../../git/object.ts";
import type { PackInflate } from "./inflate.ts";
import { type HashFactory, type Hasher, jsSha1, objectId } from "./sha1.ts";


/** MAX_OBJECT_BYTES bounds one object; a larger claimed size is refused before anything is allocated. */
export const MAX_OBJECT_BYTES = 512 << 20;

/** PackFormatError says the pack bytes are not a valid, complete pack. */
export class PackFormatError extends Error {
  override name = "PackFormatError";
}

/** MissingBaseError says a thin pack has deltas against objects we do not have (any more). */
export class MissingBaseError extends PackFormatError {
  override name = "MissingBaseError";
}

/** PackEntry is one entry's place in the pack, what a pack index records. */
export interface PackEntry {
  oid: string;
  offset: number;
  crc32: number;
}

export interface ParsedPack {
  /** objects holds every object of the pack by id, deltas applied. */
  objects: Map<string, GitObject>;
  /** entries in pack order; their CRC-32 is 0 unless `keepRaw` was asked for. */
  entries: PackEntry[];
  /** checksum is the pack's trailer, the SHA-1 of its other bytes. */
  checksum: Uint8Array;
  /** raw is the pack's bytes, when `keepRaw` was asked for. */
  raw?: Uint8Array[];
  /** bases are the objects outside the pack that its deltas use (a thin pack's), by id. */
  bases: Map<string, GitObject>;
}

export interface ParseOptions {
  inflate: PackInflate;
  /** findBase finds a REF_DELTA base outside the pack (thin packs). */
  findBase?: (oid: string) => Promise<GitObject | undefined>;
  /** keepRaw keeps the pack's bytes, for a store that writes the pack itself. */
  keepRaw?: boolean;
  /** sha1 makes the hashers for object ids and the pack checksum. Default: the JavaScript `Sha1`. */
  sha1?: HashFactory;
}

interface Pending {
  entry: PackEntry;
  delta: Uint8Array;
}

/**
 * parsePack reads a whole pack from `input` and returns its objects, or
 * throws `PackFormatError` (or the input's own error) without returning any.
 */
export async function parsePack(input: AsyncIterable<Uint8Array>, options: ParseOptions): Promise<ParsedPack> {
  const iterator = input[Symbol.asyncIterator]();
  try {
    return await parse(new ByteQueue(iterator, options.keepRaw ?? false, (options.sha1 ?? jsSha1)()), options);
  } finally {
    // Stop the download (and its timers) whether the pack was whole or not.
    await iterator.return?.().catch(() => {});
  }
}

async function parse(q: ByteQueue, options: ParseOptions): Promise<ParsedPack> {
  const objects = new Map<string, GitObject>();
  const entries: PackEntry[] = [];
  const byOffset = new Map<number, GitObject>();
  const waitingForOffset = new Map<number, Pending[]>();
  const waitingForId = new Map<string, Pending[]>();
  const bases = new Map<string, GitObject>();

  const head = await q.take(PACK_HEADER_BYTES);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0) !== 0x5041434b) throw new PackFormatError("not a pack: bad signature");
  const version = view.getUint32(4);
  if (version !== 2 && version !== 3) throw new PackFormatError(`pack version ${version} is not supported`);
  const count = view.getUint32(8);

  /** settle records a whole object and applies every delta that was waiting for it. */
  const settle = (entry: PackEntry, object: GitObject) => {
    const stack: [PackEntry, GitObject][] = [[entry, object]];
    while (stack.length > 0) {
      const [e, obj] = stack.pop()!;
      e.oid = objectId(obj.type, obj.data, options.sha1);
      objects.set(e.oid, obj);
      byOffset.set(e.offset, obj);
      for (const waiting of [waitingForOffset.get(e.offset), waitingForId.get(e.oid)]) {
        for (const p of waiting ?? []) stack.push([p.entry, rebuild(obj, p.delta, p.entry.offset)]);
      }
      waitingForOffset.delete(e.offset);
      waitingForId.delete(e.oid);
    }
  };

  for (let i = 0; i < count; i++) {
    const offset = q.offset;
    const header = await q.peek(MAX_ENTRY_HEADER_BYTES);
    const parsed = entryHeader(header, offset);
    const window = await q.peek(parsed.headerBytes + deflateBound(parsed.size));
    let inflated;
    try {
      inflated = await options.inflate(window.subarray(parsed.headerBytes), parsed.size);
    } catch (err) {
      if (q.ended && window.length < parsed.headerBytes + deflateBound(parsed.size)) {
        throw new PackFormatError(`pack truncated in entry ${i} of ${count} at offset ${offset}`);
      }
      throw new PackFormatError(`entry at offset ${offset}: ${(err as Error).message}`);
    }
    const length = parsed.headerBytes + inflated.consumed;
    // The CRC-32 is for a pack index, which only a store that writes the pack builds.
    const entry: PackEntry = { oid: "", offset, crc32: options.keepRaw ? crc32(window.subarray(0, length)) : 0 };
    q.skip(length);
    entries.push(entry);

    const type = TYPES[parsed.type];
    if (type) {
      settle(entry, { type, data: inflated.data });
    } else if (parsed.type === OFS_DELTA) {
      const base = byOffset.get(parsed.baseOffset);
      if (base) settle(entry, rebuild(base, inflated.data, offset));
      else push(waitingForOffset, parsed.baseOffset, { entry, delta: inflated.data });
    } else {
      const baseId = toHex(parsed.baseId!);
      let base = objects.get(baseId);
      if (!base) {
        base = bases.get(baseId) ?? await options.findBase?.(baseId);
        if (base) bases.set(baseId, base);
      }
      if (base) settle(entry, rebuild(base, inflated.data, offset));
      else push(waitingForId, baseId, { entry, delta: inflated.data });
    }
  }
  if (waitingForOffset.size > 0 || waitingForId.size > 0) {
    const missing = [...waitingForId.keys(), ...[...waitingForOffset.keys()].map((o) => `offset ${o}`)];
    throw new MissingBaseError(`pack has deltas whose base is missing: ${missing.slice(0, 3).join(", ")}`);
  }
  const digest = q.digest();
  const trailer = await q.take(TRAILER_BYTES);
  if (!trailer.every((b, i) => b === digest[i])) throw new PackFormatError("pack checksum mismatch");
  if (!(await q.atEnd())) throw new PackFormatError("pack has bytes after its checksum");
  // A base that came in the pack after all was not an outside base.
  for (const oid of bases.keys()) if (objects.has(oid)) bases.delete(oid);
  return { objects, entries, checksum: trailer.slice(), raw: q.raw, bases };
}

function push<K>(map: Map<K, Pending[]>, key: K, p: Pending): void {
  const list = map.get(key);
  if (list) list.push(p);
  else map.set(key, [p]);
}

/** rebuild applies a delta to its base, refusing a claimed result size over MAX_OBJECT_BYTES first. */
function rebuild(base: GitObject, delta: Uint8Array, offset: number): GitObject {
  let i = 0;
  for (let varints = 0; varints < 2; varints++) {
    let value = 0;
    for (let scale = 1; ; scale *= 128) {
      if (i >= delta.length) throw new PackFormatError(`delta at offset ${offset}: header truncated`);
      const b = delta[i++];
      value += (b & 0x7f) * scale;
      if (!(b & 0x80)) break;
    }
    if (varints === 1 && value > MAX_OBJECT_BYTES) throw new PackFormatError(`delta at offset ${offset} claims ${value} bytes`);
  }
  try {
    return { type: base.type, data: applyDelta(base.data, delta) };
  } catch (err) {
    throw new PackFormatError(`delta at offset ${offset}: ${(err as Error).message}`);
  }
}

/** entryHeader is parseEntryHeader, its errors PackFormatError like every other flaw of a streamed pack. */
function entryHeader(b: Uint8Array, offset: number): EntryHeader {
  try {
    return parseEntryHeader(b, offset, MAX_OBJECT_BYTES);
  } catch (err) {
    if (err instanceof EntryHeaderError) throw new PackFormatError(err.message);
    throw err;
  }
}

/**
 * ByteQueue buffers a byte stream so that the parser can look ahead a given
 * length, and hashes (and optionally keeps) every byte it moves past.
 */
class ByteQueue {
  #buf = new Uint8Array(1 << 16);
  #start = 0;
  #end = 0;
  #digested = false;
  /** offset is the stream position of the first unread byte. */
  offset = 0;
  ended = false;
  raw?: Uint8Array[];

  constructor(private readonly input: AsyncIterator<Uint8Array>, keepRaw: boolean, private readonly sha: Hasher) {
    if (keepRaw) this.raw = [];
  }

  /** peek returns the next n bytes without consuming them, fewer only where the stream ends. */
  async peek(n: number): Promise<Uint8Array> {
    while (this.#end - this.#start < n && !this.ended) await this.#fill();
    return this.#buf.subarray(this.#start, Math.min(this.#end, this.#start + n));
  }

  /** take consumes exactly n bytes, or throws when the stream ends first. */
  async take(n: number): Promise<Uint8Array> {
    const bytes = await this.peek(n);
    if (bytes.length < n) throw new PackFormatError("pack truncated");
    this.skip(n);
    return bytes;
  }

  skip(n: number): void {
    const bytes = this.#buf.subarray(this.#start, this.#start + n);
    if (!this.#digested) this.sha.update(bytes);
    this.raw?.push(bytes.slice());
    this.#start += n;
    this.offset += n;
  }

  /** digest is the SHA-1 of every byte consumed so far; later bytes are not hashed. */
  digest(): Uint8Array {
    this.#digested = true;
    return this.sha.digest();
  }

  async atEnd(): Promise<boolean> {
    return (await this.peek(1)).length === 0;
  }

  /** #fill appends the next chunk, moving the unread bytes to the front or to a buffer twice as large first. */
  async #fill(): Promise<void> {
    const { done, value } = await this.input.next();
    if (done) {
      this.ended = true;
      return;
    }
    const have = this.#end - this.#start;
    if (this.#end + value.length > this.#buf.length) {
      if (have + value.length > this.#buf.length) {
        const next = new Uint8Array(Math.max(have + value.length, this.#buf.length * 2));
        next.set(this.#buf.subarray(this.#start, this.#end), 0);
        this.#buf = next;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = have;
    }
    this.#buf.set(value, this.#end);
    this.#end += value.length;
  }
}
