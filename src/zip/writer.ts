/**
 * A streaming, deterministic zip writer for module zips.
 *
 * The same entries give the same bytes on Node, Deno and Bun, today and in
 * future releases, because nothing here depends on the runtime:
 * - entries are written in the order given, each as a local header and its
 *   data, then the central directory and the end record; no directory
 *   entries (dirhash counts them, golang/go#53448) and no data descriptors;
 * - every entry has the DOS time 1980-01-01 00:00 (the earliest DOS date;
 *   Go ignores zip times, `unzip` shows a valid date), "made by" and
 *   "needed" version 2.0, no extra fields, no comments, external attributes
 *   0 (as Go's own `zip.Writer.Create`, which cmd/go uses);
 * - the UTF-8 flag (bit 11) is set exactly when a name is not ASCII, as Go's
 *   writer does;
 * - entries are STORED (method 0) by default, see below;
 * - with 65,535 entries or more (the 16-bit count of the end record is
 *   full), a zip64 end record and locator carry the count; Go's reader and
 *   Info-ZIP's `unzip` read them. Sizes and offsets never need zip64: the
 *   whole zip is capped at `MAX_ZIP_FILE_BYTES` (500 MiB), far below 4 GiB,
 *   and the go command refuses larger zips anyway.
 *
 * Compression: STORE. `node bench/zip-encoders.mjs` measures the choices
 * on ~19 MB of Go source in 1,500 files, on Node 20, Deno 2 and Bun 1.
 * Measured on a quiet 2-vCPU AMD EPYC VM, with 1,500 of Go 1.19's .go files
 * (16.7 MB); MB/s, size relative to the input, and whether all three
 * runtimes give the same bytes (busy machines give lower, noisier numbers
 * in the same order):
 *
 *   encoder                          node   deno    bun   size  same
 *   store (CRC-32 only)              1000   1100   1100   1.00  yes
 *   node:zlib deflateRawSync lvl 6     39     60     63   0.24  no
 *   node:zlib deflateRawSync lvl 1     61    114    166   0.27  no
 *   CompressionStream deflate-raw      15     34     38   0.24  no
 *   pako 1.0 lvl 6 (pure JS)           18     22     21   0.24  yes
 *   pako 1.0 lvl 1 (pure JS)           30     32     40   0.28  yes
 *   zip.js 2.24 ZipWriter lvl 6         8      -      -   0.25  yes
 *   git archive --format=zip: 0.42-0.55 s for 16.7 MB, 30-40 MB/s
 *
 * Native deflate differs between runtimes (Node bundles Chromium's zlib,
 * Deno and Bun other builds, each choosing different matches), so it cannot
 * give the same bytes everywhere. Pure-JS or WebAssembly deflate (pako,
 * zip.js; fflate is of the same kind) is deterministic but runs at 3-40
 * MB/s: deflating alone would use most of the 1.5x `git archive` budget
 * before a single git object is read. Storing is deterministic by
 * construction and costs only the CRC-32; with the `h1:` hash computed in
 * the same pass it took 0.1-0.4x the time of `git archive` of the same tree
 * in our runs, leaving most of the budget to reading git objects. The price is size,
 * about 4x a deflated zip. Go's HTTP client sends `Accept-Encoding: gzip`
 * and inflates transparently, so a server or CDN may compress the
 * transfer without changing the zip bytes that `h1:` and caches see.
 *
 * A caller that prefers smaller zips over cross-runtime identity passes
 * `deflateRaw` (for example node:zlib's `deflateRawSync`); output is then as
 * deterministic as that function.
 */

import { ZipError } from "../errors.ts";
import { crc32 } from "./crc32.ts";
import { MAX_ZIP_FILE_BYTES } from "./files.ts";

