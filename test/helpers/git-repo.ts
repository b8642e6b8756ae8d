/**
 * git-repo: write a `MemoryRepo` fixture as a real bare git repository.
 *
 * The same text that feeds `MemorySource` is replayed through
 * `git fast-import`, so the repository on disk has exactly the objects
 * MemorySource computes: same author and committer (`DEFAULT_IDENTITY`), same
 * dates and offsets, same messages, same trees. Commit ids therefore agree,
 * and with them pseudo-versions and Origin hashes; `git-repo.test.ts` checks
 * this for every conformance fixture.
 *
 * Mapping of the fixture language onto fast-import:
 * - a commit's files are changes against its first parent (`from`), extra
 *   parents become `merge`; `null` deletes the path (`D`);
 * - modes: regular 100644, `executable` 100755, `symlink` 120000 (the target
 *   is the blob), `gitlink` 160000 (a commit id that need not exist here);
 * - lightweight tags and branches are `reset <ref>` + `from`, annotated tags
 *   the `tag` command (tagger date = the tag's date or its commit's);
 * - HEAD is set afterwards with `git symbolic-ref`, also when it dangles.
 */

import { execFile, spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { concat } from "../../src/git/object.ts";
import { DEFAULT_IDENTITY, type MemoryFile, type MemoryRepo, type MemoryTag } from "../../src/sources/memory.ts";

const execFileAsync = promisify(execFile);

/** GIT_ENV keeps the user's and the system's git configuration out of fixture repositories. */
export const GIT_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  LC_ALL: "C",
};

/** git runs a git command in `dir` and returns its standard output. */
export async function git(dir: string, args: string[], options: { input?: Uint8Array } = {}): Promise<string> {
  if (options.input === undefined) {
    const { stdout } = await execFileAsync("git", args, { cwd: dir, env: GIT_ENV, maxBuffer: 64 << 20 });
    return stdout;
  }
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: dir, env: GIT_ENV, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new Error(`git ${args.join(" ")} in ${dir}: exit ${code}\n${Buffer.concat(err)}`));
    });
    child.stdin.end(options.input);
  });
}

/**
 * writeRepo writes `spec` as a bare repository at `dir` (created, or
 * replaced if it exists).
 *
 * ```ts
 * await writeRepo({ root: "example.com/m", commits: [{ id: "c1", date: "2024-01-01T00:00:00Z" }] }, "/tmp/m.git");
 * ```
 * An empty `commits` list gives an empty repository whose HEAD dangles.
 */
export async function writeRepo(spec: MemoryRepo, dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  await git(dirname(dir), ["init", "--quiet", "--bare", dir]);
  const stream = fastImportStream(spec);
  await git(dir, ["fast-import", "--quiet", "--date-format=raw", "--done"], { input: stream });
  await git(dir, ["update-ref", "-d", TMP_REF]).catch(() => {});
  const branches = branchesOf(spec);
  const head = spec.head ?? ("main" in branches ? "main" : Object.keys(branches)[0]);
  // No branch at all: point HEAD at a name that does not exist, as MemorySource has no head.
  await git(dir, ["symbolic-ref", "HEAD", `refs/heads/${head ?? "none"}`]);
}

/**
 * writeRepos lays fixtures out as `<rootDir>/<root module path>.git`, the
 * layout `FsGitSource` and the loopback git server read:
 * `git.gomodproxy.test/hello` → `<rootDir>/git.gomodproxy.test/hello.git`.
 */
export async function writeRepos(specs: MemoryRepo[], rootDir: string): Promise<void> {
  await Promise.all(specs.map((spec) => writeRepo(spec, repoDir(rootDir, spec.root))));
}

/** repoDir is where `writeRepos` puts the repository whose root module path is `root`. */
export function repoDir(rootDir: string, root: string): string {
  return join(rootDir, `${root}.git`);
}

const TMP_REF = "refs/fast-import-tmp";

function branchesOf(spec: MemoryRepo): Record<string, string> {
  const last = spec.commits.at(-1)?.id;
  return spec.branches ?? (last ? { main: last } : {});
}

