/**
 * HandlePool keeps a bounded number of packfiles open across all
 * repositories of a source, so serving many repositories cannot run out of
 * file descriptors. The least recently used idle handle is closed first; a
 * handle with reads in flight is never closed, and a closed pack simply
 * opens again on its next read.
 */

import type { FileHandle, FileSystem } from "./file-system.ts";

/** DEFAULT_OPEN_PACKS is how many packfiles a source keeps open at most while idle. */
export const DEFAULT_OPEN_PACKS = 64;

interface Entry {
  handle: Promise<FileHandle>;
  users: number;
}

export class HandlePool {
  #entries = new Map<string, Entry>();

  constructor(readonly fs: FileSystem, readonly maxOpen = DEFAULT_OPEN_PACKS) {}

  /** read reads buffer.length bytes of the file at path from position and returns the count read. */
  async read(path: string, buffer: Uint8Array, position: number): Promise<number> {
    let entry = this.#entries.get(path);
    if (entry) {
      this.#entries.delete(path);
    } else {
      entry = { handle: this.fs.open(path), users: 0 };
      // A failed open is not kept: the next read tries again.
      entry.handle.catch(() => this.#entries.get(path) === entry && this.#entries.delete(path));
    }
    this.#entries.set(path, entry);
    entry.users++;
    try {
      return await (await entry.handle).read(buffer, position);
    } finally {
      entry.users--;
      this.#trim();
    }
  }

  /** closeAll closes every idle handle now and every busy one when its reads finish. */
  async closeAll(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((e) => e.handle.then((h) => h.close()).catch(() => {})));
  }

  #trim(): void {
    let excess = this.#entries.size - this.maxOpen;
    for (const [path, entry] of this.#entries) {
      if (excess <= 0) break;
      if (entry.users > 0) continue;
      this.#entries.delete(path);
      excess--;
      entry.handle.then((h) => h.close()).catch(() => {});
    }
  }
}
