/**
 * Inflating git's zlib streams.
 *
 * Pack entries and loose objects are zlib streams (RFC 1950) whose inflated
 * size git records beside them, so we inflate into one buffer of exactly
 * that size and reject anything longer or shorter. node:zlib is used because
 * Node, Deno and Bun all provide it and it is synchronous: on the benchmark
 * (bench/README-fs.md) `DecompressionStream` was several times slower for
 * the many small objects a module zip reads. Objects of
 * `ASYNC_INFLATE_BYTES` or more inflate on the zlib thread pool so one large
 * blob does not stall other requests.
 */

import { constants, inflate as inflateCallback, inflateSync, type ZlibOptions } from "node:zlib";

/** Inflate inflates a zlib stream to exactly `size` bytes or throws. */
export type Inflate = (data: Uint8Array, size: number) => Promise<Uint8Array>;

/** ASYNC_INFLATE_BYTES is the inflated size from which inflating leaves the event loop. */
export const ASYNC_INFLATE_BYTES = 1 << 20;

/** zlib's smallest output chunk; a chunk of size+1 lets zlib see the stream end in one pass. */
const MIN_CHUNK = 64;

/**
 * inflateExact inflates `data` (a zlib stream, maybe followed by other bytes)
 * to exactly `size` bytes: `inflateExact(deflate("hi"), 2)` gives "hi"; a
 * stream that inflates to any other size throws.
 */
export const inflateExact: Inflate = async (data, size) => {
  const options: ZlibOptions = { maxOutputLength: Math.max(size, 1), chunkSize: Math.max(size + 1, MIN_CHUNK) };
  const out = size < ASYNC_INFLATE_BYTES
    ? inflateSync(data, options)
    : await new Promise<Uint8Array>((resolve, reject) =>
      inflateCallback(data, options, (err, result) => (err ? reject(err) : resolve(result)))
    );
  if (out.length !== size) throw new Error(`inflated to ${out.length} bytes, want ${size}`);
  return out;
};

/**
 * inflatePrefix inflates what it can of the start of a zlib stream, for
 * reading a loose object's `type size\0` header before its size is known.
 */
export function inflatePrefix(data: Uint8Array): Uint8Array {
  return inflateSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
}

/**
 * decompressionStreamInflate is `inflateExact` over the web-standard
 * `DecompressionStream`, kept for the benchmark that chose node:zlib.
 */
export const decompressionStreamInflate: Inflate = async (data, size) => {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate"));
  const out = new Uint8Array(size);
  let at = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > size) throw new Error(`inflated to more than ${size} bytes`);
      out.set(value, at);
      at += value.length;
    }
  } catch (err) {
    // DecompressionStream rejects bytes after the stream end; a pack entry is
    // followed by the next one, so "junk after end" with the size reached is success.
    if (at !== size) throw err;
  }
  if (at !== size) throw new Error(`inflated to ${at} bytes, want ${size}`);
  return out;
};
