/**
 * GitView: what cmd/go's `codehost` git layer answers, computed from raw
 * objects and one refs snapshot.
 *
 * Mirrors cmd/go/internal/modfetch/codehost/git.go:
 * - Refs are HEAD, refs/heads/* and refs/tags/*, annotated tags peeled to
 *   their commit (`loadRefs`, as `git ls-remote` shows them).
 * - `stat(rev)` resolves, in order: tag `rev`, branch `rev`, `HEAD`, then a
 *   hex string of 7–40 digits as a hash prefix. A prefix is first matched
 *   against ref tips (two different tips → "ambiguous revision"), then
 *   against every commit reachable from heads and tags, never an unreachable
 *   commit (cmd/go fetches only heads and tags, so pull-request refs cannot
 *   masquerade as versions).
 * - The tags of a commit are every tag that points at it (`git log %D`).
 * - `recentTag` is `git for-each-ref refs/tags --merged rev`: the highest
 *   allowed tag whose commit is an ancestor of rev, or rev itself.
 * - `readFile` is `git cat-file blob rev:path`: raw blob bytes, no
 *   gitattributes conversion (a symlink yields its target text).
 * - Time is the committer time; Short is the first 12 hex digits.
 */

import { NotFoundError, RepositoryError } from "../errors.ts";
import {
  type Commit,
  MODE_TREE,
  parseCommit,
  parseTag,
  parseTree,
  type TreeEntry,
} from "../git/object.ts";
import { compare } from "../module/version.ts";
import type { Refs, Repository } from "../sources/source.ts";

/** RevInfo is codehost.RevInfo: one resolved revision. */
export interface RevInfo {
  /** name is the full commit hash. */
  name: string;
  /** short is the first 12 hex digits of name. */
  short: string;
  /** time is the committer time in seconds since the epoch. */
  time: number;
  /** version is the tag name when rev was a tag on this commit, else the hash. */
  version: string;
  /** tags on this commit (without refs/tags/), sorted. */
  tags: string[];
  /** ref is the full ref name the revision was found by, if any. */
  ref?: string;
}

/** UnknownRevisionError is codehost.UnknownRevisionError. */
export class UnknownRevisionError extends NotFoundError {
  constructor(readonly rev: string, message = `unknown revision ${rev}`) {
    super(message);
  }
}

const MIN_HASH_DIGITS = 7;

function isHex(s: string): boolean {
  return /^[0-9a-f]+$/.test(s);
}

/** GitView answers codehost questions for one repository and one refs snapshot. */
export class GitView {
  /** refs maps "HEAD", "refs/heads/x", "refs/tags/x" to commit hashes. */
  readonly refs = new Map<string, string>();
  #commits = new Map<string, Commit>();
  #trees = new Map<string, TreeEntry[]>();
  #tagsByCommit?: Map<string, string[]>;
  #reachable?: Set<string>;
  #ancestors = new Map<string, Set<string>>();

  private constructor(readonly repo: Repository) {}

  /** open reads the refs once and peels annotated tags. */
  static async open(repo: Repository): Promise<GitView> {
    const view = new GitView(repo);
    await view.#load(await repo.refs());
    return view;
  }

