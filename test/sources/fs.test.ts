/**
 * FsGitSource against repositories built by the real git CLI from text in
 * this file. Every object read is compared byte for byte with what
 * `git cat-file --batch` prints; packs git cannot be made to write (missing
 * delta bases, delta loops, 64-bit index offsets) are assembled here from
 * their documented layout.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import {
  appendFile,
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { NotFoundError, RepositoryError } from "../../src/errors.ts";
import { parseTag } from "../../src/git/object.ts";
import { createProxy } from "../../src/handler.ts";
import { FsGitSource } from "../../src/sources/fs.ts";
import type { FileSystem } from "../../src/sources/fs-git/file-system.ts";
import { HandlePool } from "../../src/sources/fs-git/handle-pool.ts";
import { nodeFileSystem } from "../../src/sources/fs-git/node-fs.ts";
import { PackIndex } from "../../src/sources/fs-git/pack-index.ts";
import {
  DEFAULT_WINDOW_CACHE_BYTES,
  LARGE_WINDOW_BYTES,
  PackWindows,
  SMALL_WINDOW_BYTES,
} from "../../src/sources/fs-git/pack-windows.ts";
import type { Repository } from "../../src/sources/source.ts";

let tmp: string;
let clock = 0;

function env(): NodeJS.ProcessEnv {
  const date = `${1700000000 + 60 * clock++} +0000`;
  return {
    PATH: process.env.PATH,
    HOME: tmp,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Gopher",
    GIT_AUTHOR_EMAIL: "gopher@example.com",
    GIT_COMMITTER_NAME: "Gopher",
    GIT_COMMITTER_EMAIL: "gopher@example.com",
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    env: env(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 30,
  }).trim();
}

/** commit writes files (relative path → text) into the work tree and commits them. */
async function commit(work: string, files: Record<string, string>, message = "change"): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), text);
  }
  git(work, "add", "-A");
  git(work, "commit", "-q", "--allow-empty", "-m", message);
  return git(work, "rev-parse", "HEAD");
}

