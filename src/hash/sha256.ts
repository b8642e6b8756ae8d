/**
 * SHA-256 (FIPS 180-4) in plain JavaScript, for small inputs.
 *
 * `crypto.subtle.digest` is fast per byte but costs tens of microseconds per
 * call (a promise and, on Node and Deno, a trip to a worker thread), which
 * dominates when a module has thousands of small files. Below
 * `SUBTLE_MIN_BYTES` this synchronous implementation is faster; above it
 * `crypto.subtle` wins. Both give the same digest, so the choice is only
 * about speed.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const STATE = new Int32Array(8);
const SCHEDULE = new Int32Array(64);
const TAIL = new Uint8Array(128);

/** SUBTLE_MIN_BYTES is the input size from which `crypto.subtle` is the faster SHA-256. */
export const SUBTLE_MIN_BYTES = 4 << 10;

/**
 * sha256Sync returns the SHA-256 digest of data, computed in JavaScript.
 *
 * @example sha256Sync(new Uint8Array()) // e3b0c442…b855 as 32 bytes
 * Edge case: fine for any size, but slower than `crypto.subtle` above
 * SUBTLE_MIN_BYTES.
 */
export function sha256Sync(data: Uint8Array): Uint8Array {
  // Scratch space is shared between calls: the function is synchronous, and
  // allocating typed arrays per call costs more than hashing a small file.
  const h = STATE;
  h.set(INITIAL);
  const w = SCHEDULE;
  const n = data.length;
  const full = n - (n % 64);
  for (let p = 0; p < full; p += 64) block(h, w, data, p);
  // The last block(s): the rest, 0x80, zeros, and the bit length big-endian.
  const t = n % 64 < 56 ? 64 : 128;
  const tail = TAIL;
  tail.fill(0);
  tail.set(data.subarray(full));
  tail[n % 64] = 0x80;
  const bits = n * 8;
  tail[t - 5] = bits / 2 ** 32;
  tail[t - 4] = bits >>> 24;
  tail[t - 3] = bits >>> 16;
  tail[t - 2] = bits >>> 8;
  tail[t - 1] = bits;
  for (let p = 0; p < t; p += 64) block(h, w, tail, p);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    out[4 * i] = h[i] >>> 24;
    out[4 * i + 1] = h[i] >>> 16;
    out[4 * i + 2] = h[i] >>> 8;
    out[4 * i + 3] = h[i];
  }
  return out;
}

function block(h: Int32Array, w: Int32Array, d: Uint8Array, p: number): void {
  for (let i = 0; i < 16; i++, p += 4) w[i] = (d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3];
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15];
    const b = w[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = h[0], b = h[1], c = h[2], e = h[4], f = h[5], g = h[6], x = h[7], dd = h[3];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (x + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    x = g;
    g = f;
    f = e;
    e = (dd + t1) | 0;
    dd = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + dd) | 0;
  h[4] = (h[4] + e) | 0;
  h[5] = (h[5] + f) | 0;
  h[6] = (h[6] + g) | 0;
  h[7] = (h[7] + x) | 0;
}
