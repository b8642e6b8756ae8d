/**
 * DirCache: immutable artifacts and pins in a directory, so they outlive
 * the process (`gomodproxy serve --cache-dir DIR`).
 *
 * Layout under the directory:
 *   data/<escaped module>/@v/<escaped version>/<commit>.<info|mod|zip>
 *   pins/<escaped module>/@v/<escaped version>.json
 *   tmp/                  files being written
 * Module paths and versions are escaped as x/mod does (`!` before a lowercase
 * letter for each uppercase one), so two modules never share a file on a
 * case-insensitive disk.
 *
 * Writes are atomic: the bytes go to a new file in `tmp/`, are flushed to
 * disk, then renamed over the final name, which POSIX (and NTFS through
 * node:fs) performs atomically; a process killed at any point leaves either
 * the old file, the new one, or no file, plus at worst a stray temporary
 * file that is never read (and is removed after an hour).
 *
 * Reads verify. A data file starts with one header line,
 * `gomodproxy-cache 1 {"etag":…,"modified":…,"size":…,"sha256":…}`, then the
 * body; a file whose size or SHA-256 disagrees (a disk fault, a hand edit)
 * is treated as missing and removed, so the proxy rebuilds it. A pin that
 * cannot be parsed is an error, not a miss: ignoring it could let a moved
 * tag change a served version.
 *
 * Only immutable entries are written: an entry with `expires` (a `list` or
 * query answer) is declined, and keys that are not artifact keys are never
 * read from disk. Put a `MemoryCache` in front (`new MemoryCache({ next })`)
 * to answer hot entries without a disk read.
 *
 * The file operations are injected (`CacheFileSystem`), so this file stays
 * web-standard; `nodeCacheFileSystem` (node-fs.ts) implements them with
 * node:fs, which Deno and Bun provide too.
 */

import { toHex } from "../git/object.ts";
import { sha256 } from "../hash/dirhash.ts";
import { escapePath, escapeVersion } from "../module/path.ts";
import type { Cache, CacheEntry, Pin } from "./cache.ts";

/** CacheFileSystem is what DirCache needs of a file system. Paths use "/". */
export interface CacheFileSystem {
  /** readFile reads a whole file, or resolves undefined when it does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** writeFile creates a new file (failing if it exists), writes data and flushes it to disk. */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** rename moves a file, replacing the target atomically. */
  rename(from: string, to: string): Promise<void>;
  /** mkdir creates a directory and its parents; an existing one is fine. */
  mkdir(path: string): Promise<void>;
  /** remove deletes a file; a missing one is fine. */
  remove(path: string): Promise<void>;
  /** list returns a directory's entries with their modification times; a missing directory lists nothing. */
  list(path: string): Promise<{ name: string; mtimeMs: number }[]>;
}

const MAGIC = "gomodproxy-cache 1 ";
/** MAX_HEADER_BYTES bounds the header line of a data file. */
const MAX_HEADER_BYTES = 4096;
/** STALE_TMP_MS is the age after which a temporary file is a crash leftover. */
const STALE_TMP_MS = 60 * 60 * 1000;
/** SAFE_KEY matches artifact keys: escaped paths and versions, `@v`, hex commits. */
const SAFE_KEY = /^[a-z0-9._~!+-]+(\/[a-z0-9._~!+@-]+)*$/;

interface Header {
  etag: string;
  modified: number;
  size: number;
  sha256: string;
}

/**
 * DirCache keeps immutable entries and pins in files under `dir`.
 *
 * @example
 * import { nodeCacheFileSystem } from "gomodproxy/node";
 * const cache = new MemoryCache({ next: new DirCache("/var/cache/gomodproxy", nodeCacheFileSystem) });
 * Edge case: `set` of an entry with `expires` writes nothing.
 */
export class DirCache implements Cache {
  readonly #dir: string;
  readonly #fs: CacheFileSystem;
  #sequence = 0;
  #swept = false;