/** ZipEntry is one file of the zip: its full entry name and its content. */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** ZipStreamOptions tunes `createZipStream`. Every option has a safe default. */
export interface ZipStreamOptions {
  /**
   * deflateRaw compresses one entry's data as raw deflate (RFC 1951). When
   * set, an entry is stored deflated (method 8) if that is smaller, else
   * stored. Default: unset, every entry is stored (method 0).
   */
  deflateRaw?: (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  /**
   * maxBytes is the largest zip the stream may produce; reaching it errors
   * the stream with ZipError. Default `MAX_ZIP_FILE_BYTES` (500 MiB), the
   * go command's limit. Check `storedZipSize` before streaming to fail
   * before the first byte is sent.
   */
  maxBytes?: number;
}

const VERSION_20 = 20;
const VERSION_45 = 45; // zip64
const FLAG_UTF8 = 0x0800;
const DOS_TIME = 0;
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const LOCAL_HEADER_BYTES = 30;
const CENTRAL_HEADER_BYTES = 46;
const END_BYTES = 22;
const ZIP64_END_BYTES = 56;
const ZIP64_LOCATOR_BYTES = 20;

/**
 * CHUNK_BYTES is the size of the stream's chunks: headers and small files
 * are copied together into chunks of about this size, because each stream
 * chunk costs microseconds and a module may have 100,000 small files.
 * Larger file contents are passed on as they are, without copying.
 */
const CHUNK_BYTES = 64 << 10;

/**
 * createZipStream writes entries, in order, as a zip file. Entries are
 * pulled as the reader asks for bytes, about 64 KiB at a time; contents of
 * 64 KiB and more are enqueued without copying, so do not change them
 * afterwards.
 *
 * @example new Response(createZipStream([{ name: "m@v1.0.0/go.mod", data }]))
 * Edge case: no entries give the 22-byte empty zip; a name longer than
 * 65,535 UTF-8 bytes, or a zip above maxBytes, errors the stream with
 * ZipError.
 */
export function createZipStream(
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  options: ZipStreamOptions = {},
): ReadableStream<Uint8Array> {
  const maxBytes = Math.min(options.maxBytes ?? MAX_ZIP_FILE_BYTES, 0xfffffffe);
  const iterator = Symbol.asyncIterator in entries
    ? entries[Symbol.asyncIterator]()
    : entries[Symbol.iterator]();
  const central = new ByteSink(CHUNK_BYTES);
  let count = 0;
  let offset = 0;

  const account = (n: number) => {
    offset += n;
    if (offset > maxBytes) {
      throw new ZipError(`module zip file too large (max size is ${maxBytes} bytes)`);
    }
  };

  // An entry that did not fit in the last chunk starts the next one.
  let held: ZipEntry | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const out = new ByteSink(CHUNK_BYTES);
      for (;;) {
        const next = held ? { done: false as const, value: held } : await iterator.next();
        held = undefined;
        if (next.done) {
          const dirOffset = offset;
          const dirSize = central.length;
          const end = endRecords(count, dirSize, dirOffset);
          account(dirSize + end.length);
          if (out.length > 0) controller.enqueue(out.take());
          if (dirSize > 0) controller.enqueue(central.take());
          controller.enqueue(end);
          controller.close();
          return;
        }
        const { name, data } = next.value;
        // Chunks are filled, never grown: a small entry that would overflow this one goes into the next.
        if (out.length > 0 && data.length < CHUNK_BYTES && out.length + LOCAL_HEADER_BYTES + 3 * name.length + data.length > CHUNK_BYTES) {
          held = next.value;
          break;
        }
        const crc = crc32(data);
        let method = 0;
        let body = data;
        if (options.deflateRaw) {
          const deflated = await options.deflateRaw(data);
          if (deflated.length < data.length) {
            method = 8;
            body = deflated;
          }
        }
        const localOffset = offset;
        const start = out.length;
        const nameLength = out.localHeader(name, method, crc, body.length, data.length);
        account(out.length - start + body.length);
        const nameBytes = out.bytes(start + LOCAL_HEADER_BYTES, nameLength);
        central.centralHeader(nameBytes, nameLength !== name.length, method, crc, body.length, data.length, localOffset);
        count++;
        if (body.length >= CHUNK_BYTES) {
          if (out.length > 0) controller.enqueue(out.take());
          controller.enqueue(body);
          return;
        }
        out.append(body);
        if (out.length >= CHUNK_BYTES) break;
      }
      controller.enqueue(out.take());
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

/**
 * storedZipSize returns the exact size in bytes of the zip `createZipStream`
 * writes for entries of these names and sizes without `deflateRaw`.
 *
 * @example storedZipSize([]) === 22
 * Edge case: from 65,535 entries on, the zip64 end records add 76 bytes.
 */
export function storedZipSize(entries: Iterable<{ name: string; size: number }>): number {
  let total = END_BYTES;
  let count = 0;
  for (const { name, size } of entries) {
    const n = encoder.encode(name).length;
    total += LOCAL_HEADER_BYTES + CENTRAL_HEADER_BYTES + 2 * n + size;
    count++;
  }
  if (count >= 0xffff) total += ZIP64_END_BYTES + ZIP64_LOCATOR_BYTES;
  return total;
}

const encoder = new TextEncoder();

/** ByteSink is a growable buffer that zip records are written into, little-endian. */
class ByteSink {
  readonly #capacity: number;
  #buf: Uint8Array;
  #view: DataView;
  length = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** take returns the bytes written so far; the next write starts a new buffer. */
  take(): Uint8Array {
    const b = this.#buf.subarray(0, this.length);
    this.#buf = new Uint8Array(0);
    this.#view = new DataView(this.#buf.buffer);
    this.length = 0;
    return b;
  }

  bytes(start: number, length: number): Uint8Array {
    return this.#buf.subarray(start, start + length);
  }

  append(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }

  /** localHeader writes a local file header and returns the name's length in bytes. */
  localHeader(name: string, method: number, crc: number, compressedSize: number, size: number): number {
    this.#reserve(LOCAL_HEADER_BYTES + 3 * name.length);
    const p = this.length;
    const { written } = encoder.encodeInto(name, this.#buf.subarray(p + LOCAL_HEADER_BYTES));
    if (written > 0xffff) throw new ZipError(`zip entry name too long: ${name.slice(0, 64)}…`);
    const v = this.#view;
    v.setUint32(p, 0x04034b50, true);
    v.setUint16(p + 4, VERSION_20, true);
    // The UTF-8 flag, when the name is not ASCII: only then do its UTF-8
    // bytes outnumber its UTF-16 code units.
    v.setUint16(p + 6, written === name.length ? 0 : FLAG_UTF8, true);
    v.setUint16(p + 8, method, true);
    v.setUint16(p + 10, DOS_TIME, true);
    v.setUint16(p + 12, DOS_DATE_1980_01_01, true);
    v.setUint32(p + 14, crc, true);
    v.setUint32(p + 18, compressedSize, true);
    v.setUint32(p + 22, size, true);
    v.setUint16(p + 26, written, true);
    v.setUint16(p + 28, 0, true); // extra field length
    this.length = p + LOCAL_HEADER_BYTES + written;
    return written;
  }

  /** centralHeader writes a central directory header for an entry whose local header is at localOffset. */
  centralHeader(
    name: Uint8Array,
    utf8: boolean,
    method: number,
    crc: number,
    compressedSize: number,
    size: number,
    localOffset: number,
  ): void {
    this.#reserve(CENTRAL_HEADER_BYTES + name.length);
    const p = this.length;
    const v = this.#view;
    v.setUint32(p, 0x02014b50, true);
    v.setUint16(p + 4, VERSION_20, true); // made by: MS-DOS, 2.0
    v.setUint16(p + 6, VERSION_20, true);
    v.setUint16(p + 8, utf8 ? FLAG_UTF8 : 0, true);
    v.setUint16(p + 10, method, true);
    v.setUint16(p + 12, DOS_TIME, true);
    v.setUint16(p + 14, DOS_DATE_1980_01_01, true);
    v.setUint32(p + 16, crc, true);
    v.setUint32(p + 20, compressedSize, true);
    v.setUint32(p + 24, size, true);
    v.setUint16(p + 28, name.length, true);
    // Extra field length, comment length, disk number, internal and
    // external attributes: all 0.
    this.#buf.fill(0, p + 30, p + 42);
    v.setUint32(p + 42, localOffset, true);
    this.#buf.set(name, p + CENTRAL_HEADER_BYTES);
    this.length = p + CENTRAL_HEADER_BYTES + name.length;
  }

  #reserve(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#capacity, 2 * this.#buf.length, this.length + n));
    grown.set(this.#buf.subarray(0, this.length));
    this.#buf = grown;
    this.#view = new DataView(grown.buffer);
  }
}

/** endRecords returns the end of central directory record, preceded by the zip64 ones when needed. */
function endRecords(count: number, dirSize: number, dirOffset: number): Uint8Array {
  const zip64 = count >= 0xffff;
  const b = new Uint8Array((zip64 ? ZIP64_END_BYTES + ZIP64_LOCATOR_BYTES : 0) + END_BYTES);
  const v = new DataView(b.buffer);
  let p = 0;
  if (zip64) {
    const end64Offset = dirOffset + dirSize;
    v.setUint32(0, 0x06064b50, true);
    v.setBigUint64(4, BigInt(ZIP64_END_BYTES - 12), true); // size of the rest of the record
    v.setUint16(12, VERSION_45, true);
    v.setUint16(14, VERSION_45, true);
    // disk numbers at 16 and 20 stay 0.
    v.setBigUint64(24, BigInt(count), true);
    v.setBigUint64(32, BigInt(count), true);
    v.setBigUint64(40, BigInt(dirSize), true);
    v.setBigUint64(48, BigInt(dirOffset), true);
    v.setUint32(56, 0x07064b50, true);
    v.setUint32(60, 0, true); // disk with the zip64 end record
    v.setBigUint64(64, BigInt(end64Offset), true);
    v.setUint32(72, 1, true); // total number of disks
    p = ZIP64_END_BYTES + ZIP64_LOCATOR_BYTES;
  }
  v.setUint32(p, 0x06054b50, true);
  // disk numbers at p+4 and p+6 stay 0.
  v.setUint16(p + 8, zip64 ? 0xffff : count, true);
  v.setUint16(p + 10, zip64 ? 0xffff : count, true);
  v.setUint32(p + 12, dirSize, true);
  v.setUint32(p + 16, dirOffset, true);
  // comment length at p+20 stays 0.
  return b;
}
