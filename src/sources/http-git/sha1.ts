/**
 * SHA-1 (FIPS 180-4) in plain JavaScript, fed piece by piece.
 *
 * A packfile ends with the SHA-1 of every byte before it, and it arrives
 * as a stream: `crypto.subtle.digest` takes only a whole buffer, so checking
 * the trailer with it would mean holding the whole pack in memory. The same
 * hasher computes object ids (`type size\0content`) without copying the
 * content behind a header, and synchronously, which for the many small
 * objects of a pack is faster than a `crypto.subtle` promise per object.
 */

/** Hasher is an incremental SHA-1, as `new Sha1()` or node:crypto's `createHash("sha1")` give. */
export interface Hasher {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

/**
 * HashFactory makes SHA-1 hashers. The default is this file's JavaScript
 * `Sha1`; Node passes `nodeSha1` (node:crypto), several times faster, which
 * matters when a fetch brings a repository's whole history.
 */
export type HashFactory = () => Hasher;

/** jsSha1 is the HashFactory of the JavaScript Sha1. */
export const jsSha1: HashFactory = () => new Sha1();

const W = new Int32Array(80);

/** Sha1 hashes bytes given in any number of `update` calls. */
export class Sha1 {
  #h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  #block = new Uint8Array(64);
  #filled = 0;
  #length = 0;

  /** update adds bytes to the message and returns this hasher. */
  update(data: Uint8Array): this {
    this.#length += data.length;
    let i = 0;
    if (this.#filled > 0) {
      const take = Math.min(64 - this.#filled, data.length);
      this.#block.set(data.subarray(0, take), this.#filled);
      this.#filled += take;
      i = take;
      if (this.#filled < 64) return this;
      compress(this.#h, this.#block, 0);
      this.#filled = 0;
    }
    for (; i + 64 <= data.length; i += 64) compress(this.#h, data, i);
    if (i < data.length) {
      this.#block.set(data.subarray(i), 0);
      this.#filled = data.length - i;
    }
    return this;
  }

  /** digest returns the 20-byte hash; the hasher must not be used afterwards. */
  digest(): Uint8Array {
    const bits = this.#length * 8;
    const tail = new Uint8Array(this.#filled < 56 ? 64 : 128);
    tail.set(this.#block.subarray(0, this.#filled));
    tail[this.#filled] = 0x80;
    const n = tail.length;
    tail[n - 5] = bits / 2 ** 32;
    tail[n - 4] = bits >>> 24;
    tail[n - 3] = bits >>> 16;
    tail[n - 2] = bits >>> 8;
    tail[n - 1] = bits;
    for (let p = 0; p < n; p += 64) compress(this.#h, tail, p);
    const out = new Uint8Array(20);
    for (let i = 0; i < 5; i++) {
      out[4 * i] = this.#h[i] >>> 24;
      out[4 * i + 1] = this.#h[i] >>> 16;
      out[4 * i + 2] = this.#h[i] >>> 8;
      out[4 * i + 3] = this.#h[i];
    }
    return out;
  }
}

function compress(h: Int32Array, d: Uint8Array, p: number): void {
  const w = W;
  for (let i = 0; i < 16; i++, p += 4) w[i] = (d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3];
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = h[0], b = h[1], c = h[2], e = h[4], dd = h[3];
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (b & c) | (~b & dd);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ dd;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & dd) | (c & dd);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ dd;
      k = 0xca62c1d6;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
    e = dd;
    dd = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + dd) | 0;
  h[4] = (h[4] + e) | 0;
}

const encoder = new TextEncoder();

/** objectId returns the git object id of content: `objectId("blob", bytes("")) === "e69de29b…"`. */
export function objectId(type: string, data: Uint8Array, sha1: HashFactory = jsSha1): string {
  const hasher = sha1();
  hasher.update(encoder.encode(`${type} ${data.length}\0`));
  hasher.update(data);
  const hash = hasher.digest();
  let s = "";
  for (const b of hash) s += (b < 16 ? "0" : "") + b.toString(16);
  return s;
}
