/**
 * buildModuleZip: the module zip of one version, as the go command builds it
 * in direct mode (cmd/go/internal/modfetch/coderepo.go `Zip`):
 *
 * 1. The files are what `git archive <commit> -- <dir>` writes: every blob,
 *    symlink and submodule below the module directory, with gitattributes
 *    conversions applied from `.gitattributes` files anywhere from the
 *    repository root down (src/zip/attributes.ts).
 * 2. A module in a subdirectory with no `LICENSE` entry of its own gets the
 *    repository root's `LICENSE`, raw (`git cat-file blob`).
 * 3. x/mod's rules choose which files stay (src/zip/files.ts): nested
 *    modules, vendored packages, symlinks and submodules leave; a bad name
 *    or a case collision fails the whole zip.
 *
 * Everything that can fail is checked before the first byte is sent, except
 * the 500 MiB total, which needs every file's converted size: a module that
 * grows past it mid-stream ends the stream with an error, so the client
 * sees a broken download rather than a wrong one. Files are read as the
 * stream is read, at most PREFETCH_FILES ahead, so memory does not grow with
 * the module; trees are all read before the first byte (the checks need
 * every name), concurrently, since each can be a long delta chain.
 */

import { ZipError } from "../errors.ts";
import { MODE_EXECUTABLE, MODE_FILE, MODE_GITLINK, MODE_SYMLINK, MODE_TREE, type TreeEntry } from "../git/object.ts";
import type { Hash1Builder } from "../hash/dirhash.ts";
import { parseGoVersion } from "../module/gomod.ts";
import type { CodeRepo } from "../resolve/code-repo.ts";
import type { GitView } from "../resolve/git.ts";
import { AttributeStack, type Attributes, convertToWorkingTree, GITATTRIBUTES } from "./attributes.ts";
import { checkZipFiles, type FileKind, MAX_GO_MOD_BYTES, MAX_LICENSE_BYTES, MAX_ZIP_FILE_BYTES, type ModuleFile } from "./files.ts";
import { createZipStream, type ZipEntry } from "./writer.ts";

/** PREFETCH_FILES is how many files are read ahead of the zip writer. */
const PREFETCH_FILES = 16;

/** ArchivedFile is one file of the module directory, before x/mod's rules. */
interface ArchivedFile extends ModuleFile {
  oid: string;
  attrs: Attributes;
  /** data is known early for go.mod and LICENSE (needed for checks), and for the root LICENSE. */
  data?: Uint8Array;
  /** raw files skip gitattributes conversion (the root LICENSE). */
  raw?: boolean;
}

/** ModuleZip is a zip ready to stream, with the files it will hold. */
export interface ModuleZip {
  /** files lists the entry names (module@version/path), in zip order. */
  files: string[];
  stream: ReadableStream<Uint8Array>;
}

/**
 * buildModuleZip validates a version's files and returns its zip as a
 * stream. With `hash`, each file is added to it as it is written, so its
 * `sum()` is the zip's `h1:` once the stream has ended.
 */
export async function buildModuleZip(code: CodeRepo, version: string, hash?: Hash1Builder): Promise<ModuleZip> {
  const { commit, dir } = await code.zipDir(version);
  const view = code.view;
  const archived = await archiveFiles(view, commit, dir);

  // coderepo.go: any archive entry named LICENSE counts, even one x/mod drops later (a symlink).
  const hasLicense = archived.some((f) => f.path === "LICENSE" && f.kind !== "gitlink");
  if (dir !== "" && !hasLicense) {
    const license = await view.readFile(commit, "LICENSE");
    if (license) archived.push({ path: "LICENSE", kind: "file", size: license.length, oid: "", attrs: new Map(), data: license, raw: true });
  }

  for (const f of archived) {
    if (f.kind === "file" && (f.path === "go.mod" || f.path === "LICENSE")) {
      f.data ??= await converted(view, f);
      f.size = f.data.length;
    }
  }
  const goMod = archived.find((f) => f.path === "go.mod" && f.kind === "file");
  let goVersion = "";
  try {
    if (goMod?.data) goVersion = parseGoVersion(goMod.data);
  } catch {
    goVersion = "";
  }
  const keep = checkZipFiles(archived, goVersion);
  for (const f of keep) {
    if (f.path === "go.mod" && f.size > MAX_GO_MOD_BYTES) throw new ZipError(`create zip: go.mod: file too large`);
    if (f.path === "LICENSE" && f.size > MAX_LICENSE_BYTES) throw new ZipError(`create zip: LICENSE: file too large`);
  }

  // A blob the repository lacks is a broken repository: say so with a 500 now, not with a cut stream later.
  await view.checkObjects(keep.filter((f) => !f.data).map((f) => f.oid));

  const prefix = `${code.modPath}@${version}/`;
  async function* entries(): AsyncGenerator<ZipEntry> {
    let total = 0;
    // Reads run PREFETCH_FILES ahead of the writer, so file I/O overlaps inflating and sending.
    const pending: Promise<Uint8Array>[] = [];
    const read = (i: number) => {
      const f = keep[i];
      const p = f.data ? Promise.resolve(f.data) : converted(view, f);
      p.catch(() => {}); // rejections surface when awaited below
      return p;
    };
    for (let i = 0; i < Math.min(PREFETCH_FILES, keep.length); i++) pending.push(read(i));
    for (const [i, f] of keep.entries()) {
      const data = await pending[i];
      if (i + PREFETCH_FILES < keep.length) pending.push(read(i + PREFETCH_FILES));
      delete pending[i];
      total += data.length;
      if (total > MAX_ZIP_FILE_BYTES) {
        throw new ZipError(`create zip: module source tree too large (max size is ${MAX_ZIP_FILE_BYTES} bytes)`);
      }
      const name = prefix + f.path;
      await hash?.add(name, data);
      yield { name, data };
    }
  }
  return { files: keep.map((f) => prefix + f.path), stream: createZipStream(entries()) };
}

