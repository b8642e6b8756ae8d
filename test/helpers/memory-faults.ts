/**
 * memory-faults: damage an in-memory repository the way a broken disk
 * would, for tests of what clients see when a zip fails while it streams.
 */
import { type Server, serve } from "../../adapters/node.ts";
import { RepositoryError } from "../../src/errors.ts";
import { createProxy } from "../../src/handler.ts";
import { buildRepo, type MemoryRepository } from "../../src/sources/memory.ts";

/** blobWithText returns the id of the blob of repo whose content is text. */
export function blobWithText(repo: MemoryRepository, text: string): string {
  const found = [...repo.objects].find(([, o]) => o.type === "blob" && new TextDecoder().decode(o.data) === text);
  if (!found) throw new Error(`no blob ${JSON.stringify(text)}`);
  return found[0];
}

/** failReads makes every read of oid fail as a corrupt object does; `hasObject` still finds it. */
export function failReads(repo: MemoryRepository, oid: string): void {
  const read = repo.readObject.bind(repo);
  repo.readObject = (id) => (id === oid ? Promise.reject(new RepositoryError(`object ${id}: corrupt`)) : read(id));
}

/**
 * serveCutZip serves example.com/cut over the Node adapter on a free port:
 * the zip of v1.0.0 starts with a.txt (100 kB, so the headers and some
 * bytes leave first), then reading b.go fails.
 */
export async function serveCutZip(): Promise<Server> {
  const repo = await buildRepo({
    root: "example.com/cut",
    commits: [{ id: "c1", date: "2024-01-02T03:04:05Z", files: { "a.txt": "x".repeat(100_000), "b.go": "package cut\n", "go.mod": "module example.com/cut\n" } }],
    tags: { "v1.0.0": "c1" },
  });
  failReads(repo, blobWithText(repo, "package cut\n"));
  return serve(createProxy({ source: { open: async () => repo }, warn: () => {} }).handle, { hostname: "127.0.0.1", port: 0 });
}
