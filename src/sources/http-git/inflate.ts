/**
 * Inflating the zlib streams of a packfile that arrives as a stream.
 *
 * A pack entry records its inflated size but not its compressed length, so
 * the next entry starts wherever zlib says this one ended: the parser needs
 * an inflate that reports how much input it used. node:zlib does
 * (`info: true`, `node.ts`; Node, Deno and Bun all have it). The web's
 * `DecompressionStream` does not, and it cannot be fed "this stream and
 * whatever follows": Deno and Bun fail the whole stream on the bytes after
 * its end, sometimes before handing out all of its output. So the default,
 * for runtimes with neither, is `jsInflate`: zlib (RFC 1950) and DEFLATE
 * (RFC 1951) in plain JavaScript, which knows where the stream ends and
 * checks its Adler-32.
 *
 * Huffman codes are decoded with one lookup table per code, indexed by the
 * next `maxBits` input bits (codes are stored bit-reversed, so the table is
 * filled at every index whose low bits are the reversed code).
 */

/** InflateResult is an inflated object and how many input bytes its zlib stream took. */
export interface InflateResult {
  data: Uint8Array;
  consumed: number;
}

/**
 * PackInflate inflates the zlib stream at the start of `input` (which may
 * be followed by other bytes) to exactly `size` bytes, or throws when the
 * stream is corrupt, shorter, longer, or not complete within `input`.
 */
export type PackInflate = (input: Uint8Array, size: number) => Promise<InflateResult>;

/**
 * jsInflate is `PackInflate` in JavaScript, for runtimes without node:zlib.
 *
 * @example await jsInflate(concat([deflated("hi"), nextEntry]), 2) // { data: "hi", consumed: deflated("hi").length }
 * Edge case: an empty object is the 8-byte stream 78 9c 03 00 00 00 00 01.
 */
export const jsInflate: PackInflate = (input, size) => {
  try {
    return Promise.resolve(inflateSync(input, size));
  } catch (err) {
    return Promise.reject(err);
  }
};

class InflateError extends Error {
  override name = "InflateError";
}

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** CODE_ORDER is the order of the code length code lengths in a dynamic block header. */
const CODE_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Table decodes one Huffman code: entry = symbol << 4 | code length (0: no such code). */
interface Table {
  entries: Int32Array;
  bits: number;
}

function buildTable(lengths: ArrayLike<number>, n: number): Table {
  let maxBits = 0;
  const count = new Int32Array(16);
  for (let i = 0; i < n; i++) {
    count[lengths[i]]++;
    if (lengths[i] > maxBits) maxBits = lengths[i];
  }
  count[0] = 0;
  const next = new Int32Array(16);
  for (let bits = 1, code = 0; bits <= 15; bits++) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = code;
    // An over-subscribed code cannot be decoded unambiguously: corrupt.
    if (next[bits] + count[bits] > 1 << bits) throw new InflateError("invalid Huffman code lengths");
  }
  const bits = Math.max(maxBits, 1);
  const entries = new Int32Array(1 << bits);
  for (let symbol = 0; symbol < n; symbol++) {
    const len = lengths[symbol];
    if (len === 0) continue;
    let code = next[len]++;
    let reversed = 0;
    for (let i = 0; i < len; i++) {
      reversed = (reversed << 1) | (code & 1);
      code >>= 1;
    }
    for (let i = reversed; i < entries.length; i += 1 << len) entries[i] = (symbol << 4) | len;
  }
  return { entries, bits };
}

const FIXED_LITLEN = (() => {
  const l = new Uint8Array(288);
  l.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  return buildTable(l, 288);
})();
const FIXED_DIST = buildTable(new Uint8Array(30).fill(5), 30);

