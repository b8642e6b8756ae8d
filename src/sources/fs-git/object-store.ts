/**
 * ObjectStore: the objects of one repository, from its `objects` directory
 * and the directories listed in `objects/info/alternates` (one path a line,
 * relative to the objects directory, `#` comments; git follows them 5 deep).
 *
 * Lookup order follows git (packfile.c, object-file.c): packs, then loose
 * objects, then, before answering "not found", the pack directories are
 * listed again, because `git gc` or a push may have added a pack since. That
 * listing is skipped while `objects/pack`'s mtime is unchanged (`Stamp`),
 * so a hit costs no system call beyond the read and a miss one stat per
 * objects directory.
 *
 * Errors: an id that is nowhere is `NotFoundError`; anything that goes wrong
 * reading an object that is there (bad zlib data, a delta whose base is
 * missing, a truncated pack) is `RepositoryError` naming the object, and so
 * is "not found" while some pack index cannot be read.
 */

import type { GitObject } from "../../git/object.ts";
import { isObjectId } from "../../git/object.ts";
import { NotFoundError, RepositoryError } from "../../errors.ts";
import type { BaseCache } from "./base-cache.ts";
import { type FileSystem, isMissing, joinPath, readFileOrUndefined, statOrUndefined } from "./file-system.ts";
import type { HandlePool } from "./handle-pool.ts";
import type { PackWindows } from "./pack-windows.ts";
import { type Inflate, inflateExact } from "./inflate.ts";
import { readLoose } from "./loose.ts";
import { Pack } from "./pack.ts";
import { idBytes, type IndexBudget } from "./pack-index.ts";
import { Stamp } from "./stamp.ts";

/** MAX_ALTERNATE_DEPTH is git's limit on alternates of alternates. */
const MAX_ALTERNATE_DEPTH = 5;

/** MAX_REF_DELTA_DEPTH bounds REF_DELTA bases found outside their own pack, which could otherwise loop. */
const MAX_REF_DELTA_DEPTH = 64;

export interface ObjectStoreOptions {
  fs: FileSystem;
  pool: HandlePool;
  windows: PackWindows;
  cache: BaseCache;
  /** indexes bounds the pack indexes kept loaded. */
  indexes: IndexBudget;
  /** inflate defaults to node:zlib (`inflateExact`). */
  inflate?: Inflate;
}

/** ObjectStore reads objects by id from one objects directory and its alternates. */
export class ObjectStore {
  #packs = new Map<string, Pack>();
  #packsStamp?: Stamp;
  #alternates?: Promise<ObjectStore[]>;
  readonly #inflate: Inflate;

  constructor(
    readonly objectsDir: string,
    private readonly options: ObjectStoreOptions,
    private readonly depth = 0,
  ) {
    this.#inflate = options.inflate ?? inflateExact;
  }

  /** read returns the object `oid`, or throws `NotFoundError` if the repository does not have it. */
  read(oid: string): Promise<GitObject> {
    return this.#read(oid, 0);
  }

