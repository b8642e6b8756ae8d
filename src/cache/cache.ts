/**
 * Cache: where gomodproxy keeps what it has built, and the pins that make a
 * served version immutable.
 *
 * What the proxy promises (as proxy.golang.org does, go.dev/ref/mod#goproxy-protocol):
 * once `.info`, `.mod` or `.zip` of a canonical version has been served, the
 * same request gets the same bytes forever, even if someone moves or deletes
 * the tag. Two records carry that promise:
 * - an artifact: the bytes of one answer, keyed by module, version and the
 *   commit it was built from (`artifactKey`), so content built from a moved
 *   tag can never land on the old key;
 * - a pin: the commit a canonical version resolved to the first time it was
 *   served, with the `h1:` hashes of its `.mod` and `.zip` as go.sum records
 *   them. A pin is never overwritten with another commit.
 * Short-lived answers (`list`, `@latest`, branch and hash queries) are
 * entries with an `expires` time, never pinned.
 *
 * Implementations: `MemoryCache` (memory.ts; an LRU bounded by bytes, the
 * default, optionally in front of another cache) and `DirCache` (dir.ts;
 * files written atomically, for restarts). Both hand out the stored
 * `Uint8Array` itself: callers must not modify it.
 */

import { escapePath, escapeVersion } from "../module/path.ts";

/** CacheEntry is one stored answer. */
export interface CacheEntry {
  /** body is the answer's bytes. */
  body: Uint8Array;
  /** etag is the strong entity tag, quotes included, e.g. `"sha256-…"`. */
  etag: string;
  /** modified is the Last-Modified time in milliseconds since the epoch. */
  modified: number;
  /** expires is when the entry stops being served, in ms since the epoch; absent for immutable artifacts. */
  expires?: number;
}

/** Pin records what a canonical version was the first time it was served. */
export interface Pin {
  module: string;
  version: string;
  /** commit is the full commit hash the version resolved to. */
  commit: string;
  /** pinned is when the version was first served, RFC 3339. */
  pinned: string;
  /** mod is the `h1:` hash of the `.mod` (go.sum's `/go.mod` line), once served. */
  mod?: string;
  /** zip is the `h1:` hash of the `.zip` (go.sum's module line), once served. */
  zip?: string;
}

/**
 * Cache stores entries by key and pins by module and version.
 *
 * Contract: `get` returns undefined for a missing, expired or unreadable
 * entry (a cache is never the only copy of an artifact that can be rebuilt);
 * `set` may decline to store (too large, short-lived on disk) and resolves
 * once the entry is durable as far as the implementation goes. Pins are
 * different: `getPin` throws when a pin exists but cannot be read, because
 * treating it as absent could serve different content for a version.
 */
export interface Cache {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): Promise<void>;
  getPin(module: string, version: string): Promise<Pin | undefined>;
  setPin(pin: Pin): Promise<void>;
}

/** ArtifactKind names the immutable answers of a canonical version. */
export type ArtifactKind = "info" | "mod" | "zip";

/**
 * artifactKey is the cache key of one canonical answer: the escaped module
 * path and version (x/mod `EscapePath`, `EscapeVersion`, so keys are safe
 * file names on case-insensitive disks) and the commit it was built from.
 *
 * @example artifactKey("example.com/M", "v1.0.0", "3f…", "zip") === "example.com/!m/@v/v1.0.0/3f….zip"
 * Edge case: a `+incompatible` version keeps its `+`, which is safe in file names.
 */
export function artifactKey(module: string, version: string, commit: string, kind: ArtifactKind): string {
  return `${versionDir(module, version)}/${commit}.${kind}`;
}

/**
 * versionDir is the part of `artifactKey` before the commit:
 * `versionDir("example.com/M", "v1.0.0") === "example.com/!m/@v/v1.0.0"`.
 * Edge case: an invalid module path or version throws, as escaping checks them.
 */
export function versionDir(module: string, version: string): string {
  return `${escapePath(module)}/@v/${escapeVersion(version)}`;
}

/**
 * queryKey is the cache key of a short-lived answer: `list`, `latest`, or
 * the `.info` of a query (a branch, hash or non-canonical version). The
 * query is kept as sent; such keys only ever live in memory.
 */
export function queryKey(module: string, endpoint: "list" | "latest" | "query", query = ""): string {
  return `${endpoint}:${module}@${query}`;
}