async function converted(view: GitView, f: ArchivedFile): Promise<Uint8Array> {
  const blob = await view.blob(f.oid);
  return f.raw ? blob : convertToWorkingTree(f.path, blob, f.attrs, f.oid);
}

function kindOf(mode: string): FileKind {
  if (mode === MODE_FILE || mode === MODE_EXECUTABLE) return "file";
  if (mode === MODE_SYMLINK) return "symlink";
  if (mode === MODE_GITLINK) return "gitlink";
  return "other";
}

/** Dir is one directory's tree, its `.gitattributes` and its subdirectories, loaded before the walk. */
interface Dir {
  entries: TreeEntry[];
  gitattributes?: Uint8Array;
  /** subdirs holds the Dir of each tree entry, by entry index. */
  subdirs: (Dir | undefined)[];
}

/**
 * MAX_TREE_READS bounds the trees read at once. Reading a tree can mean
 * walking a delta chain of dozens of entries one after another, so trees are
 * read concurrently, all levels at once; the bound keeps a repository with
 * thousands of directories from queueing them all.
 */
const MAX_TREE_READS = 64;

/**
 * archiveFiles lists what `git archive <commit> -- <dir>` writes below dir,
 * in archive order, with each regular file's gitattributes. Paths are
 * relative to dir.
 */
async function archiveFiles(view: GitView, commit: string, dir: string): Promise<ArchivedFile[]> {
  const attrs = new AttributeStack();
  const out: ArchivedFile[] = [];
  const target = dir === "" ? [] : dir.split("/");
  const gitattributes = (entries: TreeEntry[]) => {
    const e = entries.find((x) => x.name === GITATTRIBUTES && x.mode !== MODE_TREE && x.mode !== MODE_GITLINK);
    return e ? view.blob(e.oid) : undefined;
  };

  // Walk down from the root to the module directory: .gitattributes above it apply too.
  let tree = await view.tree((await view.commit(commit)).tree);
  attrs.push("", await gitattributes(tree));
  for (let i = 0; i < target.length; i++) {
    const e = tree.find((x) => x.name === target[i] && x.mode === MODE_TREE);
    if (!e) return out; // git archive of a missing directory writes nothing
    tree = await view.tree(e.oid);
    attrs.push(target.slice(0, i + 1).join("/"), await gitattributes(tree));
  }

  const slots = new Limiter(MAX_TREE_READS);
  const load = async (entries: TreeEntry[]): Promise<Dir> => {
    const [attributes, subdirs] = await Promise.all([
      gitattributes(entries),
      Promise.all(entries.map(async (e) => (e.mode === MODE_TREE ? load(await slots.run(() => view.tree(e.oid))) : undefined))),
    ]);
    return { entries, gitattributes: attributes, subdirs };
  };

  const walk = (repoDir: string, { entries, subdirs }: Dir) => {
    for (const [i, e] of entries.entries()) {
      const repoPath = repoDir === "" ? e.name : `${repoDir}/${e.name}`;
      const path = dir === "" ? repoPath : repoPath.slice(dir.length + 1);
      const sub = subdirs[i];
      if (sub) {
        attrs.push(repoPath, sub.gitattributes);
        walk(repoPath, sub);
        attrs.pop();
        continue;
      }
      // A name that is not UTF-8 decodes with U+FFFD, which checkFilePath rejects, as Go rejects the bytes.
      const kind = kindOf(e.mode);
      const file: ArchivedFile = { path, kind, size: 0, oid: e.oid, attrs: kind === "file" ? attrs.get(repoPath) : new Map() };
      out.push(file);
    }
  };
  walk(dir, await load(tree));
  return out;
}

/** Limiter runs at most `max` calls at once, the rest in order as slots free up. */
class Limiter {
  #running = 0;
  readonly #queue: (() => void)[] = [];

  constructor(readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running < this.max) this.#running++;
    else await new Promise<void>((start) => this.#queue.push(start)); // the finishing call hands its slot over
    try {
      return await fn();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
