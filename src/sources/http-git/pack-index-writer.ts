/**
 * Writing a pack index, version 2 (Documentation/gitformat-pack.txt), for
 * a pack we received and verified, so that the on-disk store is a plain git
 * objects directory: `fs-git` reads it, and so does git itself
 * (`git verify-pack`, `git cat-file`).
 *
 * Layout: "\377tOc", version 2, a 256-entry fanout (entry i counts the ids
 * whose first byte is at most i), the sorted ids, their CRC-32s, their
 * offsets (31 bits, or with the high bit set an index into a table of
 * 64-bit offsets for packs over 2 GiB), the pack's checksum, and the SHA-1
 * of all that.
 */

import type { PackEntry } from "./pack-stream.ts";
import { Sha1 } from "./sha1.ts";

/**
 * writePackIndex returns the .idx for a pack's entries and checksum.
 *
 * @example writePackIndex(parsed.entries, parsed.checksum) // bytes of pack-<checksum>.idx
 * Edge case: an object that occurs twice in the pack is indexed once, at its first offset.
 */
export function writePackIndex(entries: PackEntry[], packChecksum: Uint8Array): Uint8Array {
  const byId = new Map<string, PackEntry>();
  for (const e of entries) if (!byId.has(e.oid)) byId.set(e.oid, e);
  const sorted = [...byId.values()].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= 0x80000000);
  const size = 8 + 256 * 4 + n * (20 + 4 + 4) + large.length * 8 + 40;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xff744f63);
  view.setUint32(4, 2);
  const fanout = new Uint32Array(256);
  for (const e of sorted) fanout[parseInt(e.oid.slice(0, 2), 16)]++;
  for (let i = 0, total = 0; i < 256; i++) {
    total += fanout[i];
    view.setUint32(8 + 4 * i, total);
  }
  const ids = 8 + 256 * 4;
  const crcs = ids + 20 * n;
  const offsets = crcs + 4 * n;
  const largeOffsets = offsets + 4 * n;
  let nextLarge = 0;
  sorted.forEach((e, i) => {
    for (let k = 0; k < 20; k++) out[ids + 20 * i + k] = parseInt(e.oid.substr(2 * k, 2), 16);
    view.setUint32(crcs + 4 * i, e.crc32 >>> 0);
    if (e.offset < 0x80000000) {
      view.setUint32(offsets + 4 * i, e.offset);
    } else {
      view.setUint32(offsets + 4 * i, 0x80000000 | nextLarge);
      view.setBigUint64(largeOffsets + 8 * nextLarge, BigInt(e.offset));
      nextLarge++;
    }
  });
  out.set(packChecksum, size - 40);
  out.set(new Sha1().update(out.subarray(0, size - 20)).digest(), size - 20);
  return out;
}