/** fastImport writes one commit per entry of `commits` (path → text) on main of a bare repository. */
function fastImport(dir: string, commits: Record<string, string>[]): void {
  let stream = "";
  commits.forEach((files, i) => {
    stream += `commit refs/heads/main\nmark :${i + 1}\ncommitter Gopher <gopher@example.com> ${1700000000 + i} +0000\n`;
    stream += `data 7\nchange\n${i > 0 ? `from :${i}\n` : ""}`;
    for (const [path, text] of Object.entries(files)) {
      stream += `M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
    }
    stream += "\n";
  });
  execFileSync("git", ["fast-import", "--quiet"], { cwd: dir, env: env(), input: stream });
}

/** workRepo makes a non-bare repository with a few commits, a lightweight and an annotated tag. */
async function workRepo(dir: string): Promise<string> {
  git(tmp, "init", "-q", "--initial-branch=main", dir);
  await commit(dir, { "go.mod": "module example.com/m\n", "a.go": "package m\n" }, "first");
  git(dir, "tag", "v1.0.0");
  await commit(dir, { "sub/go.mod": "module example.com/m/sub\n", "sub/b.go": "package sub\n" }, "second");
  git(dir, "tag", "-a", "-m", "release", "v1.1.0");
  git(dir, "tag", "sub/v0.1.0");
  return dir;
}

/** expectObjectsMatchGit reads every object git sees in gitDir (alternates included) and compares bytes. */
async function expectObjectsMatchGit(repo: Repository, gitDir: string): Promise<number> {
  const out = execFileSync("git", ["cat-file", "--batch-all-objects", "--batch"], {
    cwd: gitDir,
    env: env(),
    maxBuffer: 1 << 30,
  });
  let at = 0;
  let n = 0;
  while (at < out.length) {
    const nl = out.indexOf(10, at);
    const [oid, type, size] = out.subarray(at, nl).toString().split(" ");
    const want = out.subarray(nl + 1, nl + 1 + Number(size));
    at = nl + 1 + Number(size) + 1;
    const got = await repo.readObject(oid);
    expect({ oid, type: got.type }).toEqual({ oid, type });
    expect(Buffer.from(got.data).equals(want), `object ${oid} bytes`).toBe(true);
    n++;
  }
  return n;
}

/** gitRefs is what `git for-each-ref` says, in the shape of `Refs.byName` (peeled only where git peels). */
function gitRefs(gitDir: string): Map<string, string> {
  const lines = git(gitDir, "for-each-ref", "--format=%(refname) %(objectname)");
  return new Map(lines.split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]));
}

async function oidsOf(repo: Repository): Promise<Map<string, string>> {
  const refs = await repo.refs();
  return new Map([...refs.byName].map(([name, ref]) => [name, ref.oid]));
}

/** recording wraps a FileSystem and remembers every call as "op path". */
function recording(fs: FileSystem = nodeFileSystem): { fs: FileSystem; calls: string[] } {
  const calls: string[] = [];
  const wrapped = {} as Record<string, unknown>;
  for (const op of Object.keys(fs) as (keyof FileSystem)[]) {
    wrapped[op] = (path: string) => {
      calls.push(`${op} ${path}`);
      return (fs[op] as (p: string) => unknown)(path);
    };
  }
  return { fs: wrapped as unknown as FileSystem, calls };
}

const sources: FsGitSource[] = [];

/** track remembers a source so that afterEach closes its packfiles. */
function track(source: FsGitSource): FsGitSource {
  sources.push(source);
  return source;
}

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
});

beforeAll(async () => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), "fs-source-test-")));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("FsGitSource.open", () => {
  let root: string;
  let elsewhere: string;
  const gitDirs: Record<string, string> = {};

  beforeAll(async () => {
    root = join(tmp, "root");
    elsewhere = join(tmp, "elsewhere");
    const clone = await workRepo(join(elsewhere, "clone"));
    const bare = (dir: string) => git(tmp, "clone", "-q", "--bare", clone, dir);
    bare(join(root, "example.com/bare.git"));
    bare(join(root, "example.com/plain"));
    git(tmp, "clone", "-q", clone, join(root, "example.com/work"));
    await symlink(clone, join(root, "example.com/linked"));
    await symlink(join(clone, ".git"), join(root, "example.com/dotgit"));
    await symlink(join(clone, ".git"), join(root, "example.com/dotgit2.git"));
    await mkdir(join(root, "example.com/nested"), { recursive: true });
    bare(join(root, "example.com/nested/deep.git"));
    bare(join(root, "example.com/outer.git"));
    bare(join(root, "example.com/outer/inner.git"));
    bare(join(elsewhere, "vanity.git"));
    bare(join(elsewhere, "special.git"));
    await mkdir(join(root, "example.com/gitfile"), { recursive: true });
    await writeFile(join(root, "example.com/gitfile/.git"), "gitdir: ../../../elsewhere/clone/.git\n");
    git(clone, "worktree", "add", "-q", "-b", "wt", join(root, "example.com/wt"));
    bare(join(root, "example.com/both.git"));
    bare(join(root, "example.com/both"));
    for (const [name, dir] of Object.entries({
      bare: "example.com/bare.git",
      plain: "example.com/plain",
      work: "example.com/work/.git",
      deep: "example.com/nested/deep.git",
      outer: "example.com/outer.git",
      inner: "example.com/outer/inner.git",
      both: "example.com/both.git",
    })) gitDirs[name] = join(root, dir);
    gitDirs.clone = join(clone, ".git");
    gitDirs.wt = join(clone, ".git/worktrees/wt");
    gitDirs.vanity = join(elsewhere, "vanity.git");
    gitDirs.special = join(elsewhere, "special.git");
  });

  const found: [path: string, root: string, gitDir: string][] = [
    ["example.com/bare", "example.com/bare", "bare"],
    ["example.com/bare/sub", "example.com/bare", "bare"],
    ["example.com/bare/v2", "example.com/bare", "bare"],
    ["example.com/bare/sub/v3", "example.com/bare", "bare"],
    ["example.com/plain", "example.com/plain", "plain"],
    ["example.com/work", "example.com/work", "work"],
    ["example.com/work/sub", "example.com/work", "work"],
    ["example.com/linked/sub", "example.com/linked", "clone"],
    ["example.com/dotgit", "example.com/dotgit", "clone"],
    ["example.com/dotgit2", "example.com/dotgit2", "clone"],
    ["example.com/nested/deep/x", "example.com/nested/deep", "deep"],
    ["example.com/outer/y", "example.com/outer", "outer"],
    ["example.com/outer/inner/z", "example.com/outer/inner", "inner"],
    ["example.com/gitfile/sub", "example.com/gitfile", "clone"],
    ["example.com/wt", "example.com/wt", "wt"],
    ["example.com/both", "example.com/both", "both"],
  ];
  for (const [path, want, gitDir] of found) {
    test(`open(${path}) serves ${want}`, async () => {
      const repo = await track(new FsGitSource({ root })).open(path);
      expect({ root: repo.root, key: repo.key, url: repo.url }).toEqual({
        root: want,
        key: await realpath(gitDirs[gitDir]),
        url: undefined,
      });
    });
  }

  const notFound = [
    "example.com",
    "example.com/none",
    "example.com/none/deeper/still",
    "other.org/x",
    "example.com/nested",
    "example.com/nested/x",
    "example.com/../elsewhere/vanity",
    "example.com/bare/../plain",
    "example.com/.git",
    "example.com//bare",
    "example.com/bare\\x",
  ];
  for (const path of notFound) {
    test(`open(${JSON.stringify(path)}) is NotFoundError`, async () => {
      await expect(track(new FsGitSource({ root })).open(path)).rejects.toBeInstanceOf(NotFoundError);
    });
  }

  test("open() never enters a bare repository's git directory", async () => {
    // objects/ and refs/ of a bare repository are not module directories.
    const repo = await track(new FsGitSource({ root })).open("example.com/plain/refs/heads");
    expect(repo.root).toBe("example.com/plain");
  });

  test("open() with a worktree reads HEAD from the worktree and refs from the common directory", async () => {
    const repo = await track(new FsGitSource({ root })).open("example.com/wt");
    const refs = await repo.refs();
    expect(refs.head).toBe("refs/heads/wt");
    expect(await oidsOf(repo)).toEqual(gitRefs(gitDirs.clone));
  });

  const mapped: [path: string, root: string, gitDir: string][] = [
    ["go.example.org/tool", "go.example.org/tool", "vanity"],
    ["go.example.org/tool/cmd/v2", "go.example.org/tool", "vanity"],
    ["example.com/bare/special/x", "example.com/bare/special", "special"],
    ["example.com/bare", "example.com/bare", "bare"],
    ["example.com/other", "example.com", "vanity"],
  ];
  for (const [path, want, gitDir] of mapped) {
    test(`open(${path}) with mappings serves ${want}`, async () => {
      const source = track(new FsGitSource({
        root,
        mappings: {
          "go.example.org/tool/": join(elsewhere, "vanity.git"),
          "example.com/bare/special": join(elsewhere, "special.git"),
          "example.com": join(elsewhere, "vanity.git"),
        },
        urlFor: (r) => `https://${r}`,
      }));
      const repo = await source.open(path);
      expect({ root: repo.root, key: repo.key, url: repo.url }).toEqual({
        root: want,
        key: await realpath(gitDirs[gitDir]),
        url: `https://${want}`,
      });
    });
  }

  test("open() with mappings only and no root finds nothing else", async () => {
    const source = track(new FsGitSource({ mappings: { "go.example.org/tool": join(elsewhere, "vanity.git") } }));
    await expect(source.open("example.com/bare")).rejects.toBeInstanceOf(NotFoundError);
    expect((await source.open("go.example.org/tool/x")).root).toBe("go.example.org/tool");
  });

  test("a mapping to a directory that is not a repository is RepositoryError", async () => {
    const source = track(new FsGitSource({ mappings: { "go.example.org/gone": join(elsewhere, "gone.git") } }));
    await expect(source.open("go.example.org/gone")).rejects.toBeInstanceOf(RepositoryError);
  });

  test("constructing a source reads nothing", () => {
    const { fs, calls } = recording();
    track(new FsGitSource({ root, fs, mappings: { "go.example.org/tool": join(elsewhere, "vanity.git") } }));
    expect(calls).toEqual([]);
  });

  test("a path outside every repository costs two lstats and lists nothing", async () => {
    const { fs, calls } = recording();
    const source = track(new FsGitSource({ root, fs }));
    await expect(source.open("nothere.org/a/b/c/d")).rejects.toBeInstanceOf(NotFoundError);
    expect(calls.sort()).toEqual([`lstat ${root}/nothere.org`, `lstat ${root}/nothere.org.git`]);
  });

  test("a probe below an existing directory touches only its own candidate paths", async () => {
    const { fs, calls } = recording();
    const source = track(new FsGitSource({ root, fs }));
    await expect(source.open("example.com/none/a/b")).rejects.toBeInstanceOf(NotFoundError);
    expect(calls.filter((c) => c.startsWith("readdir") || c.startsWith("readFile"))).toEqual([]);
    const allowed = ["example.com", "example.com.git", "example.com/.git", "example.com/HEAD", "example.com/none", "example.com/none.git"];
    expect(calls.map((c) => c.slice(c.indexOf(" ") + 1)).filter((p) => !allowed.includes(p.slice(root.length + 1))))
      .toEqual([]);
  });
});

