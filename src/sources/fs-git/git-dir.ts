/**
 * Recognising git directories (Documentation/gitrepository-layout.txt).
 *
 * A git directory has a `HEAD` file, an `objects` directory and a `refs`
 * directory; a linked worktree's has a `commondir` file naming the directory
 * that holds `objects`, `refs` and `packed-refs`. A work tree has `.git`: a
 * git directory, a symlink to one, or a file `gitdir: <path>` (submodules,
 * `git worktree add`). Each check is a few stats and nothing is listed.
 *
 * "Not a repository" is `undefined`; a directory that clearly means to be a
 * repository but is not a readable one (a `.git` that is a broken symlink,
 * a git directory without `objects`) throws `RepositoryError`.
 */

import { RepositoryError } from "../../errors.ts";
import { type FileSystem, isMissing, joinPath } from "./file-system.ts";

/** GitDir locates a repository's files. */
export interface GitDir {
  /** gitDir holds HEAD. */
  gitDir: string;
  /** commonDir holds objects, refs and packed-refs; it is gitDir except in a linked worktree. */
  commonDir: string;
  /** bare is true when the directory looked at was the git directory itself, not a work tree. */
  bare: boolean;
}

/** PathKind is what a path is, following symlinks; "broken" is a symlink to nothing. */
export type PathKind = "missing" | "file" | "directory" | "broken" | "other";

/** pathKind stats a path with one lstat, and one stat more only for a symlink. */
export async function pathKind(fs: FileSystem, path: string): Promise<PathKind> {
  let s;
  try {
    s = await fs.lstat(path);
    if (s.isSymbolicLink) s = await fs.stat(path).catch((err) => (isMissing(err) ? undefined : Promise.reject(err)));
  } catch (err) {
    if (isMissing(err)) return "missing";
    throw new RepositoryError(`${path}: ${err instanceof Error ? err.message : err}`, { cause: err });
  }
  if (!s) return "broken";
  return s.isDirectory ? "directory" : s.isFile ? "file" : "other";
}

/** findGitDir says whether dir is a git directory or a work tree, and where its git files are. */
export async function findGitDir(fs: FileSystem, dir: string): Promise<GitDir | undefined> {
  const dotGit = `${dir}/.git`;
  switch (await pathKind(fs, dotGit)) {
    case "directory":
      return { ...(await checkGitDir(fs, dotGit)), bare: false };
    case "file":
      return { ...(await checkGitDir(fs, await readGitFile(fs, dir))), bare: false };
    case "broken":
    case "other":
      throw new RepositoryError(`${dotGit}: not a git directory`);
  }
  if ((await pathKind(fs, `${dir}/HEAD`)) !== "file") return undefined;
  return { ...(await checkGitDir(fs, dir)), bare: true };
}

/** checkGitDir checks the layout of a git directory, or throws `RepositoryError`. */
export async function checkGitDir(fs: FileSystem, gitDir: string): Promise<{ gitDir: string; commonDir: string }> {
  let commonDir = gitDir;
  try {
    const text = new TextDecoder().decode(await fs.readFile(`${gitDir}/commondir`)).trim();
    if (text !== "") commonDir = joinPath(gitDir, text);
  } catch (err) {
    if (!isMissing(err)) throw new RepositoryError(`${gitDir}/commondir: ${(err as Error).message}`, { cause: err });
  }
  const [head, objects, refs] = await Promise.all([
    pathKind(fs, `${gitDir}/HEAD`),
    pathKind(fs, `${commonDir}/objects`),
    pathKind(fs, `${commonDir}/refs`),
  ]);
  if (head !== "file" || objects !== "directory" || refs !== "directory") {
    throw new RepositoryError(`${gitDir}: not a git directory (HEAD ${head}, objects ${objects}, refs ${refs})`);
  }
  return { gitDir, commonDir };
}

/** readGitFile reads a `.git` file, `gitdir: <path>`, relative to the work tree. */
async function readGitFile(fs: FileSystem, dir: string): Promise<string> {
  const text = new TextDecoder().decode(await fs.readFile(`${dir}/.git`));
  const m = /^gitdir: (.+?)\s*$/m.exec(text);
  if (!m) throw new RepositoryError(`${dir}/.git: not a gitdir file`);
  return joinPath(dir, m[1]);
}
