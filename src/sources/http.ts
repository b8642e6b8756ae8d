/**
 * HttpGitSource serves modules from git repositories on smart-HTTP git
 * servers (GitLab, Gitea, GitHub, `git http-backend`, …), fetching only
 * what each request needs. It uses only `fetch`, web streams and plain
 * JavaScript (its own zlib and SHA-1, which Node replaces with native ones
 * through `nodeRuntime`), so it also runs where there is no file system
 * (Deno Deploy, workers).
 *
 * Mapping. Each upstream serves the module paths under a `prefix`; its
 * `url` is a template in which `{path}` stands for the repository's path
 * below the prefix. `--upstream https://git.example.com` is
 * `{ prefix: "git.example.com", url: "https://git.example.com/{path}.git" }`:
 * module `git.example.com/group/repo/sub/v2` lives in the longest of
 * `…/group/repo/sub/v2.git`, `…/group/repo/sub.git`, `…/group/repo.git`
 * that the server has (probing `info/refs` longest first; 404 and 410 mean
 * "not this one", 401 and 403 "maybe", anything else stops the search), or,
 * with `discovery: "go-get"`, in the repository the server's `?go-get=1`
 * page names, as the go command finds it. A template without `{path}` is
 * exactly one repository, rooted at the prefix (vanity paths). The longest
 * matching prefix wins.
 *
 * Credentials, in order of precedence:
 * 1. `passThroughCredentials: false` (use it whenever the proxy checks
 *    tokens itself, since the client's Authorization header is then the
 *    proxy's): the upstream's configured `authorization`, or none;
 * 2. otherwise a client's `Authorization: Basic …` header (the user's
 *    netrc entry for the proxy host) is sent upstream as it is;
 * 3. otherwise the upstream's configured `authorization`, or none.
 * Everything fetched is partitioned by repository URL and the credential
 * sent (a SHA-256 of the header), so objects, refs and probe results
 * fetched for one credential are never used for a request with another,
 * or with none. Credentials are never logged, put in an error message, or
 * sent to another origin (redirects across origins fail).
 *
 * Freshness. Refs and probe results are kept `refsTtlSeconds` (default
 * 60), and read again sooner for a request with `Cache-Control: no-cache`
 * or after `invalidate()`. Objects never change, so they are kept.
 *
 * Failures (see `http-git/transport.ts`): the repository is missing only
 * when every candidate answered 404 or 410 (NotFoundError, 404). An upstream
 * 401 or 403 answers 401 or 403, never 404, so a private path is not sent on
 * to the next proxy; no answer, a reset or a 5xx answers 502, a timeout 504,
 * a truncated or corrupt pack 502 — and nothing of such a pack is stored.
 */

import { NotFoundError, UpstreamError } from "../errors.ts";
import type { GitObject } from "../git/object.ts";
import { jsInflate, type PackInflate } from "./http-git/inflate.ts";
import { Remote } from "./http-git/remote.ts";
import { type HashFactory, jsSha1 } from "./http-git/sha1.ts";
import { MemoryObjectStorage, type ObjectStorage } from "./http-git/store.ts";
import { readAll, Transport } from "./http-git/transport.ts";
import {
  type Candidate,
  candidatesFor,
  chooseGoImport,
  goGetURL,
  partitionOf,
  remember,
  type Upstream,
  urlId,
  wantsFresh,
} from "./http-git/upstream.ts";
import type { Refs, RepoSource, Repository, SourceContext } from "./source.ts";

export { MemoryObjectStorage, type ObjectStorage, type PartitionStore } from "./http-git/store.ts";
export { jsInflate, type PackInflate } from "./http-git/inflate.ts";
export { type HashFactory, jsSha1 } from "./http-git/sha1.ts";
export { goImports, type Upstream, upstreamFromURL } from "./http-git/upstream.ts";

