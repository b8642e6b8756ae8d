/**
 * MemorySource: git repositories held in memory, built from plain data.
 *
 * For tests, demos and users who unit-test Go tooling. Each repository is
 * described as a list of commits (file changes, dates, parents), tags and
 * branches; MemorySource writes real git objects for them, with real object
 * ids (SHA-1 of the canonical encoding, as git computes it), so a fixture
 * held here and the same fixture written with `git fast-import` have the same
 * commit hashes, pseudo-versions and Origin hashes.
 *
 * Defaults keep fixtures short: a commit's parent is the previous commit in
 * the list; files are changes against that parent (`null` deletes); the
 * branch `main` points at the last commit and is HEAD; author and committer
 * are `gomodproxy <gomodproxy@example.com>`.
 */

import { NotFoundError } from "../errors.ts";
import {
  encodeCommit,
  encodeTag,
  encodeTree,
  type GitObject,
  hashObject,
  MODE_EXECUTABLE,
  MODE_FILE,
  MODE_GITLINK,
  MODE_SYMLINK,
  MODE_TREE,
  type ObjectType,
  type Signature,
} from "../git/object.ts";
import type { Ref, Refs, RepoSource, Repository } from "./source.ts";

/** MemoryFile describes one file when a plain string is not enough. */
export interface MemoryFile {
  /** content of a regular file: text is written as UTF-8. */
  content?: string | Uint8Array;
  /** executable marks the file 100755. */
  executable?: boolean;
  /** symlink makes the entry a symbolic link to this target. */
  symlink?: string;
  /** gitlink makes the entry a submodule at this commit id. */
  gitlink?: string;
}

export interface MemoryCommit {
  /** id names the commit inside the spec, for parents, tags and branches. */
  id: string;
  /** parents by id; default: the previous commit in the list (none for the first). */
  parents?: string[];
  /** date is the committer (and default author) date, RFC 3339 with offset, e.g. "2024-01-02T03:04:05Z". */
  date: string;
  authorDate?: string;
  message?: string;
  /** files changed against the first parent: path → content; `null` deletes. */
  files?: Record<string, string | Uint8Array | MemoryFile | null>;
}

export interface MemoryTag {
  /** commit id (from the spec) the tag points at. */
  commit: string;
  /** message makes it an annotated tag. */
  message?: string;
  /** date of an annotated tag; default: the commit's date. */
  date?: string;
}

export interface MemoryRepo {
  /** root is the module path of the repository's top directory. */
  root: string;
  /** url is the public URL reported in `.info` Origin. */
  url?: string;
  commits: MemoryCommit[];
  /** tags: name → commit id, or an annotated tag. */
  tags?: Record<string, string | MemoryTag>;
  /** branches: name → commit id; default `{ main: <last commit> }`. */
  branches?: Record<string, string>;
  /** head is the default branch; default: "main" if it exists, else the first branch. */
  head?: string;
}

/** DEFAULT_IDENTITY is the author and committer of MemorySource commits. */
export const DEFAULT_IDENTITY = { name: "gomodproxy", email: "gomodproxy@example.com" };

/**
 * MemorySource serves repositories built from `MemoryRepo` descriptions.
 *
 * ```ts
 * const source = new MemorySource([{
 *   root: "example.com/hello",
 *   commits: [{ id: "c1", date: "2024-01-01T00:00:00Z", files: { "go.mod": "module example.com/hello\n" } }],
 *   tags: { "v1.0.0": "c1" },
 * }]);
 * ```
 * Building is lazy: the first `open` computes the objects.
 */
export class MemorySource implements RepoSource {
  #specs: MemoryRepo[];
  #built?: Promise<Map<string, MemoryRepository>>;

  constructor(repos: MemoryRepo[]) {
    this.#specs = repos;
  }

  async open(modulePath: string): Promise<Repository> {
    this.#built ??= buildAll(this.#specs);
    const repos = await this.#built;
    for (let p = modulePath; p !== ""; p = p.slice(0, Math.max(0, p.lastIndexOf("/")))) {
      const repo = repos.get(p);
      if (repo) return repo;
    }
    throw new NotFoundError(`no repository for ${modulePath}`);
  }

