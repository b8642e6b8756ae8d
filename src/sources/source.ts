/**
 * RepoSource: where gomodproxy's git repositories come from.
 *
 * A source answers two questions: which repository holds a module path, and
 * what git objects and refs that repository has. Everything the GOPROXY
 * protocol needs above that (tags → versions, pseudo-versions, finding the
 * module directory, zips) is computed once, in `src/resolve/`, from raw git
 * objects, so every source gives the same answers byte for byte.
 *
 * Error contract, for every method:
 * - a thing that does not exist (no repository for the path, no such object
 *   id asked for directly) throws `NotFoundError` from `src/errors.ts`;
 * - every other failure (I/O error, corrupt pack, upstream outage) propagates
 *   as it is, or as `RepositoryError` / `UpstreamError`. Callers that reach a
 *   missing object through a commit or tree treat it as corruption (5xx),
 *   never as a missing version.
 */

import type { GitObject } from "../git/object.ts";

/** RepoSource finds the repository that serves a module path. */
export interface RepoSource {
  /**
   * open returns the repository whose root module path is the longest
   * prefix of `modulePath` (whole path elements), or throws `NotFoundError`.
   * It must be cheap for paths that are not modules: the go command probes
   * every prefix of an import path.
   */
  open(modulePath: string, context?: SourceContext): Promise<Repository>;
}

/** SourceContext carries the request a lookup is made for. */
export interface SourceContext {
  /** request is the client's request, for sources that pass credentials through. */
  request?: Request;
  /** signal aborts the work when the client goes away. */
  signal?: AbortSignal;
}

/** Repository is one git repository, read through raw objects and refs. */
export interface Repository {
  /** root is the module path of the repository's top directory, e.g. "example.com/hello". */
  readonly root: string;
  /**
   * url is the repository's public URL for `.info` Origin. Leave it unset
   * rather than expose a local path.
   */
  readonly url?: string;
  /**
   * key identifies the repository for caching, stable across restarts
   * (for example its directory or remote URL). Never shown to clients.
   */
  readonly key: string;
  /** refs lists the repository's branches and tags, read once per call. */
  refs(): Promise<Refs>;
  /** readObject reads one object by full id, or throws `NotFoundError`. */
  readObject(oid: string): Promise<GitObject>;
  /**
   * hasObject reports whether the repository holds an object, without
   * reading it. Sources that can tell cheaply (an index lookup) implement
   * it: a zip streams once its files are checked, and a blob found missing
   * before the first byte is a 500 rather than a cut download. Optional;
   * sources that fetch objects on demand leave it out.
   */
  hasObject?(oid: string): Promise<boolean>;
  /**
   * prepare is a hint before the resolver reads `commit`'s tree (and, with
   * `history`, its ancestors). Sources that fetch objects lazily (smart
   * HTTP) fetch them here; others need not implement it.
   */
  prepare?(commit: string, options: { history: boolean }): Promise<void>;
}

/** Refs is a snapshot of a repository's refs. */
export interface Refs {
  /** head is the full ref name HEAD points to (e.g. "refs/heads/main"), if any. */
  head?: string;
  /** byName maps full ref names ("refs/tags/v1.0.0", "refs/heads/main") to refs. */
  byName: Map<string, Ref>;
}

export interface Ref {
  /** oid is the object the ref points at: a commit, or an annotated tag. */
  oid: string;
  /**
   * peeled is the commit an annotated tag points to, when the source knows it
   * without reading the tag object (packed-refs `^` lines, ls-refs `peeled`).
   */
  peeled?: string;
}