/** signature formats a date as MemorySource does: whole seconds, the date's own offset. */
function signature(date: string): string {
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new Error(`invalid date ${JSON.stringify(date)}`);
  const m = /([+-])(\d\d):?(\d\d)$/.exec(date);
  const tz = m ? `${m[1]}${m[2]}${m[3]}` : "+0000";
  return `${DEFAULT_IDENTITY.name} <${DEFAULT_IDENTITY.email}> ${Math.floor(ms / 1000)} ${tz}`;
}

/** fastImportStream renders a fixture as a `git fast-import` command stream. */
function fastImportStream(spec: MemoryRepo): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const text = (s: string) => parts.push(encoder.encode(s));
  const data = (bytes: Uint8Array) => {
    text(`data ${bytes.length}\n`);
    parts.push(bytes);
    text("\n");
  };
  const asBytes = (v: string | Uint8Array) => (typeof v === "string" ? encoder.encode(v) : v);
  const marks = new Map<string, number>();
  const dates = new Map<string, string>();

  for (const [i, c] of spec.commits.entries()) {
    const parents = c.parents ?? (i === 0 ? [] : [spec.commits[i - 1].id]);
    const mark = marks.size + 1;
    // A fresh temporary ref per commit, so a root commit never inherits the previous tip.
    text(`reset ${TMP_REF}\n`);
    text(`commit ${TMP_REF}\nmark :${mark}\n`);
    text(`author ${signature(c.authorDate ?? c.date)}\n`);
    text(`committer ${signature(c.date)}\n`);
    data(encoder.encode(c.message ?? `${c.id}\n`));
    for (const [j, p] of parents.entries()) {
      const pm = marks.get(p);
      if (pm === undefined) throw new Error(`commit ${c.id}: unknown parent ${p}`);
      text(`${j === 0 ? "from" : "merge"} :${pm}\n`);
    }
    for (const [path, value] of Object.entries(c.files ?? {})) {
      if (value === null) {
        text(`D ${quote(path)}\n`);
        continue;
      }
      const f: MemoryFile = typeof value === "string" || value instanceof Uint8Array ? { content: value } : value;
      if (f.gitlink) {
        text(`M 160000 ${f.gitlink} ${quote(path)}\n`);
        continue;
      }
      const mode = f.symlink !== undefined ? "120000" : f.executable ? "100755" : "100644";
      text(`M ${mode} inline ${quote(path)}\n`);
      data(asBytes(f.symlink ?? f.content ?? ""));
    }
    text("\n");
    marks.set(c.id, mark);
    dates.set(c.id, c.date);
  }

  const markOf = (id: string, what: string) => {
    const m = marks.get(id);
    if (m === undefined) throw new Error(`${what}: unknown commit ${id}`);
    return m;
  };
  for (const [name, id] of Object.entries(branchesOf(spec))) {
    text(`reset refs/heads/${name}\nfrom :${markOf(id, `branch ${name}`)}\n\n`);
  }
  for (const [name, t] of Object.entries(spec.tags ?? {})) {
    const tag: MemoryTag = typeof t === "string" ? { commit: t } : t;
    const mark = markOf(tag.commit, `tag ${name}`);
    if (tag.message === undefined) {
      text(`reset refs/tags/${name}\nfrom :${mark}\n\n`);
      continue;
    }
    text(`tag ${name}\nfrom :${mark}\ntagger ${signature(tag.date ?? dates.get(tag.commit)!)}\n`);
    data(encoder.encode(tag.message));
  }
  text("done\n");
  return concat(parts);
}

/** quote writes a path in fast-import's C-style quoting when it needs it. */
function quote(path: string): string {
  if (!/["\\\x00-\x1f\x7f]/.test(path)) return path;
  const escaped = path.replace(/["\\\x00-\x1f\x7f]/g, (ch) => {
    if (ch === '"' || ch === "\\") return `\\${ch}`;
    if (ch === "\n") return "\\n";
    if (ch === "\t") return "\\t";
    return `\\${ch.charCodeAt(0).toString(8).padStart(3, "0")}`;
  });
  return `"${escaped}"`;
}
