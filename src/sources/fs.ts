/**
 * FsGitSource serves git repositories from the local file system.
 *
 * Layout. A repository at `<root>/<path>.git` or `<root>/<path>` (a bare
 * repository, a work tree with `.git`, or a symlink to either, including to
 * the `.git` directory of a clone) serves module `<path>` and the modules
 * below it (subdirectory modules, `/vN`). `mappings` add repositories for
 * module path prefixes anywhere on disk (vanity paths). The longest prefix
 * wins, whole path elements only; on a tie a mapping wins, and `<path>.git`
 * wins over `<path>`.
 *
 * Probes are cheap. The go command asks for every prefix of an import path,
 * so `open` walks the path from its first element and stops at the first
 * directory that does not exist: a path outside every repository costs a
 * couple of lstats, nothing is listed, and a git directory is never entered
 * (a work tree is, for nested repositories). Nothing is read at start-up.
 * Element names are checked first (no empty, `.`-leading, `\` or NUL
 * elements), so a path can never leave `root`.
 *
 * Reading git. Objects come from our own reader in `fs-git/`: binary search
 * in the pack `.idx`, a read at the offset through a small cache of pack
 * windows, node:zlib `inflateSync`, delta chains with a shared cache of
 * bases. isomorphic-git is not used here: its `readObject` loads and indexes
 * a whole packfile first. Measured with bench/fs-source.mjs on a generated
 * repository (368k objects, 499 MiB pack, 575 tags), reading the 1,603 blobs
 * (18.5 MB) of one tag took isomorphic-git 7.5 s of CPU and 1.1 GiB of RSS,
 * `git cat-file --batch` 0.17 s, and this reader 0.26 s in a warm process
 * (0.9 s in a new one) with a peak RSS of 120 MiB. `DecompressionStream`
 * instead of node:zlib cost 2.5–4× the CPU. Full table: bench/README-fs.md.
 *
 * Caching. Opened repositories are kept, keyed by the real path of their
 * git directory (`Repository.key`). Refs are cached and revalidated by
 * directory mtimes (`fs-git/refs.ts`), pack lists by `objects/pack`'s
 * mtime, so a pushed tag or a `git gc` is seen without a restart.
 *
 * Errors follow `RepoSource`: no repository for a path, an unknown version
 * or an object id nobody has is `NotFoundError` (404); a candidate that
 * means to be a repository but cannot be read (a broken symlink, a `.git`
 * entry that is a file, a missing objects directory, a corrupt pack) is
 * `RepositoryError` (500), and only that repository is affected.
 */

import { GoProxyError, NotFoundError, RepositoryError } from "../errors.ts";
import type { GitObject } from "../git/object.ts";
import { BaseCache, DEFAULT_BASE_CACHE_BYTES } from "./fs-git/base-cache.ts";
import type { FileSystem } from "./fs-git/file-system.ts";
import { findGitDir, type GitDir, pathKind } from "./fs-git/git-dir.ts";
import { DEFAULT_OPEN_PACKS, HandlePool } from "./fs-git/handle-pool.ts";
import { nodeFileSystem } from "./fs-git/node-fs.ts";
import { ObjectStore } from "./fs-git/object-store.ts";
import { DEFAULT_INDEX_CACHE_BYTES, IndexBudget } from "./fs-git/pack-index.ts";
import { DEFAULT_WINDOW_CACHE_BYTES, PackWindows } from "./fs-git/pack-windows.ts";
import { RefStore } from "./fs-git/refs.ts";
import type { Refs, RepoSource, Repository, SourceContext } from "./source.ts";

export type { FileSystem } from "./fs-git/file-system.ts";
export { createNodeFileSystem, nodeFileSystem } from "./fs-git/node-fs.ts";

