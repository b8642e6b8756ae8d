/**
 * The runtime abilities HttpGitSource is faster with where node:zlib and
 * node:crypto exist (Node, Deno and Bun): pass `nodeRuntime` to
 * `new HttpGitSource({ ...nodeRuntime, upstreams })`.
 *
 * - `nodeInflate`: `PackInflate` over node:zlib, which reports the input a
 *   stream used (`info: true` → `engine.bytesWritten`). It is native code
 *   (about as fast as `jsInflate` on one object, see bench/http-source.mjs),
 *   and objects of `ASYNC_INFLATE_BYTES` or more inflate off the event loop.
 * - `nodeSha1`: node:crypto's SHA-1, native, for object ids and pack checksums.
 */

import { createHash } from "node:crypto";
import { inflate as inflateCallback, inflateSync, type ZlibOptions } from "node:zlib";
import { ASYNC_INFLATE_BYTES } from "../fs-git/inflate.ts";
import type { PackInflate } from "./inflate.ts";
import type { HashFactory } from "./sha1.ts";

/** zlib's smallest output chunk; size+1 lets zlib see the end of the stream in one pass. */
const MIN_CHUNK = 64;

interface InflateInfo {
  buffer: Uint8Array;
  engine: { bytesWritten: number };
}

/**
 * nodeInflate inflates the zlib stream at the start of input to exactly
 * `size` bytes and reports its compressed length.
 *
 * @example await nodeInflate(Buffer.concat([deflateSync("hi"), next]), 2) // { data: "hi", consumed: 10 }
 * Edge case: input that ends before the stream does throws "unexpected end of file".
 */
export const nodeInflate: PackInflate = async (input, size) => {
  const options = { info: true, maxOutputLength: Math.max(size, 1), chunkSize: Math.max(size + 1, MIN_CHUNK) };
  const result = size < ASYNC_INFLATE_BYTES
    ? (inflateSync(input, options as ZlibOptions) as unknown as InflateInfo)
    : await new Promise<InflateInfo>((resolve, reject) =>
      inflateCallback(input, options as ZlibOptions, (err, r) => (err ? reject(err) : resolve(r as unknown as InflateInfo)))
    );
  if (result.buffer.length !== size) throw new Error(`zlib stream inflates to ${result.buffer.length} bytes, want ${size}`);
  return { data: result.buffer, consumed: result.engine.bytesWritten };
};

/** nodeSha1 is the HashFactory of node:crypto: `nodeSha1().update(bytes).digest()`. */
export const nodeSha1: HashFactory = () => createHash("sha1");

/** nodeRuntime is every Node ability at once, to spread into HttpGitSource options. */
export const nodeRuntime = { inflate: nodeInflate, sha1: nodeSha1 };
