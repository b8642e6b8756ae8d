/**
 * Stamp: "has anything here changed?" answered with stats alone.
 *
 * A stamp records the mtimes of some files and directories. Git changes a
 * ref, a packed-refs file or the set of packs by writing a lock file and
 * renaming it into place, so the directory holding it gets a new mtime even
 * when a file is replaced in place of an older one.
 *
 * Like git's index ("racy git", Documentation/technical/racy-git.txt), a
 * stamp distrusts mtimes too close to the moment it was taken: a second
 * change within the file system's timestamp granularity (2 s on FAT, 1 s on
 * some network file systems) would leave the mtime unchanged. Such a stamp
 * is never "unchanged", so the next reader reads again until things settle.
 */

import type { FileSystem } from "./file-system.ts";
import { isMissing } from "./file-system.ts";

/** RACY_MS is how recent an mtime must be for a stamp to distrust it. */
export const RACY_MS = 2000;

/** MISSING stands for the mtime of a path that does not exist. */
export const MISSING = -1;

export class Stamp {
  private constructor(
    readonly paths: string[],
    private readonly mtimes: number[],
    private readonly racy: boolean,
  ) {}

  /** take stats every path now; a missing path is recorded as missing. */
  static async take(fs: FileSystem, paths: string[]): Promise<Stamp> {
    const now = Date.now();
    return Stamp.of(paths, await Promise.all(paths.map((p) => mtime(fs, p))), now);
  }

  /** of builds a stamp from mtimes the caller took itself, each before reading what it covers, starting at `now`. */
  static of(paths: string[], mtimes: number[], now: number): Stamp {
    return new Stamp(paths, mtimes, mtimes.some((m) => m > now - RACY_MS));
  }

  /** unchanged reports whether every path still has the mtime it had (and none was too recent to trust). */
  async unchanged(fs: FileSystem): Promise<boolean> {
    if (this.racy) return false;
    const now = await Promise.all(this.paths.map((p) => mtime(fs, p)));
    return now.every((m, i) => m === this.mtimes[i]);
  }
}

/** mtime returns a path's mtime, or `MISSING`. */
export async function mtime(fs: FileSystem, path: string): Promise<number> {
  try {
    return (await fs.stat(path)).mtimeMs;
  } catch (err) {
    if (isMissing(err)) return MISSING;
    throw err;
  }
}