export interface FsGitSourceOptions {
  /** root is the directory laid out by module path. Default: none, only `mappings` serve. */
  root?: string;
  /**
   * mappings maps module path prefixes to repository directories (bare, work
   * tree or `.git`), for vanity paths: `{ "go.example.org/tool": "/srv/git/tool.git" }`.
   * Default: none.
   */
  mappings?: Record<string, string>;
  /** fs reads the disk. Default: `nodeFileSystem` (node:fs/promises, also in Deno and Bun). */
  fs?: FileSystem;
  /** urlFor gives a repository's public URL for `.info` Origin. Default: none, so no local path is exposed. */
  urlFor?: (root: string) => string | undefined;
  /** deltaBaseCacheBytes bounds the delta bases kept for all repositories. Default 32 MiB. */
  deltaBaseCacheBytes?: number;
  /** packWindowBytes bounds the cached 256 KiB windows of packfiles, for all repositories. Default 8 MiB. */
  packWindowBytes?: number;
  /**
   * packIndexBytes bounds the pack indexes kept loaded (28 bytes an object,
   * plus 4 for the reverse index), for all repositories; the least recently
   * used are read again when needed. Default 256 MiB.
   */
  packIndexBytes?: number;
  /** maxOpenPacks bounds the packfiles kept open while idle, for all repositories. Default 64. */
  maxOpenPacks?: number;
}

interface Candidate {
  root: string;
  found?: GitDir;
  error?: RepositoryError;
}

interface Stores {
  objects: ObjectStore;
  refs: RefStore;
  /** repositories keeps one object per module root, so caches keyed by Repository last across requests. */
  repositories: Map<string, FsRepository>;
}

/** FsGitSource implements `RepoSource` over git directories on disk. */
export class FsGitSource implements RepoSource {
  readonly #root?: string;
  readonly #mappings: [string, string][];
  readonly #fs: FileSystem;
  readonly #urlFor?: (root: string) => string | undefined;
  readonly #cache: BaseCache;
  readonly #pool: HandlePool;
  readonly #windows: PackWindows;
  readonly #indexes: IndexBudget;
  readonly #stores = new Map<string, Stores>();

  constructor(options: FsGitSourceOptions = {}) {
    this.#root = options.root?.replace(/\/+$/, "") || options.root;
    this.#mappings = Object.entries(options.mappings ?? {})
      .map(([prefix, dir]): [string, string] => [prefix.replace(/\/+$/, ""), dir])
      .sort((a, b) => b[0].length - a[0].length);
    this.#fs = options.fs ?? nodeFileSystem;
    this.#urlFor = options.urlFor;
    this.#cache = new BaseCache(options.deltaBaseCacheBytes ?? DEFAULT_BASE_CACHE_BYTES);
    this.#pool = new HandlePool(this.#fs, options.maxOpenPacks ?? DEFAULT_OPEN_PACKS);
    this.#windows = new PackWindows(this.#pool, options.packWindowBytes ?? DEFAULT_WINDOW_CACHE_BYTES);
    this.#indexes = new IndexBudget(options.packIndexBytes ?? DEFAULT_INDEX_CACHE_BYTES);
  }

  async open(modulePath: string, context?: SourceContext): Promise<Repository> {
    context?.signal?.throwIfAborted();
    if (!isSafePath(modulePath)) throw new NotFoundError(`no repository for ${modulePath}`);
    let best = await this.#mapped(modulePath);
    if (this.#root !== undefined && best?.root !== modulePath) {
      const walked = await this.#walk(modulePath, best?.root.length ?? -1);
      if (walked) best = walked;
    }
    if (!best) throw new NotFoundError(`no repository for ${modulePath}`);
    if (best.error) throw best.error;
    return this.#repository(best.root, best.found!);
  }

  /**
   * close closes the packfiles the source holds open. The source stays
   * usable: a later read opens them again. A server never needs it; tests
   * and scripts call it so no file handle is left to the garbage collector.
   */
  async close(): Promise<void> {
    await this.#pool.closeAll();
  }