export interface HttpGitSourceOptions {
  /** upstreams to serve; the longest matching prefix wins. Required (at least one). */
  upstreams: Upstream[];
  /** refsTtlSeconds is how long refs and probe results are reused. Default 60. */
  refsTtlSeconds?: number;
  /**
   * passThroughCredentials sends a client's Basic credentials upstream.
   * Default true; set false when the proxy authenticates clients itself.
   */
  passThroughCredentials?: boolean;
  /** storage keeps fetched objects. Default: `new MemoryObjectStorage()` (256 MiB). */
  storage?: ObjectStorage;
  /** inflate inflates pack entries. Default: `jsInflate` (JavaScript); Node passes `nodeInflate` (node:zlib). */
  inflate?: PackInflate;
  /** sha1 makes SHA-1 hashers. Default: JavaScript (`jsSha1`); Node passes `nodeSha1`. */
  sha1?: HashFactory;
  /** fetch sends HTTP requests. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** timeoutMs bounds the wait for an answer and between its chunks. Default 30 000. */
  timeoutMs?: number;
  /** transferTimeoutMs bounds one whole request, pack included. Default 600 000. */
  transferTimeoutMs?: number;
  /** protocol 2 (default) asks for git protocol version 2 and falls back to 1; 1 never asks. */
  protocol?: 1 | 2;
  /** filter lets ancestry fetches ask for commits only (`filter tree:0`) where allowed. Default true. */
  filter?: boolean;
}

/** DEFAULT_REFS_TTL_SECONDS is how long refs are reused before asking the upstream again. */
export const DEFAULT_REFS_TTL_SECONDS = 60;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_TRANSFER_TIMEOUT_MS = 600_000;
/** MAX_REMOTES bounds the repositories × credentials kept; the least recently used go first. */
const MAX_REMOTES = 1024;
/** MAX_MISSING bounds the remembered "no repository here" answers. */
const MAX_MISSING = 4096;
const MAX_GO_GET_BYTES = 1 << 20;
const AGENT = "gomodproxy";

/** HttpGitSource implements `RepoSource` over smart-HTTP git servers. */
export class HttpGitSource implements RepoSource {
  readonly #upstreams: Upstream[];
  readonly #transport: Transport;
  readonly #storage: ObjectStorage;
  readonly #ttlMs: number;
  readonly #passThrough: boolean;
  readonly #options: HttpGitSourceOptions;
  /** #remotes holds found repositories by `<partition> <url>`, least recently used first. */
  readonly #remotes = new Map<string, Remote>();
  /** #missing holds when a URL (per partition) answered "no repository", or a go-get page named none. */
  readonly #missing = new Map<string, number>();
  readonly #goGet = new Map<string, { at: number; found?: Candidate }>();

  constructor(options: HttpGitSourceOptions) {
    if (options.upstreams.length === 0) throw new Error("HttpGitSource: no upstreams");
    for (const u of options.upstreams) {
      const url = new URL(u.url.replace("{path}", "x"));
      if (url.username || url.password) throw new Error(`upstream ${u.prefix}: put credentials in authorization, not in the URL`);
    }
    this.#options = options;
    this.#upstreams = options.upstreams
      .map((u) => ({ ...u, prefix: u.prefix.replace(/\/+$/, "") }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
    this.#transport = new Transport({
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      transferTimeoutMs: options.transferTimeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS,
      userAgent: `${AGENT} (git protocol; +https://github.com/gomodproxy)`,
    });
    this.#storage = options.storage ?? new MemoryObjectStorage();
    this.#ttlMs = (options.refsTtlSeconds ?? DEFAULT_REFS_TTL_SECONDS) * 1000;
    this.#passThrough = options.passThroughCredentials ?? true;
  }

