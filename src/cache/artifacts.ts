/**
 * Artifacts: every GOPROXY answer goes through here on its way from the
 * repository to the client, so that it is built once, kept, and never
 * changes once served.
 *
 * A canonical `.info`, `.mod` or `.zip` request:
 * 1. pin + cache: if the version is pinned and the answer for the pinned
 *    commit is cached, it is served without touching the repository (so a
 *    cached version keeps serving while the repository is unreadable);
 * 2. otherwise one build per version and kind runs at a time (single
 *    flight): the version is resolved, and if it now resolves to another
 *    commit than its pin, or not at all, the tag moved: `onTagMoved: "serve"`
 *    warns and rebuilds from the pinned commit (pinned-repo.ts), "refuse"
 *    answers 404;
 * 3. `.info` and `.mod` are checked against the pin's `h1:` hash (a
 *    mismatch is a 500, never different bytes), stored under the commit's
 *    key, and the pin is recorded or completed, all before any client gets
 *    an answer; every waiting client then gets the same bytes.
 *
 * A zip streams while it is built (broadcast.ts): the version is pinned to
 * its commit before the first byte, every request that asks meanwhile
 * reads the same stream from its first byte, and once the zip is whole its
 * `h1:` is checked against the pin (a mismatch errors every stream before
 * its last chunk, so no client gets a complete zip that differs) and
 * recorded, and the zip is cached. Its ETag comes from module, version and
 * commit (`zipETag`), since the same commit always gives the same bytes, so
 * the first answer and every cached one carry the same ETag; only cached
 * answers carry a Content-Length. A zip larger than `maxSharedZipBytes`
 * still streams to the clients already reading it, but is not kept: memory
 * stays bounded whatever the module's size, and the next request builds it
 * again.
 *
 * `list`, `@latest` and query `.info` answers are kept `queryTTL` seconds,
 * also built once per key at a time, and never pinned.
 *
 * Authorization is the caller's job and must come first: nothing here knows
 * who asks.
 */

import { findCause, ModuleError, NotFoundError } from "../errors.ts";
import { Hash1Builder, hashGoMod } from "../hash/dirhash.ts";
import { strongETag } from "../http-cache.ts";
import type { ProxyMetrics } from "../metrics.ts";
import type { CodeRepo, ModuleInfo } from "../resolve/code-repo.ts";
import type { Repository } from "../sources/source.ts";
import { buildModuleZip } from "../zip/build.ts";
import { AbandonedError, Broadcast } from "./broadcast.ts";
import { type ArtifactKind, type Cache, type CacheEntry, type Pin, queryKey, versionDir } from "./cache.ts";
import { pinnedCodeRepo } from "./pinned-repo.ts";
import { SingleFlight } from "./single-flight.ts";

/**
 * Answer is what the handler turns into a response: a whole entry (the same
 * object for every request it serves), or a zip being built, which this
 * request reads from its first byte.
 */
export type Answer = {
  entry: CacheEntry;
  /** immutable answers never change: canonical versions. */
  immutable: boolean;
} | {
  /** stream is this request's reader of a zip being built; cancel it if the body is not sent. */
  stream: ReadableStream<Uint8Array>;
  etag: string;
  modified: number;
  immutable: true;
};

/** LiveZip is a zip being built and streamed to every request that joins it. */
interface LiveZip {
  live: Broadcast;
  etag: string;
  modified: number;
}

/** Opened is a repository ready for the resolver. */
export interface Opened {
  repo: Repository;
  code: CodeRepo;
}

export interface ArtifactsOptions {
  cache: Cache;
  metrics: ProxyMetrics;
  onTagMoved: "serve" | "refuse";
  /** queryTTL is how long list, latest and query answers are kept, in seconds; 0 keeps none. */
  queryTTL: number;
  warn: (message: string) => void;
  /** open finds the repository for module; the request is passed for credentials only. */
  open: (request: Request, module: string) => Promise<Opened>;
  /** infoBody renders `.info` JSON. */
  infoBody: (info: ModuleInfo, url: string | undefined) => Uint8Array;
  /** maxSharedZipBytes is the largest zip kept whole, for the cache and for requests that join its build. */
  maxSharedZipBytes: number;
}

/**
 * MAX_SHARED_ZIP_BYTES is the default `maxSharedZipBytes`, 64 MiB: the
 * largest entry the default `MemoryCache` keeps. Few modules come near it.
 */
export const MAX_SHARED_ZIP_BYTES = 64 << 20;

/** PinMismatchError is a rebuilt answer whose `h1:` differs from its pin's; it was reported when thrown. */
class PinMismatchError extends Error {
  override name = "PinMismatchError";
}

/**
 * ZIP_FORMAT names the bytes a commit's zip gets from this code; bump it
 * when a fix changes them, so that `zipETag` changes too.
 */
const ZIP_FORMAT = 1;

/**
 * zipETag is the ETag of the zip of module@version built from commit:
 * zips are deterministic, so it is known before the first byte is built.
 *
 * @example await zipETag("example.com/m", "v1.0.0", "3f…") // '"…"', the same on every replica
 */