  async #mapped(modulePath: string): Promise<Candidate | undefined> {
    for (const [prefix, dir] of this.#mappings) {
      if (modulePath !== prefix && !modulePath.startsWith(prefix + "/")) continue;
      const found = await guard(() => findGitDir(this.#fs, dir));
      if (found instanceof RepositoryError) return { root: prefix, error: found };
      if (!found) return { root: prefix, error: new RepositoryError(`mapping ${prefix}: ${dir}: not a git repository`) };
      return { root: prefix, found };
    }
    return undefined;
  }

  /** #walk finds the longest repository prefix of modulePath under root that is longer than `longerThan` characters. */
  async #walk(modulePath: string, longerThan: number): Promise<Candidate | undefined> {
    const elems = modulePath.split("/");
    let best: Candidate | undefined;
    for (let i = 1; i <= elems.length; i++) {
      const prefix = elems.slice(0, i).join("/");
      const dir = `${this.#root}/${prefix}`;
      const [suffixed, plain] = await Promise.all([
        guard(() => pathKind(this.#fs, `${dir}.git`)),
        guard(() => pathKind(this.#fs, dir)),
      ]);
      let candidate: Candidate | undefined;
      if (suffixed instanceof RepositoryError) candidate = { root: prefix, error: suffixed };
      else if (suffixed === "directory") candidate = await this.#candidate(prefix, `${dir}.git`, true);
      else if (suffixed !== "missing") candidate = { root: prefix, error: notRepository(`${dir}.git`, suffixed) };

      let descend = false;
      if (plain instanceof RepositoryError || plain === "broken") {
        candidate ??= { root: prefix, error: plain instanceof RepositoryError ? plain : notRepository(dir, plain) };
      } else if (plain === "directory") {
        const found = await this.#candidate(prefix, dir, false);
        candidate ??= found;
        descend = !found?.found?.bare;
      }
      if (candidate && prefix.length > longerThan) best = candidate;
      if (!descend) break;
    }
    return best;
  }

  /** #candidate looks at one directory; `strict` says a non-repository there is an error, not a plain directory. */
  async #candidate(root: string, dir: string, strict: boolean): Promise<Candidate | undefined> {
    const found = await guard(() => findGitDir(this.#fs, dir));
    if (found instanceof RepositoryError) return { root, error: found };
    if (found) return { root, found };
    return strict ? { root, error: notRepository(dir, "directory") } : undefined;
  }

  async #repository(root: string, dirs: GitDir): Promise<Repository> {
    let key: string;
    try {
      key = await this.#fs.realpath(dirs.gitDir);
    } catch (err) {
      throw new RepositoryError(`${dirs.gitDir}: ${(err as Error).message}`, { cause: err });
    }
    let stores = this.#stores.get(key);
    if (!stores) {
      stores = {
        objects: new ObjectStore(`${dirs.commonDir}/objects`, {
          fs: this.#fs,
          pool: this.#pool,
          windows: this.#windows,
          cache: this.#cache,
          indexes: this.#indexes,
        }),
        refs: new RefStore(this.#fs, dirs.gitDir, dirs.commonDir),
        repositories: new Map(),
      };
      this.#stores.set(key, stores);
    }
    let repository = stores.repositories.get(root);
    if (!repository) {
      repository = new FsRepository(root, key, this.#urlFor?.(root), stores);
      stores.repositories.set(root, repository);
    }
    return repository;
  }
}

/** FsRepository is one repository of an `FsGitSource`; repositories share their stores by key. */
class FsRepository implements Repository {
  constructor(
    readonly root: string,
    readonly key: string,
    readonly url: string | undefined,
    private readonly stores: Stores,
  ) {}

  refs(): Promise<Refs> {
    return this.stores.refs.read();
  }

  readObject(oid: string): Promise<GitObject> {
    return this.stores.objects.read(oid);
  }

  hasObject(oid: string): Promise<boolean> {
    return this.stores.objects.has(oid);
  }
}

/**
 * isSafePath reports whether every element of a module path can be used as
 * a file name under root: no empty, `.`-leading (x/mod's checkElem rejects
 * those in module paths too), `\`, `:` or NUL elements.
 */
function isSafePath(modulePath: string): boolean {
  return modulePath.split("/").every((e) => e !== "" && !e.startsWith(".") && !/[\\:\0]/.test(e));
}

function notRepository(path: string, kind: string): RepositoryError {
  return new RepositoryError(`${path}: not a git repository (${kind})`);
}

/** guard runs f and returns a RepositoryError (wrapping any non-proxy error) instead of throwing it. */
async function guard<T>(f: () => Promise<T>): Promise<T | RepositoryError> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof RepositoryError) return err;
    if (err instanceof GoProxyError) throw err;
    return new RepositoryError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}