  /** repositories returns every repository, built; for tests and demos. */
  async repositories(): Promise<MemoryRepository[]> {
    this.#built ??= buildAll(this.#specs);
    return [...(await this.#built).values()];
  }
}

/** MemoryRepository is one built repository: its objects and refs. */
export class MemoryRepository implements Repository {
  readonly key: string;
  constructor(
    readonly root: string,
    readonly url: string | undefined,
    readonly objects: Map<string, GitObject>,
    readonly refMap: Map<string, Ref>,
    readonly head: string | undefined,
    /** commitIds maps the spec's commit ids to object ids. */
    readonly commitIds: Map<string, string>,
  ) {
    this.key = `memory:${root}`;
  }

  refs(): Promise<Refs> {
    return Promise.resolve({ head: this.head, byName: new Map(this.refMap) });
  }

  readObject(oid: string): Promise<GitObject> {
    const obj = this.objects.get(oid);
    if (!obj) return Promise.reject(new NotFoundError(`object ${oid} not found`));
    return Promise.resolve(obj);
  }

  hasObject(oid: string): Promise<boolean> {
    return Promise.resolve(this.objects.has(oid));
  }
}

async function buildAll(specs: MemoryRepo[]): Promise<Map<string, MemoryRepository>> {
  const out = new Map<string, MemoryRepository>();
  for (const spec of specs) out.set(spec.root, await buildRepo(spec));
  return out;
}

interface FileEntry {
  mode: string;
  oid: string;
}

/** buildRepo writes a MemoryRepo's objects; exported for tests that need object ids. */
export async function buildRepo(spec: MemoryRepo): Promise<MemoryRepository> {
  const objects = new Map<string, GitObject>();
  const put = async (type: ObjectType, data: Uint8Array) => {
    const oid = await hashObject(type, data);
    objects.set(oid, { type, data });
    return oid;
  };
  const encoder = new TextEncoder();
  const commitIds = new Map<string, string>();
  const snapshots = new Map<string, Map<string, FileEntry>>();
  const dates = new Map<string, string>();

  for (const [i, c] of spec.commits.entries()) {
    if (commitIds.has(c.id)) throw new Error(`duplicate commit id ${c.id}`);
    const parentIds = c.parents ?? (i === 0 ? [] : [spec.commits[i - 1].id]);
    const parents = parentIds.map((p) => {
      const oid = commitIds.get(p);
      if (!oid) throw new Error(`commit ${c.id}: unknown parent ${p}`);
      return oid;
    });
    const files = new Map(parentIds.length > 0 ? snapshots.get(parentIds[0]) : []);
    for (const [path, value] of Object.entries(c.files ?? {})) {
      if (value === null) {
        files.delete(path);
        continue;
      }
      const f: MemoryFile = typeof value === "string" || value instanceof Uint8Array ? { content: value } : value;
      if (f.gitlink) {
        files.set(path, { mode: MODE_GITLINK, oid: f.gitlink });
        continue;
      }
      const raw = f.symlink ?? f.content ?? "";
      const bytes = typeof raw === "string" ? encoder.encode(raw) : raw;
      const mode = f.symlink !== undefined ? MODE_SYMLINK : f.executable ? MODE_EXECUTABLE : MODE_FILE;
      files.set(path, { mode, oid: await put("blob", bytes) });
    }
    snapshots.set(c.id, files);
    const tree = await writeTree(files, put);
    const committer = signature(c.date);
    const author = signature(c.authorDate ?? c.date);
    const message = c.message ?? `${c.id}\n`;
    const oid = await put("commit", encodeCommit({ tree, parents, author, committer, message }));
    commitIds.set(c.id, oid);
    dates.set(c.id, c.date);
  }

  const refMap = new Map<string, Ref>();
  const commitOf = (id: string, what: string) => {
    const oid = commitIds.get(id);
    if (!oid) throw new Error(`${what}: unknown commit ${id}`);
    return oid;
  };
  const last = spec.commits.at(-1)?.id;
  const branches = spec.branches ?? (last ? { main: last } : {});
  for (const [name, id] of Object.entries(branches)) {
    refMap.set(`refs/heads/${name}`, { oid: commitOf(id, `branch ${name}`) });
  }
  for (const [name, t] of Object.entries(spec.tags ?? {})) {
    const tag: MemoryTag = typeof t === "string" ? { commit: t } : t;
    const commit = commitOf(tag.commit, `tag ${name}`);
    if (tag.message === undefined) {
      refMap.set(`refs/tags/${name}`, { oid: commit });
      continue;
    }
    const tagger = signature(tag.date ?? dates.get(tag.commit)!);
    const oid = await put("tag", encodeTag({ object: commit, type: "commit", tag: name, tagger, message: tag.message }));
    refMap.set(`refs/tags/${name}`, { oid, peeled: commit });
  }
  const headName = spec.head ?? ("main" in branches ? "main" : Object.keys(branches)[0]);
  const head = headName === undefined ? undefined : `refs/heads/${headName}`;
  return new MemoryRepository(spec.root, spec.url, objects, refMap, head, commitIds);
}

/** writeTree writes the nested trees for a flat path → entry map and returns the root tree id. */
async function writeTree(
  files: Map<string, FileEntry>,
  put: (type: ObjectType, data: Uint8Array) => Promise<string>,
): Promise<string> {
  interface Dir {
    files: Map<string, FileEntry>;
    dirs: Map<string, Dir>;
  }
  const root: Dir = { files: new Map(), dirs: new Map() };
  for (const [path, entry] of files) {
    const parts = path.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.dirs.get(part);
      if (!next) dir.dirs.set(part, next = { files: new Map(), dirs: new Map() });
      dir = next;
    }
    dir.files.set(parts.at(-1)!, entry);
  }
  const write = async (dir: Dir): Promise<string> => {
    const entries = [...dir.files].map(([name, e]) => ({ name, mode: e.mode, oid: e.oid }));
    for (const [name, sub] of dir.dirs) entries.push({ name, mode: MODE_TREE, oid: await write(sub) });
    return put("tree", encodeTree(entries));
  };
  return write(root);
}

/** signature turns an RFC 3339 date into a git signature with the date's own offset. */
function signature(date: string): Signature {
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new Error(`invalid date ${JSON.stringify(date)}`);
  const m = /([+-])(\d\d):?(\d\d)$/.exec(date);
  const tz = m ? `${m[1]}${m[2]}${m[3]}` : "+0000";
  return { ...DEFAULT_IDENTITY, time: Math.floor(ms / 1000), tz };
}