export function zipETag(module: string, version: string, commit: string): Promise<string> {
  return strongETag(new TextEncoder().encode(`zip ${ZIP_FORMAT} ${module}@${version} ${commit}`));
}

/** MAX_REMEMBERED_KEYS bounds the escaped module@version prefixes kept. */
const MAX_REMEMBERED_KEYS = 10_000;

/** Artifacts builds, caches and pins answers; see the file comment. */
export class Artifacts {
  readonly #o: ArtifactsOptions;
  readonly #flights = new SingleFlight<Answer | LiveZip>();
  readonly #queries = new SingleFlight<Answer>();
  /** live holds the zips being streamed, by flight key, until they are whole or overflow. */
  readonly #live = new Map<string, LiveZip>();
  readonly #pinLocks = new Map<string, Promise<unknown>>();
  readonly #dirs = new Map<string, string>();

  constructor(options: ArtifactsOptions) {
    this.#o = options;
  }

  /** canonical answers `.info`, `.mod` or `.zip` of a canonical version. */
  async canonical(request: Request, kind: ArtifactKind, module: string, version: string): Promise<Answer> {
    const { cache, metrics } = this.#o;
    const pin = await cache.getPin(module, version);
    const hit = pin && await cache.get(this.#key(module, version, pin.commit, kind));
    if (hit) {
      metrics.cacheHits.inc([kind]);
      return { entry: hit, immutable: true };
    }
    metrics.cacheMisses.inc([kind]);
    const key = `${kind} ${module}@${version}`;
    // A zip that overflowed before this request could join it is built again for this request.
    for (let attempt = 0; attempt < 3; attempt++) {
      const built = await (this.#live.get(key) ?? this.#flights.run(key, () => this.#build(request, kind, module, version)));
      if (!("live" in built)) return built;
      const stream = built.live.join();
      if (stream) return { stream, etag: built.etag, modified: built.modified, immutable: true };
    }
    throw new Error(`${module}@${version}: zip overflowed before this request could join its build, three times`);
  }

  /** query answers `list`, `@latest` or the `.info` of a query, kept `queryTTL` seconds. */
  async query(
    request: Request,
    endpoint: "list" | "latest" | "query",
    module: string,
    query: string,
    build: (opened: Opened) => Promise<Uint8Array>,
  ): Promise<Answer> {
    const { cache, metrics, queryTTL } = this.#o;
    const key = queryKey(module, endpoint, query);
    const hit = queryTTL > 0 ? await cache.get(key) : undefined;
    if (hit) {
      metrics.cacheHits.inc([endpoint]);
      return { entry: hit, immutable: false };
    }
    metrics.cacheMisses.inc([endpoint]);
    return this.#queries.run(key, async () => {
      const again = queryTTL > 0 ? await cache.get(key) : undefined;
      if (again) return { entry: again, immutable: false };
      const start = performance.now();
      const body = await build(await this.#o.open(request, module));
      const now = Date.now();
      const entry: CacheEntry = { body, etag: await strongETag(body), modified: now, expires: now + queryTTL * 1000 };
      if (queryTTL > 0) await cache.set(key, entry);
      metrics.builds.observe([endpoint], (performance.now() - start) / 1000);
      return { entry, immutable: false };
    });
  }

  /** #key is `artifactKey`, remembering the escaped module@version: escaping checks the path, which costs more than a hit. */
  #key(module: string, version: string, commit: string, kind: ArtifactKind): string {
    const id = `${module}@${version}`;
    let dir = this.#dirs.get(id);
    if (dir === undefined) {
      dir = versionDir(module, version);
      if (this.#dirs.size >= MAX_REMEMBERED_KEYS) this.#dirs.clear();
      this.#dirs.set(id, dir);
    }
    return `${dir}/${commit}.${kind}`;
  }

  async #build(request: Request, kind: ArtifactKind, module: string, version: string, retry = true): Promise<Answer | LiveZip> {
    const { cache, metrics } = this.#o;
    const start = performance.now();
    const pin = await cache.getPin(module, version);
    if (pin) {
      // A flight that ended while this request was looking may have just stored it.
      const hit = await cache.get(this.#key(module, version, pin.commit, kind));
      if (hit) return { entry: hit, immutable: true };
    }
    const { repo, code: current } = await this.#o.open(request, module);
    const code = await this.#resolve(kind, module, version, repo, current, pin);
    const done = <T>(built: T) => {
      metrics.builds.observe([kind], (performance.now() - start) / 1000);
      return built;
    };
    // Another kind of the same version may have been pinned to another commit while this one was built
    // (its tag moved in between): then what was built is not served (it stays under its own commit's key),
    // and the build runs again, now from the pin.
    const again = () => {
      if (!retry) throw new Error(`${module}@${version}: pinned to another commit while building`);
      return this.#build(request, kind, module, version, false);
    };

    if (kind === "info") {
      const info = await code.stat(version);
      const body = this.#o.infoBody(info, repo.url);
      const entry = { body, etag: await strongETag(body), modified: info.time * 1000 };
      // `v2.0.0` may answer `v2.0.0+incompatible`: that answer belongs to another version.
      if (info.version !== version) return done({ entry, immutable: false });
      await cache.set(this.#key(module, version, info.commit, kind), entry);
      if (!(await this.#pin(module, version, info.commit, {}))) return again();
      return done({ entry, immutable: true });
    }

    const { commit } = await code.zipDir(version);
    const modified = (await code.view.commit(commit)).committer.time * 1000;
    const check = (field: "mod" | "zip", h1: string) => {
      const pinned = pin?.commit === commit ? pin[field] : undefined;
      if (pinned === undefined || pinned === h1) return;
      const message = `${module}@${version}: rebuilt .${field} hashes to ${h1}, not the pinned ${pinned}; not serving it`;
      this.#o.warn(message);
      throw new PinMismatchError(message);
    };

    if (kind === "mod") {
      const body = await code.goMod(version);
      const h1 = await hashGoMod(body);
      check("mod", h1);
      const entry = { body, etag: await strongETag(body), modified };
      await cache.set(this.#key(module, version, commit, kind), entry);
      if (!(await this.#pin(module, version, commit, { mod: h1 }))) return again();
      return done({ entry, immutable: true });
    }

    // The version is pinned before the first byte leaves, so a tag moved meanwhile cannot change what was sent.
    if (!(await this.#pin(module, version, commit, {}))) return again();
    const hash = new Hash1Builder();
    const zip = await buildModuleZip(code, version, hash);
    const key = this.#key(module, version, commit, kind);
    const flight = `${kind} ${module}@${version}`;
    const etag = await zipETag(module, version, commit);
    const live = new Broadcast(zip.stream, {
      maxBytes: this.#o.maxSharedZipBytes,
      onOverflow: () => this.#live.delete(flight),
      beforeEnd: async (body) => {
        const h1 = await hash.sum();
        check("zip", h1);
        if (body) await cache.set(key, { body, etag, modified });
        if (!(await this.#pin(module, version, commit, { zip: h1 }))) throw new Error(`${module}@${version}: pin changed commit while streaming`);
      },
    });
    const answer: LiveZip = { live, etag, modified };
    this.#live.set(flight, answer);
    live.ended.then(
      () => done(answer),
      (err) => {
        // The clients have their 200 already: a failure mid-stream cuts their downloads, and is reported here.
        if (!(err instanceof AbandonedError || err instanceof PinMismatchError)) this.#o.warn(`${module}@${version}: zip failed while streaming: ${err instanceof Error ? err.message : String(err)}`);
      },
    ).finally(() => {
      if (this.#live.get(flight) === answer) this.#live.delete(flight);
    });
    return answer;
  }

  /**
   * #resolve checks the version against its pin and returns the CodeRepo to
   * build from: the repository as it is, or as it was when pinned.
   */
  async #resolve(kind: ArtifactKind, module: string, version: string, repo: Repository, code: CodeRepo, pin?: Pin): Promise<CodeRepo> {
    if (!pin) return code;
    let commit: string | undefined;
    try {
      commit = kind === "info" ? (await code.stat(version)).commit : (await code.zipDir(version)).commit;
    } catch (err) {
      if (!findCause(err, NotFoundError)) throw err;
    }
    if (commit === pin.commit) return code;
    const what = commit
      ? `now resolves to commit ${commit}, not the pinned ${pin.commit}`
      : `no longer resolves in the repository (pinned to commit ${pin.commit})`;
    if (this.#o.onTagMoved === "refuse") {
      this.#o.metrics.tagMoved.inc(["refuse"]);
      this.#o.warn(`${module}@${version}: ${what}; refusing to serve it`);
      throw new ModuleError(
        module,
        version,
        new NotFoundError(`changed in the repository after it was served (pinned to commit ${pin.commit.slice(0, 12)}); refusing to serve different content`),
      );
    }
    this.#o.metrics.tagMoved.inc(["serve"]);
    this.#o.warn(`${module}@${version}: ${what}; serving the pinned commit`);
    return pinnedCodeRepo(repo, code, module, version, pin.commit);
  }

  /**
   * #pin records commit for a version, or adds hashes to its pin, and
   * reports whether the pin is for commit: a pin never changes commit.
   */
  #pin(module: string, version: string, commit: string, hashes: { mod?: string; zip?: string }): Promise<boolean> {
    const key = `${module}@${version}`;
    const run = async () => {
      const old = await this.#o.cache.getPin(module, version);
      if (old && old.commit !== commit) return false;
      const pin: Pin = old ? { ...old } : { module, version, commit, pinned: new Date().toISOString() };
      let changed = !old;
      for (const field of ["mod", "zip"] as const) {
        if (hashes[field] && !pin[field]) {
          pin[field] = hashes[field];
          changed = true;
        }
      }
      if (changed) await this.#o.cache.setPin(pin);
      return true;
    };
    // Pin updates for one version run one after another, so `.mod` and `.zip` do not lose each other's hash.
    const next = (this.#pinLocks.get(key) ?? Promise.resolve()).then(run);
    const tail = next.catch(() => {});
    this.#pinLocks.set(key, tail);
    tail.then(() => {
      if (this.#pinLocks.get(key) === tail) this.#pinLocks.delete(key);
    });
    return next;
  }
}