  constructor(dir: string, fs: CacheFileSystem) {
    this.#dir = dir.replace(/\/+$/, "") || "/";
    this.#fs = fs;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const path = this.#dataPath(key);
    if (!path) return undefined;
    const file = await this.#fs.readFile(path);
    if (!file) return undefined;
    const entry = await decode(file);
    if (!entry) await this.#fs.remove(path).catch(() => {});
    return entry;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const path = this.#dataPath(key);
    if (!path || entry.expires !== undefined) return;
    await this.#write(path, await encode(entry));
  }

  async getPin(module: string, version: string): Promise<Pin | undefined> {
    const path = this.#pinPath(module, version);
    const file = await this.#fs.readFile(path);
    if (!file) return undefined;
    let pin: Pin;
    try {
      pin = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(file));
    } catch (err) {
      throw new Error(`cache: unreadable pin ${path}`, { cause: err });
    }
    if (pin?.module !== module || pin.version !== version || !/^[0-9a-f]{40,64}$/.test(pin.commit)) {
      throw new Error(`cache: pin ${path} does not describe ${module}@${version}`);
    }
    return pin;
  }

  async setPin(pin: Pin): Promise<void> {
    await this.#write(this.#pinPath(pin.module, pin.version), new TextEncoder().encode(JSON.stringify(pin, null, 2) + "\n"));
  }

  #dataPath(key: string): string | undefined {
    if (!SAFE_KEY.test(key) || key.split("/").some((e) => e === "." || e === "..")) return undefined;
    return `${this.#dir}/data/${key}`;
  }

  #pinPath(module: string, version: string): string {
    return `${this.#dir}/pins/${escapePath(module)}/@v/${escapeVersion(version)}.json`;
  }

  /** #write writes data to a temporary file, then renames it to path. */
  async #write(path: string, data: Uint8Array): Promise<void> {
    const tmpDir = `${this.#dir}/tmp`;
    if (!this.#swept) {
      this.#swept = true;
      await this.#fs.mkdir(tmpDir);
      await this.#sweep(tmpDir);
    }
    const random = Math.floor(Math.random() * 2 ** 32).toString(16);
    const tmp = `${tmpDir}/${Date.now().toString(36)}-${random}-${++this.#sequence}.tmp`;
    try {
      await this.#fs.writeFile(tmp, data);
      await this.#fs.mkdir(path.slice(0, path.lastIndexOf("/")));
      await this.#fs.rename(tmp, path);
    } catch (err) {
      await this.#fs.remove(tmp).catch(() => {});
      throw err;
    }
  }

  /** #sweep removes temporary files that a killed process left behind. */
  async #sweep(tmpDir: string): Promise<void> {
    const now = Date.now();
    for (const f of await this.#fs.list(tmpDir)) {
      if (now - f.mtimeMs > STALE_TMP_MS) await this.#fs.remove(`${tmpDir}/${f.name}`).catch(() => {});
    }
  }
}

async function encode(entry: CacheEntry): Promise<Uint8Array> {
  const header: Header = { etag: entry.etag, modified: entry.modified, size: entry.body.length, sha256: toHex(await sha256(entry.body)) };
  const line = new TextEncoder().encode(MAGIC + JSON.stringify(header) + "\n");
  const out = new Uint8Array(line.length + entry.body.length);
  out.set(line, 0);
  out.set(entry.body, line.length);
  return out;
}

/** decode parses and verifies a data file; undefined if it is not intact. */
async function decode(file: Uint8Array): Promise<CacheEntry | undefined> {
  const nl = file.subarray(0, MAX_HEADER_BYTES).indexOf(10);
  if (nl < 0) return undefined;
  const line = new TextDecoder().decode(file.subarray(0, nl));
  if (!line.startsWith(MAGIC)) return undefined;
  let header: Header;
  try {
    header = JSON.parse(line.slice(MAGIC.length));
  } catch {
    return undefined;
  }
  const body = file.subarray(nl + 1);
  if (typeof header.etag !== "string" || typeof header.modified !== "number" || header.size !== body.length) return undefined;
  if (toHex(await sha256(body)) !== header.sha256) return undefined;
  return { body, etag: header.etag, modified: header.modified };
}

