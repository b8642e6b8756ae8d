/**
 * The directory cache across processes: a restart, an unreadable
 * repository, a moved tag, and a SIGKILL in the middle of a cache write.
 *
 * Each case runs serve-child.ts (bundled once with esbuild) as a real Node
 * process over a bare repository written by git from the fixture below, and
 * compares every answer with what an in-process proxy over the same fixture
 * in memory answers: same commits, so the same bytes.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy } from "../../src/handler.ts";
import { hashZip } from "../../src/hash/dirhash.ts";
import { buildRepo, type MemoryRepo, MemorySource } from "../../src/sources/memory.ts";
import { git, repoDir, writeRepos } from "../helpers/git-repo.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const fixture: MemoryRepo = {
  root: "example.com/m",
  commits: [
    { id: "c1", date: "2024-01-02T03:04:05Z", files: { "go.mod": "module example.com/m\n", "m.go": "package m // one\n", "LICENSE": "MIT\n" } },
    { id: "c2", date: "2024-02-03T04:05:06Z", files: { "m.go": "package m // two\n", "more.go": "package m\n" } },
  ],
  tags: { "v1.0.0": "c1", "v1.1.0": "c2" },
};

const PATHS = ["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"];

let work: string;
let bundle: string;
/** expected holds the in-memory proxy's answers: the bytes every child must serve. */
const expected = new Map<string, Uint8Array>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "gomodproxy-restart-"));
  const esbuild = await import("esbuild");
  bundle = join(work, "serve-child.mjs");
  await esbuild.build({
    entryPoints: [join(ROOT, "test/cache/serve-child.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile: bundle,
    logLevel: "warning",
  });
  const memory = createProxy({ source: new MemorySource([fixture]) });
  for (const path of PATHS) {
    expected.set(path, new Uint8Array(await (await memory.handle(new Request(`http://p/example.com/m/${path}`))).arrayBuffer()));
  }
});
afterAll(() => rm(work, { recursive: true, force: true }));

let n = 0;
/** layout makes a fresh repository root and cache directory. */
async function layout() {
  const dir = join(work, `case${n++}`);
  const root = join(dir, "repos");
  await writeRepos([fixture], root);
  return { root, cacheDir: join(dir, "cache"), repo: repoDir(root, fixture.root) };
}

interface Child {
  url: string;
  lines: string[];
  /** waitFor resolves with the first line matching re, now or later. */
  waitFor(re: RegExp): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function start(config: { root: string; cacheDir: string; onTagMoved?: string; stall?: string }): Promise<Child> {
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, GOMODPROXY_CHILD: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let buffered = "";
  child.stdout.on("data", (b: Buffer) => {
    buffered += b;
    let i;
    while ((i = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => w.re.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const waitFor = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return resolve(seen);
      waiters.push({ re, resolve });
      exited.then(() => reject(new Error(`child exited before printing ${re}:\n${lines.join("\n")}`)));
    });
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return waitFor(/^listening on /).then((line) => ({ url: line.slice("listening on ".length), lines, waitFor, stop }));
}

async function fetchBytes(child: Child, path: string): Promise<{ status: number; body: Uint8Array }> {
  const res = await fetch(`${child.url}/example.com/m/${path}`);
  return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
}

/** breakRepository removes the objects directory: every read fails (as root, chmod would not stop reads). */
async function breakRepository(repo: string) {
  await rm(join(repo, "objects"), { recursive: true, force: true });
}

describe("DirCache across processes", () => {
  it("after a restart, cached versions are served with the repository unreadable", async () => {
    const { root, cacheDir, repo } = await layout();
    const first = await start({ root, cacheDir });
    for (const path of PATHS) expect(await fetchBytes(first, path)).toEqual({ status: 200, body: expected.get(path) });
    await first.stop();

    await breakRepository(repo);
    const second = await start({ root, cacheDir });
    try {
      for (const path of PATHS) expect(await fetchBytes(second, path)).toEqual({ status: 200, body: expected.get(path) });
      expect((await fetchBytes(second, "@v/v1.1.0.info")).status).toBe(500); // not cached: the broken repository shows
    } finally {
      await second.stop();
    }
  });

  it("a tag moved after it was served yields the same h1: after a restart, rebuilt from the pinned commit", async () => {
    const { root, cacheDir, repo } = await layout();
    const first = await start({ root, cacheDir });
    const zip = await fetchBytes(first, "@v/v1.0.0.zip");
    await first.stop();
    const h1 = await hashZip(zip.body);

    const c2 = (await buildRepo(fixture)).commitIds.get("c2")!;
    await git(repo, ["update-ref", "refs/tags/v1.0.0", c2]);
    await rm(join(cacheDir, "data"), { recursive: true }); // the bytes are gone; only the pin remains

    const second = await start({ root, cacheDir });
    try {
      const again = await fetchBytes(second, "@v/v1.0.0.zip");
      expect(again.status).toBe(200);
      expect(await hashZip(again.body)).toBe(h1);
      expect(again.body).toEqual(expected.get("@v/v1.0.0.zip"));
      expect(await second.waitFor(/^warning: /)).toMatch(/^warning: example\.com\/m@v1\.0\.0: now resolves to commit [0-9a-f]{40}, not the pinned [0-9a-f]{40}; serving the pinned commit$/);
    } finally {
      await second.stop();
    }
  });

  it("SIGKILL in the middle of writing a zip leaves a cache that serves the right zip on the next start", async () => {
    const { root, cacheDir } = await layout();
    const first = await start({ root, cacheDir, stall: "zip" });
    const pending = fetch(`${first.url}/example.com/m/@v/v1.0.0.zip`).then((r) => r.arrayBuffer()).catch((err) => err);
    const tmp = (await first.waitFor(/^stalled /)).slice("stalled ".length);
    await first.stop("SIGKILL");
    expect(await pending).toBeInstanceOf(Error); // the client never got a zip
    expect((await stat(tmp)).size).toBeGreaterThan(0); // half a zip was on disk when the process died

    const second = await start({ root, cacheDir });
    try {
      expect(await fetchBytes(second, "@v/v1.0.0.zip")).toEqual({ status: 200, body: expected.get("@v/v1.0.0.zip") });
    } finally {
      await second.stop();
    }
    const data = await readdir(join(cacheDir, "data/example.com/m/@v/v1.0.0"));
    expect(data).toHaveLength(1);
  });

  it("SIGKILL in the middle of rewriting a pin keeps the old pin, and the cache serves with the repository unreadable", async () => {
    const { root, cacheDir, repo } = await layout();
    const first = await start({ root, cacheDir, stall: "pin" });
    expect((await fetchBytes(first, "@v/v1.0.0.info")).status).toBe(200); // pins the commit
    expect((await fetchBytes(first, "@v/v1.0.0.mod")).status).toBe(200); // adds the go.mod hash
    const pending = fetch(`${first.url}/example.com/m/@v/v1.0.0.zip`).then((r) => r.arrayBuffer()).catch((err) => err);
    await first.waitFor(/^stalled /); // the zip is stored; adding its hash to the pin stops half way
    await first.stop("SIGKILL");
    await pending;
    const pin = JSON.parse(await readFile(join(cacheDir, "pins/example.com/m/@v/v1.0.0.json"), "utf8"));
    expect(pin.zip).toBeUndefined(); // the old pin, whole
    expect(pin.mod).toMatch(/^h1:/);

    await breakRepository(repo);
    const second = await start({ root, cacheDir });
    try {
      for (const path of PATHS) expect(await fetchBytes(second, path)).toEqual({ status: 200, body: expected.get(path) });
    } finally {
      await second.stop();
    }
  });
});