  async #read(oid: string, depth: number): Promise<GitObject> {
    if (!isObjectId(oid)) throw new NotFoundError(`object ${JSON.stringify(oid)} not found`);
    if (depth > MAX_REF_DELTA_DEPTH) throw new RepositoryError(`object ${oid}: delta bases form a loop`);
    const id = idBytes(oid);
    const findBase = (base: string) =>
      this.#read(base, depth + 1).catch((err) => {
        if (!(err instanceof NotFoundError)) throw err;
        throw new RepositoryError(`object ${oid}: delta base ${base} is missing`, { cause: err });
      });
    const unreadable: RepositoryError[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const stores = await this.#stores();
      for (const store of stores) {
        if (!store.#packsStamp) await store.#listPacks();
        for (const pack of store.#packs.values()) {
          let offset: number;
          try {
            offset = await pack.find(id);
          } catch (err) {
            unreadable.push(new RepositoryError(`${pack.idxPath}: ${message(err)}`, { cause: err }));
            continue;
          }
          if (offset < 0) continue;
          try {
            return await pack.read(offset, findBase);
          } catch (err) {
            if (err instanceof RepositoryError) throw err;
            // The pack went away under us (git gc): look again in a fresh listing.
            if (isMissing(err) && attempt === 0) break;
            throw new RepositoryError(`${pack.packPath}: object ${oid} at offset ${offset}: ${message(err)}`, {
              cause: err,
            });
          }
        }
      }
      for (const store of stores) {
        const object = await store.#readLoose(oid);
        if (object) return object;
      }
      let changed = false;
      for (const store of stores) if (await store.#listPacks()) changed = true;
      if (!changed) break;
      unreadable.length = 0;
    }
    if (unreadable.length > 0) {
      throw new RepositoryError(`object ${oid} not found, and ${unreadable[0].message}`, { cause: unreadable[0] });
    }
    throw new NotFoundError(`object ${oid} not found`);
  }

  /**
   * has reports whether the object is in a pack (an index lookup) or loose
   * (a stat), here or in an alternate, looking for new packs once before
   * answering false. An unreadable index is a RepositoryError.
   */
  async has(oid: string): Promise<boolean> {
    if (!isObjectId(oid)) return false;
    const id = idBytes(oid);
    for (let attempt = 0; attempt < 2; attempt++) {
      const stores = await this.#stores();
      for (const store of stores) {
        if (!store.#packsStamp) await store.#listPacks();
        for (const pack of store.#packs.values()) {
          const offset = await pack.find(id).catch((err) => {
            throw new RepositoryError(`${pack.idxPath}: ${message(err)}`, { cause: err });
          });
          if (offset >= 0) return true;
        }
      }
      for (const store of stores) {
        if (await statOrUndefined(this.options.fs, `${store.objectsDir}/${oid.slice(0, 2)}/${oid.slice(2)}`)) return true;
      }
      let changed = false;
      for (const store of stores) if (await store.#listPacks()) changed = true;
      if (!changed) break;
    }
    return false;
  }

  async #readLoose(oid: string): Promise<GitObject | undefined> {
    try {
      return await readLoose(this.options.fs, this.objectsDir, oid, this.#inflate);
    } catch (err) {
      throw new RepositoryError(`${this.objectsDir}: loose object ${oid}: ${message(err)}`, { cause: err });
    }
  }

  /** #stores is this store and its alternates, in lookup order. */
  async #stores(): Promise<ObjectStore[]> {
    return [this, ...(await this.#alternateStores())];
  }

  #alternateStores(): Promise<ObjectStore[]> {
    this.#alternates ??= (async () => {
      if (this.depth >= MAX_ALTERNATE_DEPTH) return [];
      const text = await readFileOrUndefined(this.options.fs, `${this.objectsDir}/info/alternates`);
      if (!text) return [];
      const stores: ObjectStore[] = [];
      for (const line of new TextDecoder().decode(text).split("\n")) {
        const path = line.trim();
        if (path === "" || path.startsWith("#")) continue;
        const alternate = new ObjectStore(joinPath(this.objectsDir, path), this.options, this.depth + 1);
        stores.push(alternate, ...(await alternate.#alternateStores()));
      }
      return stores;
    })();
    return this.#alternates;
  }

  /** #listPacks reads `objects/pack` unless its stamp says nothing changed, and reports whether the set of packs changed. */
  async #listPacks(): Promise<boolean> {
    const { fs, pool, windows, cache, indexes } = this.options;
    const dir = `${this.objectsDir}/pack`;
    if (this.#packsStamp && (await this.#packsStamp.unchanged(fs))) return false;
    const stamp = await Stamp.take(fs, [dir]);
    let names: string[];
    try {
      names = (await fs.readdir(dir)).map((e) => e.name);
    } catch (err) {
      if (!isMissing(err)) throw new RepositoryError(`${dir}: ${message(err)}`, { cause: err });
      if (!(await statOrUndefined(fs, this.objectsDir))?.isDirectory) {
        throw new RepositoryError(`${this.objectsDir}: objects directory is missing`);
      }
      names = [];
    }
    const present = new Set(names);
    const next = new Map<string, Pack>();
    // Name order is arbitrary but stable; git orders by mtime, which only matters for speed.
    for (const name of names.sort()) {
      if (!name.startsWith("pack-") || !name.endsWith(".idx")) continue;
      const packName = name.slice(0, -".idx".length) + ".pack";
      if (!present.has(packName)) continue;
      next.set(name, this.#packs.get(name) ?? new Pack(`${dir}/${packName}`, `${dir}/${name}`, fs, pool, windows, cache, this.#inflate, indexes));
    }
    const changed = next.size !== this.#packs.size || [...next.keys()].some((k) => !this.#packs.has(k));
    this.#packs = next;
    this.#packsStamp = stamp;
    return changed;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
