/**
 * Git's delta encoding (Documentation/gitformat-pack.txt, "Deltified
 * representation"): two varints, the base size and the result size, then
 * instructions. An instruction byte with the high bit set copies a range of
 * the base (bits 0-3 say which offset bytes follow, bits 4-6 which size
 * bytes; size 0 means 0x10000); a byte 1-127 inserts that many literal bytes;
 * 0 is reserved. Every bound is checked, so a corrupt delta throws instead of
 * reading past a buffer.
 */

/** applyDelta rebuilds an object from its base and a delta, or throws on a malformed delta. */
export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  let i = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (i >= delta.length) throw new Error("delta header truncated");
      const b = delta[i++];
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (!(b & 0x80)) return value;
    }
  };
  const baseSize = varint();
  if (baseSize !== base.length) throw new Error(`delta base is ${base.length} bytes, delta wants ${baseSize}`);
  const out = new Uint8Array(varint());
  let at = 0;
  while (i < delta.length) {
    const cmd = delta[i++];
    if (cmd & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (cmd & (1 << bit)) offset += delta[i++] * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (cmd & (0x10 << bit)) size += delta[i++] << (8 * bit);
      if (size === 0) size = 0x10000;
      if (i > delta.length || offset + size > base.length || at + size > out.length) {
        throw new Error("delta copies out of bounds");
      }
      out.set(base.subarray(offset, offset + size), at);
      at += size;
    } else if (cmd !== 0) {
      if (i + cmd > delta.length || at + cmd > out.length) throw new Error("delta inserts out of bounds");
      out.set(delta.subarray(i, i + cmd), at);
      at += cmd;
      i += cmd;
    } else {
      throw new Error("delta has reserved instruction 0");
    }
  }
  if (at !== out.length) throw new Error(`delta result is ${at} bytes, header says ${out.length}`);
  return out;
}
