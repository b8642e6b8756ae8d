/**
 * A small zip reader: enough to hash a module zip (`hashZip`) and to check
 * our own writer in tests, with web-standard APIs only.
 *
 * It reads the central directory (zip64 included), trusts it for names and
 * sizes, as Go's archive/zip does, and reads each entry's data after its
 * local header. Stored (0) and deflated (8) entries are supported; reading
 * verifies the size and CRC-32, as Go's reader does (`zip: checksum error`).
 * Names are taken as UTF-8 whatever the flags say: Go keeps the raw bytes,
 * and a name that is not UTF-8 cannot be a module file name anyway.
 */

import { ZipError } from "../errors.ts";
import { crc32 } from "./crc32.ts";

/** ZipEntryInfo is one entry of a zip's central directory. */
export interface ZipEntryInfo {
  name: string;
  /** method is 0 (stored) or 8 (deflated). */
  method: number;
  /** size is the uncompressed size in bytes. */
  size: number;
  compressedSize: number;
  crc32: number;
  /** read returns the entry's uncompressed bytes, checked against size and CRC-32. */
  read(): Promise<Uint8Array>;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/**
 * readZip lists the entries of the zip file in bytes, in central directory
 * order. Nothing is decompressed until an entry's `read` is called.
 *
 * @example (await readZip(bytes)[0].read()) // the first entry's content
 * Edge case: throws ZipError for a truncated or malformed zip, an encrypted
 * entry or an unsupported compression method (the last two only on read).
 */
export function readZip(bytes: Uint8Array): ZipEntryInfo[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  let count = view.getUint16(eocd + 10, true);
  let dirSize = view.getUint32(eocd + 12, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR_SIGNATURE) {
      const end64 = u64(view, locator + 8);
      need(view, end64, 56);
      if (view.getUint32(end64, true) !== ZIP64_EOCD_SIGNATURE) throw malformed("bad zip64 end of central directory");
      count = u64(view, end64 + 32);
      dirSize = u64(view, end64 + 40);
      dirOffset = u64(view, end64 + 48);
    }
  }
  need(view, dirOffset, dirSize);

  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const entries: ZipEntryInfo[] = [];
  let p = dirOffset;
  for (let i = 0; i < count; i++) {
    need(view, p, 46);
    if (view.getUint32(p, true) !== CENTRAL_SIGNATURE) throw malformed("bad central directory entry");
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    need(view, p + 46, nameLength + extraLength + commentLength);
    let name: string;
    try {
      name = utf8.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    } catch {
      throw malformed("entry name is not valid UTF-8");
    }
    // Zip64 extra field: the 64-bit values present are those whose 32-bit
    // fields are all ones, in this order.
    for (let e = p + 46 + nameLength, end = e + extraLength; e + 4 <= end;) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = u64(view, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(view, q);
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(view, q);
      }
      e += 4 + len;
    }
    const dataStart = localDataStart(view, localOffset);
    need(view, dataStart, compressedSize);
    const raw = bytes.subarray(dataStart, dataStart + compressedSize);
    entries.push({
      name,
      method,
      size,
      compressedSize,
      crc32: crc,
      read: () => readEntry(name, flags, method, raw, size, crc),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(view: DataView): number {
  const last = view.byteLength - 22;
  const first = Math.max(0, last - 0xffff);
  for (let i = last; i >= first; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE && i + 22 + view.getUint16(i + 20, true) <= view.byteLength) {
      return i;
    }
  }
  throw malformed("not a valid zip file");
}

function localDataStart(view: DataView, offset: number): number {
  need(view, offset, 30);
  if (view.getUint32(offset, true) !== LOCAL_SIGNATURE) throw malformed("bad local file header");
  return offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
}

async function readEntry(
  name: string,
  flags: number,
  method: number,
  raw: Uint8Array,
  size: number,
  crc: number,
): Promise<Uint8Array> {
  if (flags & 1) throw new ZipError(`zip: ${name}: encrypted entries are not supported`);
  let data: Uint8Array;
  if (method === 0) {
    data = raw;
  } else if (method === 8) {
    const stream = new Blob([raw as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    try {
      data = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (err) {
      throw new ZipError(`zip: ${name}: corrupt deflate data`, { cause: err });
    }
  } else {
    throw new ZipError(`zip: ${name}: unsupported compression method ${method}`);
  }
  if (data.length !== size) throw new ZipError(`zip: ${name}: size does not match the central directory`);
  if (crc32(data) !== crc) throw new ZipError(`zip: ${name}: checksum error`);
  return data;
}

function u64(view: DataView, offset: number): number {
  need(view, offset, 8);
  const n = view.getBigUint64(offset, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed("zip64 value too large");
  return Number(n);
}

function need(view: DataView, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > view.byteLength) throw malformed("zip file is truncated");
}

function malformed(reason: string): ZipError {
  return new ZipError(`zip: ${reason}`);
}