describe("FsGitSource objects", () => {
  let root: string;

  beforeAll(async () => {
    root = join(tmp, "objects");
  });

  async function openAt(dir: string): Promise<Repository> {
    return await track(new FsGitSource({ mappings: { "example.com/m": dir } })).open("example.com/m");
  }

  test("loose objects match git cat-file", async () => {
    const dir = await workRepo(join(root, "loose"));
    expect((await readdir(join(dir, ".git/objects/pack"))).length).toBe(0);
    expect(await expectObjectsMatchGit(await openAt(dir), join(dir, ".git"))).toBeGreaterThanOrEqual(10);
  });

  test("packed objects after git gc match git cat-file, and packed-refs peel annotated tags", async () => {
    const dir = await workRepo(join(root, "gc"));
    git(dir, "gc", "-q");
    expect(existsSync(join(dir, ".git/packed-refs"))).toBe(true);
    const repo = await openAt(dir);
    await expectObjectsMatchGit(repo, join(dir, ".git"));
    const refs = await repo.refs();
    expect(refs.head).toBe("refs/heads/main");
    expect(await oidsOf(repo)).toEqual(gitRefs(dir));
    expect(refs.byName.get("refs/tags/v1.1.0")?.peeled).toBe(git(dir, "rev-parse", "v1.1.0^{commit}"));
    expect(refs.byName.get("refs/tags/v1.0.0")?.peeled).toBeUndefined();
    const tag = await repo.readObject(refs.byName.get("refs/tags/v1.1.0")!.oid);
    expect(tag.type).toBe("tag");
    expect(parseTag(tag.data).object).toBe(git(dir, "rev-parse", "v1.1.0^{commit}"));
  });

  test("long ofs-delta chains (repack --depth=50) match git cat-file", async () => {
    const dir = join(root, "chains");
    git(tmp, "init", "-q", "--bare", dir);
    // A random walk of one-line edits: each version is closest to its neighbours, so deltas chain.
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} of a file that changes one line at a time`);
    let seed = 7;
    const versions: Record<string, string>[] = [];
    for (let i = 0; i < 150; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      lines[seed % lines.length] = `edit ${i}`;
      versions.push({ "walk.txt": lines.join("\n") + "\n" });
    }
    fastImport(dir, versions);
    git(dir, "repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=250");
    const verify = git(dir, "verify-pack", "-v", ...(await packs(dir)).map((p) => p.replace(/\.pack$/, ".idx")));
    expect(Math.max(...[...verify.matchAll(/chain length = (\d+)/g)].map((m) => Number(m[1])))).toBeGreaterThanOrEqual(30);
    await expectObjectsMatchGit(await openAt(dir), dir);
  });

  test("packIndexBytes: past the budget the least recently used index is dropped and read again when needed", async () => {
    const dirs = ["idx-a", "idx-b"].map((name) => join(root, "example.com", name));
    for (const dir of dirs) {
      git(tmp, "init", "-q", "--bare", dir);
      fastImport(dir, [{ "f.txt": `${dir}\n` }]);
      git(dir, "repack", "-q", "-a", "-d");
    }
    const head = (dir: string) => git(dir, "rev-parse", "refs/heads/main");
    const idxReads = async (budget: number | undefined, order: number[]) => {
      const fs = recording();
      const source = track(new FsGitSource({ root, fs: fs.fs, packIndexBytes: budget }));
      for (const i of order) {
        const repo = await source.open(`example.com/idx-${"ab"[i]}`);
        expect((await repo.readObject(head(dirs[i]))).type).toBe("commit");
      }
      return fs.calls.filter((c) => c.startsWith("readFile ") && c.endsWith(".idx")).length;
    };
    expect(await idxReads(undefined, [0, 1, 0, 1])).toBe(2); // both stay loaded
    expect(await idxReads(1, [0, 1, 0, 1])).toBe(4); // room for one: each read loads its index again
    expect(await idxReads(1, [0, 0, 0, 1])).toBe(2); // the one in use stays
  });

  test("PackIndex.nextOffset: every entry ends where git verify-pack says, the last one at the trailer", async () => {
    const dir = join(root, "reverse-index");
    git(tmp, "init", "-q", "--bare", dir);
    fastImport(dir, Array.from({ length: 30 }, (_, i) => ({ "a.txt": `${"a".repeat(500)}\n${i}\n`, [`f${i % 7}.txt`]: `file ${i}\n` })));
    git(dir, "repack", "-q", "-a", "-d", "-f");
    const [pack] = await packs(dir);
    const index = PackIndex.parse(readFileSync(pack.replace(/\.pack$/, ".idx")));
    const rows = git(dir, "verify-pack", "-v", pack.replace(/\.pack$/, ".idx")).split("\n")
      .map((line) => /^[0-9a-f]{40} \w+ +\d+ (\d+) (\d+)/.exec(line))
      .filter((m) => m !== null)
      .map((m) => ({ sizeInPack: Number(m[1]), offset: Number(m[2]) }))
      .sort((a, b) => a.offset - b.offset);
    expect(rows.length).toBe(index.count);
    for (const [i, { offset, sizeInPack }] of rows.entries()) {
      expect(index.nextOffset(offset)).toBe(i + 1 < rows.length ? offset + sizeInPack : undefined);
    }
    expect(index.nextOffset(rows[1].offset - 1)).toBeUndefined(); // no entry starts there
  });

  test("ref-delta packs (repack.useDeltaBaseOffset=false) match git cat-file", async () => {
    const dir = join(root, "refdelta");
    git(tmp, "init", "-q", "--bare", dir);
    fastImport(dir, Array.from({ length: 20 }, (_, i) => ({ "f.txt": `${"z".repeat(300)}\n${i}\n` })));
    git(dir, "-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-a", "-d", "-f");
    expect(git(dir, "verify-pack", "-v", ...(await packs(dir)).map((p) => p.replace(/\.pack$/, ".idx")))).toMatch(/chain length = 1/);
    await expectObjectsMatchGit(await openAt(dir), dir);
  });

  test("several packs and loose objects together match git cat-file", async () => {
    const dir = await workRepo(join(root, "several"));
    git(dir, "repack", "-q");
    await commit(dir, { "c.go": "package m // c\n" });
    git(dir, "repack", "-q");
    await commit(dir, { "d.go": "package m // d\n" });
    expect((await packs(dir)).length).toBe(2);
    await expectObjectsMatchGit(await openAt(dir), join(dir, ".git"));
  });

  test("objects of alternates (git clone --shared) match git cat-file", async () => {
    const origin = await workRepo(join(root, "origin"));
    git(origin, "gc", "-q");
    const shared = join(root, "shared");
    git(tmp, "clone", "-q", "--shared", origin, shared);
    await commit(shared, { "e.go": "package m // e\n" });
    expect(existsSync(join(shared, ".git/objects/info/alternates"))).toBe(true);
    const repo = await openAt(shared);
    expect(await expectObjectsMatchGit(repo, join(shared, ".git"))).toBeGreaterThan(10);
  });

  test("an unknown or malformed object id is NotFoundError", async () => {
    const repo = await openAt(await workRepo(join(root, "unknown")));
    await expect(repo.readObject("0123456789012345678901234567890123456789")).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo.readObject("HEAD")).rejects.toBeInstanceOf(NotFoundError);
  });

  test("a pack added after the first read (push, gc) is found without a new source", async () => {
    const dir = await workRepo(join(root, "grows"));
    git(dir, "gc", "-q");
    const source = track(new FsGitSource({ mappings: { "example.com/m": dir } }));
    const repo = await source.open("example.com/m");
    const old = git(dir, "rev-parse", "v1.0.0");
    await repo.readObject(old);
    const next = await commit(dir, { "new.go": "package m // new\n" });
    git(dir, "repack", "-q", "-d");
    await expect(repo.readObject(next)).resolves.toMatchObject({ type: "commit" });
    git(dir, "gc", "-q", "--prune=now"); // the first pack is deleted
    expect(await expectObjectsMatchGit(repo, join(dir, ".git"))).toBeGreaterThan(10);
  });
});

describe("FsGitSource refs", () => {
  /** age moves the mtimes of HEAD, packed-refs and every refs directory an hour back, out of the racy window. */
  async function age(gitDir: string): Promise<void> {
    const then = new Date(Date.now() - 3600_000);
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await walk(join(dir, e.name));
      await utimes(dir, then, then);
    };
    await walk(join(gitDir, "refs"));
    for (const f of ["HEAD", "packed-refs"]) if (existsSync(join(gitDir, f))) await utimes(join(gitDir, f), then, then);
  }

  test("refs() revalidates with stats only", async () => {
    const dir = await workRepo(join(tmp, "refs-warm"));
    git(dir, "pack-refs", "--all");
    git(dir, "tag", "loose/v0.0.1");
    await age(join(dir, ".git"));
    const { fs, calls } = recording();
    const repo = await track(new FsGitSource({ fs, mappings: { "example.com/m": dir } })).open("example.com/m");
    expect(await oidsOf(repo)).toEqual(gitRefs(dir));
    calls.length = 0;
    expect(await oidsOf(repo)).toEqual(gitRefs(dir));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !c.startsWith("stat "))).toEqual([]);
  });

  // Each change comes after a listing that trusted its stamp (mtimes aged out of the racy window).
  const changes: [name: string, change: (dir: string) => Promise<unknown> | unknown][] = [
    ["a new loose tag", (dir) => git(dir, "tag", "v2.0.0")],
    ["a new tag in an existing nested directory", (dir) => git(dir, "tag", "loose/v0.0.2")],
    ["a new tag in a new nested directory", (dir) => git(dir, "tag", "fresh/v0.0.1")],
    ["a branch moved by commit", (dir) => commit(dir, { "x.go": "package m // x\n" })],
    ["refs packed by pack-refs", (dir) => git(dir, "pack-refs", "--all")],
    ["a packed tag deleted", (dir) => git(dir, "tag", "-d", "v1.0.0")],
    ["a loose tag deleted", (dir) => git(dir, "tag", "-d", "loose/v0.0.1")],
    ["HEAD pointed at another branch", (dir) => git(dir, "checkout", "-q", "-b", "other")],
  ];
  for (const [name, change] of changes) {
    test(`refs() after ${name} matches git for-each-ref`, async () => {
      const dir = await workRepo(join(tmp, `refs-${name.replace(/\W+/g, "-")}`));
      git(dir, "pack-refs", "--all");
      git(dir, "tag", "loose/v0.0.1");
      await age(join(dir, ".git"));
      const repo = await track(new FsGitSource({ mappings: { "example.com/m": dir } })).open("example.com/m");
      expect(await oidsOf(repo)).toEqual(gitRefs(dir));
      await change(dir);
      expect(await oidsOf(repo)).toEqual(gitRefs(dir));
      expect((await repo.refs()).head).toBe(git(dir, "symbolic-ref", "HEAD"));
    });
  }

  test("loose refs override packed ones, symbolic refs resolve and HEAD may be detached", async () => {
    const dir = await workRepo(join(tmp, "refs-override"));
    git(dir, "pack-refs", "--all");
    git(dir, "tag", "-f", "v1.0.0", "HEAD");
    git(dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/heads/main");
    const repo = await track(new FsGitSource({ mappings: { "example.com/m": dir } })).open("example.com/m");
    const refs = await repo.refs();
    expect(refs.byName.get("refs/tags/v1.0.0")).toEqual({ oid: git(dir, "rev-parse", "HEAD") });
    expect(refs.byName.get("refs/remotes/origin/HEAD")).toEqual({ oid: git(dir, "rev-parse", "main") });
    git(dir, "checkout", "-q", "--detach");
    expect((await repo.refs()).head).toBeUndefined();
  });
});

describe("FsGitSource bad input", () => {
  let root: string;
  let healthy: string;

  beforeAll(async () => {
    root = join(tmp, "bad");
    healthy = await workRepo(join(root, "example.com/healthy"));
  });

  /** stillServes checks that other repositories of the same source keep working. */
  async function stillServes(source: FsGitSource): Promise<void> {
    const repo = await source.open("example.com/healthy");
    await expectObjectsMatchGit(repo, join(healthy, ".git"));
  }

  test("corrupt bytes inside a packed blob are RepositoryError naming the object", async () => {
    const dir = await workRepo(join(root, "example.com/corrupt"));
    await commit(dir, { "big.txt": "all work and no play\n".repeat(2000) });
    git(dir, "gc", "-q");
    const blob = git(dir, "rev-parse", "HEAD:big.txt");
    const [pack] = await packs(dir);
    const offset = indexOffset(dir, pack, blob);
    const bytes = await readFile(pack);
    for (let i = offset + 20; i < offset + 60; i++) bytes[i] ^= 0x55;
    await chmod(pack, 0o644);
    await writeFile(pack, bytes);
    const source = track(new FsGitSource({ root }));
    const repo = await source.open("example.com/corrupt");
    const err = await repo.readObject(blob).catch((e) => e);
    expect(err).toBeInstanceOf(RepositoryError);
    expect(err.message).toContain(blob);
    await expect(repo.readObject(git(dir, "rev-parse", "v1.0.0"))).resolves.toMatchObject({ type: "commit" });
    await stillServes(source);
  });

  test("a truncated pack is RepositoryError, also for ids it might have held", async () => {
    const dir = await workRepo(join(root, "example.com/truncated"));
    git(dir, "gc", "-q");
    const [pack] = await packs(dir);
    await chmod(pack, 0o644);
    await truncate(pack, 100);
    const source = track(new FsGitSource({ root }));
    const repo = await source.open("example.com/truncated");
    await expect(repo.readObject(git(dir, "rev-parse", "HEAD"))).rejects.toBeInstanceOf(RepositoryError);
    await expect(repo.readObject("0123456789012345678901234567890123456789")).rejects.toBeInstanceOf(RepositoryError);
    await stillServes(source);
  });

  test("a garbage .idx is RepositoryError", async () => {
    const dir = await workRepo(join(root, "example.com/badidx"));
    git(dir, "gc", "-q");
    const [pack] = await packs(dir);
    const idx = pack.replace(/\.pack$/, ".idx");
    await chmod(idx, 0o644);
    await writeFile(idx, "not an index at all");
    const repo = await track(new FsGitSource({ root })).open("example.com/badidx");
    await expect(repo.readObject(git(dir, "rev-parse", "HEAD"))).rejects.toBeInstanceOf(RepositoryError);
  });

  test("a corrupt loose object is RepositoryError; a deleted one the tree names is NotFoundError", async () => {
    const dir = await workRepo(join(root, "example.com/loosebad"));
    const blob = git(dir, "rev-parse", "HEAD:a.go");
    const tree = git(dir, "rev-parse", "HEAD^{tree}");
    const source = track(new FsGitSource({ root }));
    const repo = await source.open("example.com/loosebad");
    await rm(join(dir, ".git/objects", blob.slice(0, 2), blob.slice(2)));
    // The tree still names it; asked for directly it is "not found", and the
    // resolver that reached it through the tree turns that into a 5xx.
    expect((await repo.readObject(tree)).type).toBe("tree");
    await expect(repo.readObject(blob)).rejects.toBeInstanceOf(NotFoundError);
    const file = join(dir, ".git/objects", tree.slice(0, 2), tree.slice(2));
    await chmod(file, 0o644);
    await writeFile(file, deflateSync(Buffer.from("tree 999\0short")));
    await expect(repo.readObject(tree)).rejects.toBeInstanceOf(RepositoryError);
    await writeFile(file, "not zlib");
    await expect(repo.readObject(tree)).rejects.toBeInstanceOf(RepositoryError);
    await stillServes(source);
  });

  test("open gives the same Repository object for a module root each time, so caches keyed by it outlive a request", async () => {
    const source = track(new FsGitSource({ root }));
    expect(await source.open("example.com/healthy")).toBe(await source.open("example.com/healthy"));
  });

  test("a lightweight tag is peeled once: later listings read no objects", async () => {
    const dir = join(root, "example.com/peeled");
    git(tmp, "init", "-q", "--initial-branch=main", dir);
    await commit(dir, { "go.mod": "module example.com/peeled\n" });
    for (let i = 0; i < 5; i++) git(dir, "tag", `v1.0.${i}`);
    git(dir, "tag", "-a", "-m", "annotated", "v1.1.0");
    git(dir, "pack-refs", "--all");
    const fs = recording();
    const proxy = createProxy({ source: track(new FsGitSource({ root, fs: fs.fs })), queryTTL: 0 });
    const list = async () => (await proxy.handle(new Request("http://proxy.test/example.com/peeled/@v/list"))).text();
    expect(await list()).toBe("v1.0.0\nv1.0.1\nv1.0.2\nv1.0.3\nv1.0.4\nv1.1.0\n");
    fs.calls.length = 0;
    expect(await list()).toBe("v1.0.0\nv1.0.1\nv1.0.2\nv1.0.3\nv1.0.4\nv1.1.0\n");
    expect(fs.calls.filter((c) => /objects\//.test(c) && !/objects\/pack$/.test(c))).toEqual([]); // the first listing read 6 loose objects
  });

  test("through the proxy: a deleted blob answers 500 before the zip starts, and other repositories keep serving", async () => {
    const dir = join(root, "example.com/zipbroken");
    git(tmp, "init", "-q", "--initial-branch=main", dir);
    await commit(dir, { "go.mod": "module example.com/zipbroken\n", "a.go": "package zipbroken\n", "b.go": "package zipbroken // b\n" });
    git(dir, "tag", "v1.0.0");
    const blob = git(dir, "rev-parse", "HEAD:b.go");
    await rm(join(dir, ".git/objects", blob.slice(0, 2), blob.slice(2)));
    const warnings: string[] = [];
    const proxy = createProxy({ source: track(new FsGitSource({ root })), warn: (m) => warnings.push(m) });
    const res = await proxy.handle(new Request("http://proxy.test/example.com/zipbroken/@v/v1.0.0.zip"));
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("internal server error\n");
    expect(warnings).toEqual([`GET /example.com/zipbroken/@v/v1.0.0.zip: repository ${dir}/.git: missing object ${blob}`]);
    expect((await proxy.handle(new Request("http://proxy.test/example.com/zipbroken/@v/v1.0.0.mod"))).status).toBe(200);
    const other = await proxy.handle(new Request("http://proxy.test/example.com/healthy/@v/list"));
    expect(await other.text()).toBe("v1.0.0\nv1.1.0\n");
  });

  test("a dangling ref is listed, its object is NotFoundError; broken refs are skipped", async () => {
    const dir = await workRepo(join(root, "example.com/dangling"));
    const missing = "0123456789abcdef0123456789abcdef01234567";
    await writeFile(join(dir, ".git/refs/tags/v9.9.9"), `${missing}\n`);
    await writeFile(join(dir, ".git/refs/tags/garbage"), "not a ref\n");
    await writeFile(join(dir, ".git/refs/tags/v9.lock"), `${missing}\n`);
    await writeFile(join(dir, ".git/refs/heads/nowhere"), "ref: refs/heads/missing\n");
    const source = track(new FsGitSource({ root }));
    const repo = await source.open("example.com/dangling");
    const refs = await repo.refs();
    expect(refs.byName.get("refs/tags/v9.9.9")).toEqual({ oid: missing });
    expect([...refs.byName.keys()].filter((k) => /garbage|lock|nowhere/.test(k))).toEqual([]);
    expect(refs.byName.get("refs/tags/v1.0.0")?.oid).toBe(git(dir, "rev-parse", "v1.0.0"));
    await expect(repo.readObject(missing)).rejects.toBeInstanceOf(NotFoundError);
    await stillServes(source);
  });

  test("a malformed packed-refs is RepositoryError", async () => {
    const dir = await workRepo(join(root, "example.com/badpacked"));
    git(dir, "pack-refs", "--all");
    await appendFile(join(dir, ".git/packed-refs"), "this is not a ref line\n");
    const repo = await track(new FsGitSource({ root })).open("example.com/badpacked");
    await expect(repo.refs()).rejects.toBeInstanceOf(RepositoryError);
  });

  const brokenLayouts: [name: string, make: (at: string) => Promise<unknown>][] = [
    ["a broken symlink", (at) => symlink(join(root, "gone"), at)],
    ["a file where the repository was", (at) => writeFile(at, "moved away\n")],
    ["an empty directory", (at) => mkdir(at, { recursive: true })],
    ["a git directory without objects", async (at) => {
      git(tmp, "init", "-q", "--bare", at);
      await rm(join(at, "objects"), { recursive: true });
    }],
    ["a work tree whose .git is a broken symlink", async (at) => {
      await mkdir(at, { recursive: true });
      await symlink(join(root, "gone"), join(at, ".git"));
    }],
  ];
  for (const [name, make] of brokenLayouts) {
    test(`${name} at <root>/<path>.git is RepositoryError and others keep serving`, async () => {
      const slug = name.replace(/\W+/g, "-");
      await make(join(root, `example.com/${slug}.git`));
      const source = track(new FsGitSource({ root }));
      await expect(source.open(`example.com/${slug}/v2`)).rejects.toBeInstanceOf(RepositoryError);
      await stillServes(source);
    });
  }

  test("a repository directory replaced after opening is a clean error, not a hang", async () => {
    const dir = await workRepo(join(root, "example.com/vanishing"));
    git(dir, "gc", "-q");
    const source = track(new FsGitSource({ root }));
    const repo = await source.open("example.com/vanishing");
    await repo.readObject(git(dir, "rev-parse", "HEAD"));
    await rm(join(dir, ".git"), { recursive: true });
    await writeFile(join(dir, ".git"), "not a gitdir file\n");
    await expect(repo.readObject(git(healthy, "rev-parse", "HEAD"))).rejects.toBeInstanceOf(RepositoryError);
    await expect(source.open("example.com/vanishing")).rejects.toBeInstanceOf(RepositoryError);
    await stillServes(source);
  });
});

describe("FsGitSource hand-made packs", () => {
  const blobA = Buffer.from("package a\n");
  const blobB = Buffer.from("package b\n");

  async function packRepo(name: string, entries: PackEntry[], largeOffsets = false): Promise<Repository> {
    const dir = join(tmp, "handmade", name);
    git(tmp, "init", "-q", "--bare", dir);
    const { pack, idx, name: packName } = buildPack(entries, largeOffsets);
    await writeFile(join(dir, "objects/pack", `pack-${packName}.pack`), pack);
    await writeFile(join(dir, "objects/pack", `pack-${packName}.idx`), idx);
    return await track(new FsGitSource({ mappings: { "example.com/m": dir } })).open("example.com/m");
  }

  test("a pack git accepts (git verify-pack) reads back, through 64-bit index offsets too", async () => {
    const entries: PackEntry[] = [
      { oid: objectId("blob", blobA), type: 3, data: blobA },
      { oid: objectId("blob", blobB), type: 6, base: 0, data: insertDelta(blobA.length, blobB) },
    ];
    for (const large of [false, true]) {
      const repo = await packRepo(`good-${large}`, entries, large);
      expect(Buffer.from((await repo.readObject(entries[1].oid)).data).toString()).toBe("package b\n");
      expect(Buffer.from((await repo.readObject(entries[0].oid)).data).toString()).toBe("package a\n");
    }
    const dir = join(tmp, "handmade", "good-false/objects/pack");
    const [idx] = (await readdir(dir)).filter((f) => f.endsWith(".idx"));
    expect(git(dir, "verify-pack", idx)).toBe("");
  });

  test("a REF_DELTA whose base is nowhere is RepositoryError naming the object", async () => {
    const oid = objectId("blob", blobB);
    const repo = await packRepo("missing-base", [
      { oid, type: 7, baseOid: objectId("blob", blobA), data: insertDelta(blobA.length, blobB) },
    ]);
    const err = await repo.readObject(oid).catch((e) => e);
    expect(err).toBeInstanceOf(RepositoryError);
    expect(err.message).toContain(oid);
  });

  test("REF_DELTAs based on each other are RepositoryError, not a hang", async () => {
    const [x, y] = ["1".repeat(40), "2".repeat(40)];
    const repo = await packRepo("loop", [
      { oid: x, type: 7, baseOid: y, data: insertDelta(3, Buffer.from("abc")) },
      { oid: y, type: 7, baseOid: x, data: insertDelta(3, Buffer.from("abc")) },
    ]);
    await expect(repo.readObject(x)).rejects.toBeInstanceOf(RepositoryError);
  });

  test("a delta whose size disagrees with its base is RepositoryError", async () => {
    const oid = objectId("blob", blobB);
    const repo = await packRepo("bad-delta", [
      { oid: objectId("blob", blobA), type: 3, data: blobA },
      { oid, type: 6, base: 0, data: insertDelta(blobA.length + 5, blobB) },
    ]);
    await expect(repo.readObject(oid)).rejects.toBeInstanceOf(RepositoryError);
  });
});

describe("PackWindows", () => {
  test("read returns the bytes of the file for ranges inside, across and larger than windows", async () => {
    const path = join(tmp, "windows.bin");
    const bytes = new Uint8Array(3 << 20);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    await writeFile(path, bytes);
    const pool = new HandlePool(nodeFileSystem);
    for (const budget of [DEFAULT_WINDOW_CACHE_BYTES, 1 << 20]) {
      const windows = new PackWindows(pool, budget);
      const ranges: [number, number][] = [[0, 1], [SMALL_WINDOW_BYTES - 3, 10], [LARGE_WINDOW_BYTES - 5, 20_000],
        [bytes.length - 7, 7], [100, LARGE_WINDOW_BYTES], [5, LARGE_WINDOW_BYTES + 1], [LARGE_WINDOW_BYTES * 3 + 9, 40_000]];
      for (let i = 0; i < 300; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        const length = 1 + (x % (i % 3 === 0 ? LARGE_WINDOW_BYTES : 30_000));
        ranges.push([x % (bytes.length - length), length]);
      }
      const got = await Promise.all(ranges.map(([at, n]) => windows.read(path, "k", at, n, bytes.length)));
      ranges.forEach(([at, n], i) => {
        expect(Buffer.from(got[i]).equals(Buffer.from(bytes.subarray(at, at + n))), `read(${at}, ${n})`).toBe(true);
      });
    }
    await pool.closeAll();
  });
});

describe("FsGitSource on other runtimes", () => {
  const runtimes: [name: string, bin: string, args: string[]][] = [
    ["deno (read, net and env permissions only)", "deno", ["run", "--no-config", "--no-lock", "--allow-read", "--allow-net", "--allow-env"]],
    ["bun", "bun", ["run"]],
  ];
  for (const [name, bin, args] of runtimes) {
    const path = join(process.cwd(), "node_modules/.bin", bin);
    test.skipIf(!existsSync(path))(`reads the same objects under ${name}`, async () => {
      const dir = await workRepo(join(tmp, `runtime-${bin}`));
      git(dir, "gc", "-q");
      await commit(dir, { "loose.go": "package m // loose\n" });
      const script = join(tmp, `runtime-${bin}.ts`);
      await writeFile(script, `
        import { FsGitSource } from ${JSON.stringify(join(process.cwd(), "src/sources/fs.ts"))};
        const source = new FsGitSource({ mappings: { "example.com/m": ${JSON.stringify(dir)} } });
        const repo = await source.open("example.com/m");
        const refs = await repo.refs();
        const out: string[] = [];
        for (const oid of ${JSON.stringify(git(dir, "rev-list", "--all", "--objects").split("\n").map((l) => l.slice(0, 40)))}) {
          const o = await repo.readObject(oid);
          out.push(oid + " " + o.type + " " + o.data.length);
        }
        await source.close();
        console.log(JSON.stringify({ refs: refs.byName.size, head: refs.head, out }));
      `);
      const run = spawnSync(path, [...args, script], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      expect(run.stderr).toBe("");
      const got = JSON.parse(run.stdout);
      const want = git(dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)");
      expect(new Set(got.out)).toEqual(new Set(want.split("\n")));
      expect({ refs: got.refs, head: got.head }).toEqual({ refs: gitRefs(dir).size, head: "refs/heads/main" });
    });
  }
});

// ------------------------------------------------------------ helpers

async function packs(dir: string): Promise<string[]> {
  const packDir = existsSync(join(dir, ".git")) ? join(dir, ".git/objects/pack") : join(dir, "objects/pack");
  return (await readdir(packDir)).filter((f) => f.endsWith(".pack")).map((f) => join(packDir, f));
}

/** indexOffset asks git where an object starts in a pack. */
function indexOffset(dir: string, pack: string, oid: string): number {
  const idx = readFileSync(pack.replace(/\.pack$/, ".idx"));
  const out = execFileSync("git", ["show-index"], { cwd: dir, input: idx, encoding: "utf8" });
  const line = out.split("\n").find((l) => l.includes(oid));
  if (!line) throw new Error(`${oid} not in ${pack}`);
  return Number(line.split(" ")[0]);
}

function objectId(type: string, data: Uint8Array): string {
  return createHash("sha1").update(`${type} ${data.length}\0`).update(data).digest("hex");
}

/** insertDelta is a delta that ignores its base (of baseSize bytes) and inserts `result`. */
function insertDelta(baseSize: number, result: Uint8Array): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return out;
  };
  const out = [...varint(baseSize), ...varint(result.length)];
  for (let i = 0; i < result.length; i += 127) {
    const chunk = result.subarray(i, i + 127);
    out.push(chunk.length, ...chunk);
  }
  return Buffer.from(out);
}

interface PackEntry {
  /** oid is the id the index lists for the entry: the object it stands for. */
  oid: string;
  /** type is the pack entry type: 1-4 objects, 6 OFS_DELTA, 7 REF_DELTA. */
  type: number;
  data: Uint8Array;
  /** base is the index (in this list) of an OFS_DELTA's base. */
  base?: number;
  baseOid?: string;
}

/** buildPack lays out a version 2 pack and its version 2 index, as gitformat-pack.txt describes them. */
function buildPack(entries: PackEntry[], largeOffsets: boolean): { pack: Buffer; idx: Buffer; name: string } {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write("PACK", 0);
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(entries.length, 8);
  parts.push(header);
  let offset = 12;
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(offset);
    const head: number[] = [];
    let size = e.data.length;
    let c = (e.type << 4) | (size & 15);
    size = Math.floor(size / 16);
    while (size > 0) {
      head.push(c | 0x80);
      c = size & 0x7f;
      size = Math.floor(size / 128);
    }
    head.push(c);
    if (e.type === 6) {
      let distance = offset - offsets[e.base!];
      const bytes = [distance & 0x7f];
      while ((distance = Math.floor(distance / 128)) > 0) bytes.unshift(((--distance) & 0x7f) | 0x80);
      head.push(...bytes);
    }
    if (e.type === 7) head.push(...Buffer.from(e.baseOid!, "hex"));
    const body = Buffer.concat([Buffer.from(head), deflateSync(e.data)]);
    parts.push(body);
    offset += body.length;
  }
  const packBody = Buffer.concat(parts);
  const packSum = createHash("sha1").update(packBody).digest();
  const pack = Buffer.concat([packBody, packSum]);

  const nextOffset = (at: number) => Math.min(...offsets.filter((o) => o > at), packBody.length);
  const order = entries.map((e, i) => ({ id: Buffer.from(e.oid, "hex"), offset: offsets[i] }))
    .sort((a, b) => Buffer.compare(a.id, b.id));
  const fanout = Buffer.alloc(1024);
  for (let b = 0; b < 256; b++) fanout.writeUInt32BE(order.filter((o) => o.id[0] <= b).length, 4 * b);
  const small = Buffer.alloc(4 * order.length);
  const large = Buffer.alloc(largeOffsets ? 8 * order.length : 0);
  order.forEach((o, i) => {
    if (largeOffsets) {
      small.writeUInt32BE((0x80000000 | i) >>> 0, 4 * i);
      large.writeBigUInt64BE(BigInt(o.offset), 8 * i);
    } else {
      small.writeUInt32BE(o.offset, 4 * i);
    }
  });
  const idxBody = Buffer.concat([
    Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]),
    fanout,
    ...order.map((o) => o.id),
    ...order.map((o) => {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(pack.subarray(o.offset, nextOffset(o.offset))), 0);
      return crc;
    }),
    small,
    large,
    packSum,
  ]);
  const idx = Buffer.concat([idxBody, createHash("sha1").update(idxBody).digest()]);
  return { pack, idx, name: packSum.toString("hex") };
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
