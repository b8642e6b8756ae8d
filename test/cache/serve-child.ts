/**
 * serve-child: a proxy over a FsGitSource root with a directory cache, run
 * as its own Node process by restart.test.ts (bundled with esbuild first).
 *
 * Configured by the JSON in GOMODPROXY_CHILD:
 *   { cacheDir, root, onTagMoved?, stall? }
 * `stall` ("zip" or "pin") makes the first matching cache write stop half
 * way: half the bytes reach the temporary file, the child prints
 * `stalled <path>` and the write never finishes, so the test can SIGKILL
 * the process in the middle of a cache write. Warnings are printed as
 * `warning: …` lines. The child exits by itself after two minutes.
 */
import { open } from "node:fs/promises";
import { serve } from "../../adapters/node.ts";
import { DirCache } from "../../src/cache/dir.ts";
import { MemoryCache } from "../../src/cache/memory.ts";
import { nodeCacheFileSystem } from "../../src/cache/node-fs.ts";
import { createProxy } from "../../src/handler.ts";
import { FsGitSource } from "../../src/sources/fs.ts";

interface Config {
  cacheDir: string;
  root: string;
  onTagMoved?: "serve" | "refuse";
  stall?: "zip" | "pin";
}

const config: Config = JSON.parse(process.env.GOMODPROXY_CHILD ?? "{}");
setTimeout(() => process.exit(3), 120_000).unref();

/** isStallTarget recognizes a zip data file, or a pin that records a zip hash. */
function isStallTarget(data: Uint8Array): boolean {
  const head = new TextDecoder().decode(data.subarray(0, 4096));
  if (config.stall === "zip") return head.startsWith("gomodproxy-cache 1 ") && head.includes("\nPK\u0003\u0004");
  if (config.stall === "pin") return head.startsWith("{") && head.includes('"zip": "h1:');
  return false;
}

let stalled = false;
const fs = {
  ...nodeCacheFileSystem,
  async writeFile(path: string, data: Uint8Array) {
    if (stalled || !isStallTarget(data)) return nodeCacheFileSystem.writeFile(path, data);
    stalled = true;
    const file = await open(path, "wx");
    await file.write(data.subarray(0, data.length >> 1));
    await file.sync();
    process.stdout.write(`stalled ${path}\n`);
    return new Promise<void>(() => {});
  },
};

const proxy = createProxy({
  source: new FsGitSource({ root: config.root }),
  cache: new MemoryCache({ next: new DirCache(config.cacheDir, fs) }),
  onTagMoved: config.onTagMoved,
  warn: (message) => process.stdout.write(`warning: ${message}\n`),
});
const server = await serve(proxy.handle, { hostname: "127.0.0.1", port: 0, signals: true });
process.stdout.write(`listening on ${server.url}\n`);
