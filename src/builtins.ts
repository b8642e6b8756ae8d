/**
 * Native fast paths that Node, Deno and Bun all offer through
 * `process.getBuiltinModule` (Node ≥ 20.16, Deno 2, Bun 1.1): node:crypto's
 * SHA-256 and node:zlib's CRC-32. They are looked up at run time, not
 * imported, so the core still runs where only web APIs exist (a browser, an
 * edge worker), on the plain-JavaScript and `crypto.subtle` paths, and gives
 * the same bytes there.
 *
 * Why: a module zip hashes and checksums every file. `crypto.subtle.digest`
 * copies its input and answers through the runtime's thread pool, one round
 * trip per file; node:crypto hashes in place, synchronously. On the
 * benchmark's 1,603-file zip that is most of the difference between a cold
 * zip under and over 1.5x `git archive` (README, Performance).
 */

interface NodeCrypto {
  createHash(algorithm: "sha256"): { update(data: Uint8Array): { digest(): Uint8Array } };
}

interface NodeZlib {
  crc32?(data: Uint8Array, value?: number): number;
}

type GetBuiltinModule = (name: string) => unknown;

const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process?.getBuiltinModule;

function builtin<T>(name: string): T | undefined {
  try {
    return getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

const crypto = builtin<NodeCrypto>("node:crypto");
const zlib = builtin<NodeZlib>("node:zlib");

/** nativeSha256 is node:crypto's synchronous SHA-256 where the runtime has it, else undefined. */
export const nativeSha256: ((data: Uint8Array) => Uint8Array) | undefined = crypto
  ? (data) => new Uint8Array(crypto.createHash("sha256").update(data).digest())
  : undefined;

/** nativeCrc32 is node:zlib's CRC-32 (`crc32(data, previous)`) where the runtime has it, else undefined. */
export const nativeCrc32: ((data: Uint8Array, value?: number) => number) | undefined = zlib?.crc32?.bind(zlib);