  async open(modulePath: string, context?: SourceContext): Promise<Repository> {
    context?.signal?.throwIfAborted();
    const upstream = this.#upstreams.find((u) => modulePath === u.prefix || modulePath.startsWith(u.prefix + "/"));
    let candidates = upstream && candidatesFor(upstream, modulePath);
    if (!upstream || !candidates) throw new NotFoundError(`no repository for ${modulePath}`);
    const authorization = this.#authorization(upstream, context?.request);
    const partition = partitionOf(authorization);
    const fresh = wantsFresh(context?.request);
    const maxAge = fresh ? 0 : this.#ttlMs;
    if (upstream.discovery === "go-get" && upstream.url.includes("{path}")) {
      const found = await this.#goGetCandidate(upstream, modulePath, authorization, partition, maxAge);
      if (found) candidates = [found];
    }

    let denied: unknown;
    for (const c of candidates) {
      const key = `${partition} ${c.url}`;
      const missingAt = this.#missing.get(key);
      if (missingAt !== undefined && Date.now() - missingAt < maxAge) continue;
      const remote = this.#remote(partition, c.url, authorization);
      let found;
      try {
        found = await remote.advertise(maxAge);
      } catch (err) {
        // 401/403 may mean "no such repository" to a stranger: keep looking, and answer with it if nothing is found.
        if (isDenied(err)) {
          denied ??= err;
          continue;
        }
        throw err;
      }
      if (found) {
        this.#missing.delete(key);
        const shared = authorization === undefined || authorization === upstream.authorization;
        return new HttpRepository(c.root, c.url, `${c.url} ${partition}`, remote, fresh, shared);
      }
      this.#remotes.delete(key);
      remember(this.#missing, key, Date.now(), MAX_MISSING);
    }
    if (denied) throw denied;
    throw new NotFoundError(`no repository for ${modulePath}`);
  }

  /** invalidate makes every cached refs listing and probe result stale, e.g. after a push hook. */
  invalidate(): void {
    for (const remote of this.#remotes.values()) remote.invalidate();
    this.#missing.clear();
    this.#goGet.clear();
  }

  #authorization(upstream: Upstream, request?: Request): string | undefined {
    if (this.#passThrough) {
      const header = request?.headers.get("authorization");
      if (header && /^basic\s/i.test(header)) return header;
    }
    return upstream.authorization;
  }

  #remote(partition: string, url: string, authorization: string | undefined): Remote {
    const key = `${partition} ${url}`;
    let remote = this.#remotes.get(key);
    if (remote) {
      this.#remotes.delete(key);
    } else {
      remote = new Remote(url, {
        transport: this.#transport,
        authorization,
        store: this.#storage.partition(`${partition}-${urlId(url)}`, url),
        keepRaw: this.#storage.keepRaw,
        refsTtlMs: this.#ttlMs,
        inflate: this.#options.inflate ?? jsInflate,
        sha1: this.#options.sha1 ?? jsSha1,
        protocol: this.#options.protocol ?? 2,
        filter: this.#options.filter ?? true,
        agent: AGENT,
        now: Date.now,
      });
    }
    remember(this.#remotes, key, remote, MAX_REMOTES);
    return remote;
  }

  /** #goGetCandidate asks the upstream's `?go-get=1` page which repository holds modulePath. */
  async #goGetCandidate(
    upstream: Upstream,
    modulePath: string,
    authorization: string | undefined,
    partition: string,
    maxAge: number,
  ): Promise<Candidate | undefined> {
    const url = goGetURL(upstream, modulePath);
    if (!url) return undefined;
    const key = `${partition} ${modulePath}`;
    const cached = this.#goGet.get(key);
    if (cached && Date.now() - cached.at < maxAge) return cached.found;
    let response;
    try {
      response = await this.#transport.send(url, { method: "GET", authorization });
    } catch (err) {
      if (isDenied(err)) return undefined; // probing will say whether the repository itself is denied
      throw err;
    }
    let found: Candidate | undefined;
    if (response.status === 200) {
      found = chooseGoImport(new TextDecoder().decode(await readAll(response.body, MAX_GO_GET_BYTES)), upstream, modulePath);
    } else {
      await response.body.cancel();
    }
    remember(this.#goGet, key, { at: Date.now(), found }, MAX_MISSING);
    return found;
  }
}

/** HttpRepository is one repository of an `HttpGitSource`, seen with one credential. */
class HttpRepository implements Repository {
  constructor(
    readonly root: string,
    readonly url: string,
    /** key is `<url> <partition>`: answers built for one credential must be cached under it alone. */
    readonly key: string,
    private readonly remote: Remote,
    private readonly fresh: boolean,
    /**
     * shared is false when the repository was read with the client's own
     * credentials: answers built from it must not be served to other
     * clients, nor cached by shared HTTP caches.
     */
    readonly shared: boolean,
  ) {}

  refs(): Promise<Refs> {
    return this.remote.refs(this.fresh);
  }

  readObject(oid: string): Promise<GitObject> {
    if (!/^[0-9a-f]{40}$/.test(oid)) return Promise.reject(new NotFoundError(`object ${JSON.stringify(oid)} not found`));
    return this.remote.readObject(oid);
  }

  prepare(commit: string, options: { history: boolean }): Promise<void> {
    return this.remote.prepare(commit, options);
  }
}

function isDenied(err: unknown): boolean {
  return err instanceof UpstreamError && (err.status === 401 || err.status === 403);
}
