/**
 * readZip: a small zip reader for tests. It reads the central directory and
 * each entry's data (stored or deflated), and checks every CRC-32, so a test
 * sees exactly what a zip client would.
 */
import { crc32, inflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  method: number;
  data: Uint8Array;
  /** dosTime and dosDate as written in the central directory. */
  dosTime: number;
  dosDate: number;
  externalAttrs: number;
}

export function readZip(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("zip: no end of central directory");
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff) {
    const loc = eocd - 20;
    if (view.getUint32(loc, true) !== 0x07064b50) throw new Error("zip: missing zip64 locator");
    const z64 = Number(view.getBigUint64(loc + 8, true));
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (view.getUint32(offset, true) !== 0x02014b50) throw new Error("zip: bad central directory entry");
    const method = view.getUint16(offset + 10, true);
    const dosTime = view.getUint16(offset + 12, true);
    const dosDate = view.getUint16(offset + 14, true);
    const crc = view.getUint32(offset + 16, true);
    const compressed = view.getUint32(offset + 20, true);
    const nameLen = view.getUint16(offset + 28, true);
    const extraLen = view.getUint16(offset + 30, true);
    const commentLen = view.getUint16(offset + 32, true);
    const externalAttrs = view.getUint32(offset + 38, true);
    const local = view.getUint32(offset + 42, true);
    const name = decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLen));
    const localNameLen = view.getUint16(local + 26, true);
    const localExtraLen = view.getUint16(local + 28, true);
    const start = local + 30 + localNameLen + localExtraLen;
    const raw = bytes.subarray(start, start + compressed);
    const data = method === 0 ? raw : new Uint8Array(inflateRawSync(raw));
    if (crc32(data) >>> 0 !== crc) throw new Error(`zip: CRC mismatch for ${name}`);
    entries.push({ name, method, data, dosTime, dosDate, externalAttrs });
    offset += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
