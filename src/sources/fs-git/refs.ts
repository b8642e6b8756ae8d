/**
 * RefStore: a repository's refs (Documentation/gitrepository-layout.txt).
 *
 * Refs live in `packed-refs` (`<oid> <name>` lines; a `^<oid>` line gives the
 * commit the annotated tag above it peels to) and as loose files under
 * `refs/` (`<oid>\n`, or `ref: <name>\n` for a symbolic ref), a loose ref
 * overriding a packed one. `HEAD` names the default branch.
 *
 * A listing is cached and revalidated with a `Stamp` over `HEAD`,
 * `packed-refs` and every directory under `refs/` (never the ref files):
 * git writes each loose ref by renaming `<name>.lock` over `<name>`, which
 * changes its directory's mtime, and a new directory changes its parent's.
 * A warm listing therefore costs a stat per refs directory. A tool that
 * rewrites a ref file in place, without git's rename, is not noticed until
 * something else in its directory changes.
 *
 * Loose refs are read before packed-refs, so that `git pack-refs` moving a
 * ref between them in the middle of a listing cannot hide it. Like git, a
 * loose ref with unreadable contents is ignored; a malformed packed-refs is
 * a broken repository.
 */

import type { Ref, Refs } from "../source.ts";
import { RepositoryError } from "../../errors.ts";
import { type FileSystem, isMissing, readFileOrUndefined } from "./file-system.ts";
import { mtime, MISSING, Stamp } from "./stamp.ts";

/** MAX_SYMREF_DEPTH is git's limit on symbolic refs pointing to symbolic refs. */
const MAX_SYMREF_DEPTH = 5;

const OID = /^[0-9a-f]{40}$/;
const decoder = new TextDecoder();

type Loose = { oid: string } | { target: string };

/** RefStore lists the refs of one repository, caching the listing until a stamp says it changed. */
export class RefStore {
  #cached?: { refs: Refs; stamp: Stamp };

  /** `gitDir` holds HEAD; `commonDir` holds refs/ and packed-refs (they differ for a linked worktree). */
  constructor(
    private readonly fs: FileSystem,
    private readonly gitDir: string,
    private readonly commonDir: string,
  ) {}

  /** read returns the current refs: the cached listing if nothing changed, a fresh one otherwise. */
  async read(): Promise<Refs> {
    const cached = this.#cached;
    let refs: Refs;
    if (cached && (await this.#unchanged(cached.stamp))) {
      refs = cached.refs;
    } else {
      // Not shared with a listing already under way: that one may have started before the change
      // this caller must see. A listing left behind by a slower one is caught by its own stamp.
      const fresh = await this.#readAll();
      this.#cached = fresh;
      refs = fresh.refs;
    }
    return { head: refs.head, byName: new Map(refs.byName) };
  }

  async #unchanged(stamp: Stamp): Promise<boolean> {
    try {
      return await stamp.unchanged(this.fs);
    } catch {
      return false;
    }
  }

  async #readAll(): Promise<{ refs: Refs; stamp: Stamp }> {
    const now = Date.now();
    const paths: string[] = [];
    const mtimes: number[] = [];
    const take = async (path: string) => {
      const m = await mtime(this.fs, path);
      paths.push(path);
      mtimes.push(m);
      return m;
    };
    try {
      const headPath = `${this.gitDir}/HEAD`;
      await take(headPath);
      const headText = await readFileOrUndefined(this.fs, headPath);
      const loose = new Map<string, Loose>();
      await this.#walk("refs", loose, take);
      const packedPath = `${this.commonDir}/packed-refs`;
      await take(packedPath);
      const packed = await readFileOrUndefined(this.fs, packedPath);

      const byName = packed ? parsePackedRefs(decoder.decode(packed)) : new Map<string, Ref>();
      for (const [name, value] of loose) {
        if ("oid" in value) byName.set(name, byName.get(name)?.oid === value.oid ? byName.get(name)! : { oid: value.oid });
      }
      for (const [name, value] of loose) {
        if ("target" in value) {
          const oid = resolveSymref(value.target, loose, byName);
          if (oid) byName.set(name, { oid });
        }
      }
      const head = headText ? /^ref: (refs\/\S+)\s*$/.exec(decoder.decode(headText))?.[1] : undefined;
      return { refs: { head, byName }, stamp: Stamp.of(paths, mtimes, now) };
    } catch (err) {
      if (err instanceof RepositoryError) throw err;
      throw new RepositoryError(`${this.commonDir}: reading refs: ${err instanceof Error ? err.message : err}`, {
        cause: err,
      });
    }
  }

  /** #walk reads the loose refs under `name` (a directory relative to commonDir), stamping it before listing it. */
  async #walk(name: string, out: Map<string, Loose>, take: (path: string) => Promise<number>): Promise<void> {
    const dir = `${this.commonDir}/${name}`;
    if ((await take(dir)) === MISSING) return;
    let entries;
    try {
      entries = await this.fs.readdir(dir);
    } catch (err) {
      if (isMissing(err)) return; // removed since the stat: the stamp will differ next time
      throw err;
    }
    await Promise.all(entries.map(async (e) => {
      const child = `${name}/${e.name}`;
      let isDirectory = e.isDirectory;
      if (e.isSymbolicLink) isDirectory = (await this.fs.stat(`${this.commonDir}/${child}`).catch(() => undefined))?.isDirectory ?? false;
      if (isDirectory) return this.#walk(child, out, take);
      if (e.name.endsWith(".lock")) return;
      const text = await readFileOrUndefined(this.fs, `${this.commonDir}/${child}`);
      if (!text) return;
      const value = decoder.decode(text).trim();
      if (OID.test(value)) out.set(child, { oid: value });
      else if (value.startsWith("ref: ")) out.set(child, { target: value.slice(5).trim() });
    }));
  }
}

/** parsePackedRefs reads a packed-refs file: `parsePackedRefs("<oid> refs/tags/v1\n^<commit>\n")` peels v1 to commit. */
export function parsePackedRefs(text: string): Map<string, Ref> {
  const refs = new Map<string, Ref>();
  let last: Ref | undefined;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("^")) {
      const peeled = line.slice(1).trim();
      if (!last || !OID.test(peeled)) throw new RepositoryError(`packed-refs: unexpected line ${JSON.stringify(line)}`);
      last.peeled = peeled;
      last = undefined;
      continue;
    }
    const sp = line.indexOf(" ");
    const oid = line.slice(0, sp);
    const name = line.slice(sp + 1).trim();
    if (sp < 0 || !OID.test(oid) || !name.startsWith("refs/")) {
      throw new RepositoryError(`packed-refs: unexpected line ${JSON.stringify(line)}`);
    }
    last = { oid };
    refs.set(name, last);
  }
  return refs;
}

function resolveSymref(target: string, loose: Map<string, Loose>, resolved: Map<string, Ref>): string | undefined {
  for (let depth = 0; depth < MAX_SYMREF_DEPTH; depth++) {
    const next = loose.get(target);
    if (!next) return resolved.get(target)?.oid;
    if ("oid" in next) return next.oid;
    target = next.target;
  }
  return undefined;
}