  async #load(refs: Refs): Promise<void> {
    for (const [name, ref] of refs.byName) {
      if (!name.startsWith("refs/heads/") && !name.startsWith("refs/tags/")) continue;
      const commit = ref.peeled ?? await this.#peel(ref.oid);
      if (commit) this.refs.set(name, commit);
    }
    if (refs.head) {
      const head = /^[0-9a-f]{40}$/.test(refs.head) ? refs.head : this.refs.get(refs.head);
      if (head) this.refs.set("HEAD", head);
    }
  }

  /**
   * peel follows annotated tags to a commit; tags of trees or blobs give
   * undefined. Results are remembered across requests (`peeledCache`): a
   * repository has hundreds of lightweight tags, which packed-refs does not
   * peel, and reading each one's object on every request cost ~5 ms of a
   * 7 ms `list` on the benchmark repository.
   */
  async #peel(ref: string): Promise<string | undefined> {
    const known = peeledCache.get(ref);
    if (known !== undefined) return known === NOT_A_COMMIT ? undefined : known;
    let oid = ref;
    let peeled: string | undefined;
    for (let depth = 0; depth < 10; depth++) {
      const obj = await this.#read(oid);
      if (obj.type === "commit") {
        peeled = oid;
        break;
      }
      if (obj.type !== "tag") break;
      oid = parseTag(obj.data).object;
    }
    if (peeledCache.size >= MAX_PEELED) peeledCache.clear();
    peeledCache.set(ref, peeled ?? NOT_A_COMMIT);
    return peeled;
  }

  async #read(oid: string) {
    try {
      return await this.repo.readObject(oid);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new RepositoryError(`repository ${this.repo.key}: missing object ${oid}`, { cause: err });
      }
      throw err;
    }
  }

  /** commit reads and parses a commit; a missing commit is corruption. */
  async commit(oid: string): Promise<Commit> {
    let c = this.#commits.get(oid);
    if (!c) {
      const obj = await this.#read(oid);
      if (obj.type !== "commit") throw new RepositoryError(`object ${oid} is a ${obj.type}, not a commit`);
      c = parseCommit(obj.data);
      this.#commits.set(oid, c);
    }
    return c;
  }

  /** tree reads and parses a tree object. */
  async tree(oid: string): Promise<TreeEntry[]> {
    let t = this.#trees.get(oid);
    if (!t) {
      const obj = await this.#read(oid);
      if (obj.type !== "tree") throw new RepositoryError(`object ${oid} is a ${obj.type}, not a tree`);
      t = parseTree(obj.data);
      this.#trees.set(oid, t);
    }
    return t;
  }

  /**
   * checkObjects throws RepositoryError, as a read would, for the first of
   * oids the repository does not hold, where the source can tell without
   * reading them (`Repository.hasObject`); otherwise it checks nothing.
   */
  async checkObjects(oids: readonly string[]): Promise<void> {
    if (!this.repo.hasObject) return;
    for (const oid of oids) {
      if (!(await this.repo.hasObject(oid))) {
        throw new RepositoryError(`repository ${this.repo.key}: missing object ${oid}`);
      }
    }
  }

  /** blob reads a blob's raw bytes. */
  async blob(oid: string): Promise<Uint8Array> {
    const obj = await this.#read(oid);
    if (obj.type !== "blob") throw new RepositoryError(`object ${oid} is a ${obj.type}, not a blob`);
    return obj.data;
  }

  /** entry finds the tree entry at path ("a/b/go.mod") in commit's tree, or undefined. */
  async entry(commit: string, path: string): Promise<TreeEntry | undefined> {
    let tree = (await this.commit(commit)).tree;
    const parts = path.split("/").filter((p) => p !== "");
    for (let i = 0; i < parts.length; i++) {
      const e = (await this.tree(tree)).find((x) => x.name === parts[i]);
      if (!e) return undefined;
      if (i === parts.length - 1) return e;
      if (e.mode !== MODE_TREE) return undefined;
      tree = e.oid;
    }
    return undefined;
  }

  /** readFile is `git cat-file blob rev:path`: raw bytes, or undefined when absent or not a blob. */
  async readFile(commit: string, path: string): Promise<Uint8Array | undefined> {
    const e = await this.entry(commit, path);
    if (!e || e.mode === MODE_TREE || e.mode === "160000") return undefined;
    return this.blob(e.oid);
  }

  /** tags lists tag names (without refs/tags/) starting with prefix, sorted by name. */
  tags(prefix: string): { name: string; commit: string }[] {
    const out: { name: string; commit: string }[] = [];
    for (const [ref, commit] of this.refs) {
      if (ref.startsWith("refs/tags/") && ref.startsWith(prefix, 10)) out.push({ name: ref.slice(10), commit });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** tagsOn lists the tags that point at commit, sorted. */
  tagsOn(commit: string): string[] {
    if (!this.#tagsByCommit) {
      this.#tagsByCommit = new Map();
      for (const t of this.tags("")) {
        const list = this.#tagsByCommit.get(t.commit) ?? [];
        list.push(t.name);
        this.#tagsByCommit.set(t.commit, list);
      }
    }
    return [...(this.#tagsByCommit.get(commit) ?? [])].sort();
  }

  /** stat resolves a revision as codehost's gitRepo.stat does; throws UnknownRevisionError. */
  async stat(rev: string): Promise<RevInfo> {
    let ref: string | undefined;
    let hash: string | undefined;
    let version = rev;
    if (this.refs.has(`refs/tags/${rev}`)) {
      ref = `refs/tags/${rev}`;
      hash = this.refs.get(ref);
    } else if (this.refs.has(`refs/heads/${rev}`)) {
      ref = `refs/heads/${rev}`;
      hash = this.refs.get(ref);
      version = hash!;
    } else if (rev === "HEAD" && this.refs.has("HEAD")) {
      ref = "HEAD";
      hash = this.refs.get(ref);
      version = hash!;
    } else if (rev.length >= MIN_HASH_DIGITS && rev.length <= 40 && isHex(rev)) {
      for (const [k, h] of this.refs) {
        if (!h.startsWith(rev)) continue;
        if (hash !== undefined && hash !== h) throw new UnknownRevisionError(rev, `ambiguous revision ${rev}`);
        if (ref === undefined || ref > k) ref = k;
        hash = h;
      }
      if (hash === undefined) hash = await this.#findReachable(rev);
      version = rev;
    } else {
      throw new UnknownRevisionError(rev);
    }
    if (hash === undefined) throw new UnknownRevisionError(rev);
    if (prefixOf(rev, hash)) version = hash;
    const c = await this.commit(hash);
    const tags = this.tagsOn(hash);
    return {
      name: hash,
      short: hash.slice(0, 12),
      time: c.committer.time,
      version: tags.includes(version) ? version : hash,
      tags,
      ref: ref === hash ? undefined : ref,
    };
  }

  /** #findReachable expands a hash prefix among commits reachable from heads and tags. */
  async #findReachable(prefix: string): Promise<string | undefined> {
    const all = await this.reachable();
    let found: string | undefined;
    for (const oid of all) {
      if (!oid.startsWith(prefix)) continue;
      if (found !== undefined) throw new UnknownRevisionError(prefix, `ambiguous revision ${prefix}`);
      found = oid;
    }
    return found;
  }

  /** reachable returns every commit reachable from HEAD, heads and tags. */
  async reachable(): Promise<Set<string>> {
    if (!this.#reachable) {
      const tips = [...this.refs.values()];
      await Promise.all(tips.map((t) => this.repo.prepare?.(t, { history: true })));
      this.#reachable = await this.#walk(tips);
    }
    return this.#reachable;
  }

  /** ancestors returns commit and all its ancestors. */
  async ancestors(commit: string): Promise<Set<string>> {
    let set = this.#ancestors.get(commit) ?? cachedAncestors(this.repo, commit);
    if (!set) {
      await this.repo.prepare?.(commit, { history: true });
      set = await this.#walk([commit]);
      rememberAncestors(this.repo, commit, set);
    }
    this.#ancestors.set(commit, set);
    return set;
  }

  async #walk(tips: string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    const stack = [...tips];
    while (stack.length > 0) {
      const oid = stack.pop()!;
      if (seen.has(oid)) continue;
      seen.add(oid);
      for (const p of (await this.commit(oid)).parents) if (!seen.has(p)) stack.push(p);
    }
    return seen;
  }

  /**
   * recentTag is codehost's RecentTag: among tags with prefix whose commit is
   * an ancestor of rev (or rev), the allowed one with the highest version.
   */
  async recentTag(rev: string, prefix: string, allowed: (tag: string) => boolean): Promise<string> {
    const candidates = this.tags(prefix).filter((t) => allowed(t.name));
    if (candidates.length === 0) return ""; // no tag could qualify: skip the history walk
    const ancestors = await this.ancestors(rev);
    let highest = "";
    for (const t of candidates) {
      if (!ancestors.has(t.commit)) continue;
      const semtag = t.name.slice(prefix.length);
      if (compare(semtag, highest) > 0) highest = semtag;
    }
    return highest === "" ? "" : prefix + highest;
  }

  /** descendsFrom reports whether tag's commit is rev or an ancestor of it (`merge-base --is-ancestor`). */
  async descendsFrom(rev: string, tag: string): Promise<boolean> {
    const commit = this.refs.get(`refs/tags/${tag}`);
    if (!commit) return false;
    return (await this.ancestors(rev)).has(commit);
  }
}

function prefixOf(rev: string, hash: string): boolean {
  return hash.startsWith(rev);
}

/**
 * peeledCache maps an object id to the commit it peels to (itself for a
 * commit), or NOT_A_COMMIT. Object ids name content, and peeling depends on
 * nothing else, so one map serves every repository; only completed peels
 * are kept (a missing object throws, and is asked again next time).
 */
const peeledCache = new Map<string, string>();
const NOT_A_COMMIT = "";
/** MAX_PEELED bounds peeledCache (~200 bytes an entry); it starts over when full. */
const MAX_PEELED = 50_000;

/**
 * History never changes under a commit id, so ancestor sets are kept across
 * requests, per repository object, for the few commits asked about last.
 */
const ANCESTOR_SETS_PER_REPOSITORY = 8;
const ancestorCache = new WeakMap<Repository, Map<string, Set<string>>>();

function cachedAncestors(repo: Repository, commit: string): Set<string> | undefined {
  const sets = ancestorCache.get(repo);
  const set = sets?.get(commit);
  if (sets && set) {
    sets.delete(commit); // most recently used goes last
    sets.set(commit, set);
  }
  return set;
}

function rememberAncestors(repo: Repository, commit: string, set: Set<string>): void {
  let sets = ancestorCache.get(repo);
  if (!sets) ancestorCache.set(repo, sets = new Map());
  sets.set(commit, set);
  if (sets.size > ANCESTOR_SETS_PER_REPOSITORY) sets.delete(sets.keys().next().value!);
}
