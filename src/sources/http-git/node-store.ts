/**
 * NodeObjectStorage: fetched objects on disk, as git packs (Node, Deno and
 * Bun, through node:fs).
 *
 * Each partition (repository URL × credential, see `http.ts`) is a bare
 * git directory `<dir>/upstream-git/<partition>.git`; every verified pack
 * we receive is written there as it came, `objects/pack/pack-<sha>.pack`,
 * with the index git would have built (`pack-index-writer.ts`). So the
 * cache is as compact as the transfer, costs two file writes per fetch,
 * survives restarts, and can be inspected with git
 * (`git --git-dir=… cat-file -p <oid>`). Reads go through the disk git
 * reader of `FsGitSource` (`fs-git/object-store.ts`), which notices new
 * packs by the pack directory's mtime.
 *
 * A thin pack (deltas against objects of earlier packs, which we receive
 * when we send haves) is completed first, as `git index-pack --fix-thin`
 * does. A pack is written to a temporary name and renamed into place, the pack
 * before its index, so a reader never sees an index without its pack, and a
 * crash leaves at most a `tmp-*` file behind. Nothing but verified packs is
 * ever written.
 */

import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "../../errors.ts";
import type { GitObject } from "../../git/object.ts";
import { BaseCache, DEFAULT_BASE_CACHE_BYTES } from "../fs-git/base-cache.ts";
import { DEFAULT_OPEN_PACKS, HandlePool } from "../fs-git/handle-pool.ts";
import { nodeFileSystem } from "../fs-git/node-fs.ts";
import { ObjectStore } from "../fs-git/object-store.ts";
import { DEFAULT_INDEX_CACHE_BYTES, IndexBudget } from "../fs-git/pack-index.ts";
import { DEFAULT_WINDOW_CACHE_BYTES, PackWindows } from "../fs-git/pack-windows.ts";
import { deflateSync } from "node:zlib";
import { concat, toHex } from "../../git/object.ts";
import { crc32 } from "../../zip/crc32.ts";
import { writePackIndex } from "./pack-index-writer.ts";
import type { PackEntry, ParsedPack } from "./pack-stream.ts";
import { Sha1 } from "./sha1.ts";
import type { ObjectStorage, PartitionStore } from "./store.ts";

/** shared bounds open packs and cached bytes for every NodeObjectStorage of the process together. */
const shared = (() => {
  const pool = new HandlePool(nodeFileSystem, DEFAULT_OPEN_PACKS);
  return {
    pool,
    windows: new PackWindows(pool, DEFAULT_WINDOW_CACHE_BYTES),
    cache: new BaseCache(DEFAULT_BASE_CACHE_BYTES),
    indexes: new IndexBudget(DEFAULT_INDEX_CACHE_BYTES),
  };
})();

/**
 * NodeObjectStorage keeps every partition's objects under `dir`.
 *
 * ```ts
 * new HttpGitSource({ upstreams, storage: new NodeObjectStorage("/var/cache/gomodproxy") });
 * ```
 * Edge case: the directory is created on first use; the files are never
 * removed by gomodproxy (delete a partition directory to drop its objects).
 */
export class NodeObjectStorage implements ObjectStorage {
  readonly keepRaw = true;

  constructor(readonly dir: string) {}

  partition(id: string, url: string): PartitionStore {
    const gitDir = join(this.dir, "upstream-git", `${id}.git`);
    const packDir = join(gitDir, "objects", "pack");
    const store = new ObjectStore(join(gitDir, "objects"), {
      fs: nodeFileSystem,
      pool: shared.pool,
      windows: shared.windows,
      cache: shared.cache,
      indexes: shared.indexes,
    });
    let ready: Promise<void> | undefined;
    const init = () =>
      ready ??= (async () => {
        await mkdir(packDir, { recursive: true });
        await mkdir(join(gitDir, "refs"), { recursive: true });
        await writeFile(join(gitDir, "HEAD"), "ref: refs/heads/main\n");
        await writeFile(join(gitDir, "description"), `gomodproxy objects fetched from ${url}\n`);
      })().catch((err) => {
        ready = undefined;
        throw err;
      });
    return {
      get: async (oid: string): Promise<GitObject | undefined> => {
        await init();
        try {
          return await store.read(oid);
        } catch (err) {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        }
      },
      add: async (pack: ParsedPack): Promise<void> => {
        if (pack.entries.length === 0) return;
        if (!pack.raw) throw new Error("NodeObjectStorage needs the pack's bytes");
        await init();
        const whole = pack.bases.size > 0 ? completeThinPack(pack) : { raw: pack.raw, entries: pack.entries, checksum: pack.checksum };
        const name = `pack-${toHex(whole.checksum)}`;
        const tmp = join(packDir, `tmp-${name}-${Math.random().toString(36).slice(2)}`);
        try {
          await writeFile(`${tmp}.pack`, whole.raw);
          await writeFile(`${tmp}.idx`, writePackIndex(whole.entries, whole.checksum));
          await rename(`${tmp}.pack`, join(packDir, `${name}.pack`));
          await rename(`${tmp}.idx`, join(packDir, `${name}.idx`));
        } finally {
          await rm(`${tmp}.pack`, { force: true });
          await rm(`${tmp}.idx`, { force: true });
        }
      },
    };
  }
}

const TYPE_NUMBERS: Record<string, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };

/**
 * completeThinPack appends the outside bases a thin pack's deltas use, as
 * whole objects, and rewrites its object count and checksum, as
 * `git index-pack --fix-thin` does: git keeps no thin pack in a repository,
 * and neither do we, so every stored pack stands on its own.
 */
function completeThinPack(pack: ParsedPack): { raw: Uint8Array[]; entries: PackEntry[]; checksum: Uint8Array } {
  const original = concat(pack.raw!);
  const body = original.subarray(12, original.length - 20);
  const header = original.slice(0, 12);
  new DataView(header.buffer).setUint32(8, pack.entries.length + pack.bases.size);
  const parts: Uint8Array[] = [header, body];
  const entries = [...pack.entries];
  let offset = original.length - 20;
  for (const [oid, object] of pack.bases) {
    const head: number[] = [];
    let size = object.data.length;
    let c = (TYPE_NUMBERS[object.type] << 4) | (size & 15);
    size = Math.floor(size / 16);
    while (size > 0) {
      head.push(c | 0x80);
      c = size & 0x7f;
      size = Math.floor(size / 128);
    }
    head.push(c);
    const entry = concat([new Uint8Array(head), deflateSync(object.data)]);
    entries.push({ oid, offset, crc32: crc32(entry) });
    parts.push(entry);
    offset += entry.length;
  }
  const sha = new Sha1();
  for (const p of parts) sha.update(p);
  const checksum = sha.digest();
  parts.push(checksum);
  return { raw: parts, entries, checksum };
}

