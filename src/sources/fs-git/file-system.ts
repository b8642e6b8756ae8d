/**
 * FileSystem: the read-only file operations the disk git reader needs, passed
 * in explicitly (as isomorphic-git passes `fs`) so the reader runs unchanged
 * on Node, Deno and Bun, and tests can count or break calls.
 *
 * The reader never writes, never spawns a process and never needs more than
 * these six calls. A missing path must reject with an error whose `code` is
 * "ENOENT" or "ENOTDIR", as node:fs does (Deno's and Bun's node:fs too); every
 * other rejection is treated as a broken repository.
 */

/** FileStat is what the reader uses of a stat result. */
export interface FileStat {
  isFile: boolean;
  isDirectory: boolean;
  isSymbolicLink: boolean;
  size: number;
  /** mtimeMs is the modification time in milliseconds, with sub-millisecond precision where the platform has it. */
  mtimeMs: number;
}

/** DirEntry is one name in a directory listing, typed without following symlinks. */
export interface DirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymbolicLink: boolean;
}

/** FileHandle is an open file read at explicit positions. */
export interface FileHandle {
  /** read fills buffer from position and returns the bytes read: fewer only at end of file. */
  read(buffer: Uint8Array, position: number): Promise<number>;
  /** close releases the handle after its pending reads finish. */
  close(): Promise<void>;
}

export interface FileSystem {
  /** open opens a file for reading. */
  open(path: string): Promise<FileHandle>;
  readFile(path: string): Promise<Uint8Array>;
  /** stat follows symlinks. */
  stat(path: string): Promise<FileStat>;
  /** lstat does not follow a final symlink. */
  lstat(path: string): Promise<FileStat>;
  readdir(path: string): Promise<DirEntry[]>;
  realpath(path: string): Promise<string>;
}

/** isMissing reports whether err says a path does not exist: `isMissing({ code: "ENOENT" }) === true`. */
export function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** statOrUndefined is `fs.stat` that answers undefined for a missing path and throws anything else. */
export async function statOrUndefined(fs: FileSystem, path: string): Promise<FileStat | undefined> {
  try {
    return await fs.stat(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** readFileOrUndefined is `fs.readFile` that answers undefined for a missing file. */
export async function readFileOrUndefined(fs: FileSystem, path: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * joinPath resolves `rel` against the directory `base` the way git resolves
 * the paths in `gitdir:` files and `objects/info/alternates`: an absolute
 * `rel` stands alone. Separators are "/", which every runtime accepts.
 */
export function joinPath(base: string, rel: string): string {
  if (isAbsolutePath(rel)) return rel;
  return base.endsWith("/") ? base + rel : `${base}/${rel}`;
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith("/") || p.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(p);
}