/** inflateSync inflates a zlib stream at the start of input to exactly size bytes. */
function inflateSync(input: Uint8Array, size: number): InflateResult {
  if (input.length < 2) throw new InflateError("zlib stream truncated");
  const cmf = input[0];
  const flg = input[1];
  if ((cmf & 15) !== 8 || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 !== 0) throw new InflateError("not a zlib stream");
  if (flg & 0x20) throw new InflateError("zlib stream needs a preset dictionary");
  const out = new Uint8Array(size);
  let at = 0;
  let pos = 2;
  let bitBuf = 0;
  let bitCount = 0;

  const need = (n: number) => {
    while (bitCount < n) {
      if (pos >= input.length) throw new InflateError("zlib stream truncated");
      bitBuf |= input[pos++] << bitCount;
      bitCount += 8;
    }
  };
  const bits = (n: number): number => {
    if (n === 0) return 0;
    need(n);
    const v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCount -= n;
    return v;
  };
  const decode = (t: Table): number => {
    // Near the end of the input a short code may have fewer bits left than the table is wide.
    while (bitCount < t.bits && pos < input.length) {
      bitBuf |= input[pos++] << bitCount;
      bitCount += 8;
    }
    const e = t.entries[bitBuf & ((1 << t.bits) - 1)];
    const len = e & 15;
    if (len === 0 || len > bitCount) throw new InflateError(len === 0 ? "invalid Huffman code" : "zlib stream truncated");
    bitBuf >>>= len;
    bitCount -= len;
    return e >> 4;
  };

  let final = 0;
  while (!final) {
    final = bits(1);
    const type = bits(2);
    if (type === 0) {
      // A stored block starts at the next byte boundary: give back whole bytes read ahead, drop the rest.
      pos -= bitCount >> 3;
      bitBuf = 0;
      bitCount = 0;
      if (pos + 4 > input.length) throw new InflateError("zlib stream truncated");
      const len = input[pos] | (input[pos + 1] << 8);
      const nlen = input[pos + 2] | (input[pos + 3] << 8);
      if ((len ^ 0xffff) !== nlen) throw new InflateError("stored block length mismatch");
      pos += 4;
      if (pos + len > input.length) throw new InflateError("zlib stream truncated");
      if (at + len > size) throw new InflateError(`zlib stream inflates to more than ${size} bytes`);
      out.set(input.subarray(pos, pos + len), at);
      at += len;
      pos += len;
      continue;
    }
    let litlen = FIXED_LITLEN;
    let dist = FIXED_DIST;
    if (type === 2) {
      const hlit = bits(5) + 257;
      const hdist = bits(5) + 1;
      const hclen = bits(4) + 4;
      const codeLengths = new Uint8Array(19);
      for (let i = 0; i < hclen; i++) codeLengths[CODE_ORDER[i]] = bits(3);
      const codeTable = buildTable(codeLengths, 19);
      const lengths = new Uint8Array(hlit + hdist);
      for (let i = 0; i < hlit + hdist;) {
        const sym = decode(codeTable);
        if (sym < 16) {
          lengths[i++] = sym;
          continue;
        }
        let repeat: number;
        let value = 0;
        if (sym === 16) {
          if (i === 0) throw new InflateError("repeat with no previous length");
          value = lengths[i - 1];
          repeat = 3 + bits(2);
        } else if (sym === 17) repeat = 3 + bits(3);
        else repeat = 11 + bits(7);
        if (i + repeat > hlit + hdist) throw new InflateError("code lengths overflow");
        lengths.fill(value, i, i + repeat);
        i += repeat;
      }
      if (lengths[256] === 0) throw new InflateError("no end-of-block code");
      litlen = buildTable(lengths.subarray(0, hlit), hlit);
      dist = buildTable(lengths.subarray(hlit), hdist);
    } else if (type !== 1) {
      throw new InflateError("invalid block type 3");
    }
    for (;;) {
      const sym = decode(litlen);
      if (sym < 256) {
        if (at >= size) throw new InflateError(`zlib stream inflates to more than ${size} bytes`);
        out[at++] = sym;
      } else if (sym === 256) {
        break;
      } else {
        const li = sym - 257;
        if (li >= 29) throw new InflateError("invalid length code");
        const length = LENGTH_BASE[li] + bits(LENGTH_EXTRA[li]);
        const di = decode(dist);
        if (di >= 30) throw new InflateError("invalid distance code");
        const distance = DIST_BASE[di] + bits(DIST_EXTRA[di]);
        if (distance > at) throw new InflateError("distance too far back");
        if (at + length > size) throw new InflateError(`zlib stream inflates to more than ${size} bytes`);
        for (let i = 0; i < length; i++, at++) out[at] = out[at - distance];
      }
    }
  }
  // Give back the whole bytes read ahead, then read the big-endian Adler-32.
  pos -= bitCount >> 3;
  if (pos + 4 > input.length) throw new InflateError("zlib stream truncated");
  if (at !== size) throw new InflateError(`zlib stream inflates to ${at} bytes, want ${size}`);
  const stored = ((input[pos] << 24) | (input[pos + 1] << 16) | (input[pos + 2] << 8) | input[pos + 3]) >>> 0;
  if (stored !== adler32(out)) throw new InflateError("zlib stream checksum mismatch");
  return { data: out, consumed: pos + 4 };
}

/** adler32 is zlib's checksum (RFC 1950 section 8.2). */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  const NMAX = 5552; // the most bytes before b can overflow 2^32 (zlib's NMAX)
  for (let i = 0; i < data.length;) {
    const end = Math.min(i + NMAX, data.length);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
