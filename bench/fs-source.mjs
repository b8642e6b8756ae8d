#!/usr/bin/env node
/**
 * bench/fs-source.mjs measures FsGitSource's git reader on a large repository
 * against `git cat-file --batch` and isomorphic-git, and records peak RSS.
 *
 *   node bench/fs-source.mjs                      generate a repository (seed 1), measure, delete it
 *   node bench/fs-source.mjs --keep               keep the generated repository (path printed)
 *   node bench/fs-source.mjs --repo DIR --tag T   measure an existing bare repository at tag T
 *   node bench/fs-source.mjs --runtimes node,bun,deno   also run the reader under Bun and Deno
 *   node bench/fs-source.mjs --skip-isogit        skip isomorphic-git (it needs >1 GB and minutes)
 *   node bench/fs-source.mjs --repack             also `git repack -adf --depth=50` it first (gc'd shape)
 *   node bench/fs-source.mjs --scale 0.1          a smaller repository, for a quick look
 *   node bench/fs-source.mjs --rounds 5           rounds to take medians over (default 3)
 *
 * The generated repository has a real-world shape: 23,000 commits of a
 * 1,603-file Go tree (18.5 MB at the last tag, v1.57.4) that each change
 * three text files and rewrite one binary asset, 575 tags (half annotated,
 * refs packed), 368k objects in one 499 MiB pack as `git fast-import` writes
 * it (as pushes leave a repository that was never repacked: trees are long
 * delta chains scattered over the pack), deterministic from --seed.
 * `--repack` rewrites it as `git gc` would (271 MiB, newest objects first).
 *
 * Every measured reader runs in its own child process (the OS page cache is
 * warmed first, for every reader alike). Columns: "new process" reads with
 * a new source in a new process (JIT and heap cold), timed from the first
 * call, not the runtime's start; "cold repo, warm process"
 * reads with a new source (index, windows and caches empty) after three
 * passes have warmed the process, as a long-running server meets a version
 * nobody asked for yet; "warm repo" reads again with the first source. CPU
 * is user + system of the whole process (I/O and GC threads too), from
 * `process.cpuUsage` or, for git, /usr/bin/time. Peak RSS is VmHWM (or
 * `process.resourceUsage().maxRSS`) right after the cold read. Rounds
 * interleave the readers and the table shows medians, so that load from
 * elsewhere on the machine falls on all of them alike.
 *
 * To add HTTP-level timings (.zip, .info, @v/list) import `prepare`,
 * `runChild` and `childModes` from this file: `prepare()` gives the
 * repository, the tag, its blob ids and a bundle of the TypeScript sources
 * that Node can import; a new child mode is a function added to
 * `childModes`, run in a fresh process by `runChild(mode, ctx)`.
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundle, flag, median, REPO_ROOT } from "./lib.mjs";


// ---------------------------------------------------------------- generation

/** SHAPE is the generated repository at --scale 1. */
export const SHAPE = {
  commits: 23000,
  textFiles: 1452,
  binaryFiles: 150,
  textEditsPerCommit: 3,
  tagEvery: 40,
  meanTextLines: 280,
  meanBinaryBytes: 10 << 10,
};

function rng(seed) {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ("ctx err nil return func if else for range go defer select case switch type struct interface map chan " +
  "string int64 byte bool len append make copy new fmt Errorf Sprintf io Reader Writer http Request Response " +
  "client server handler config options value key name path version module repo tree blob commit tag ref").split(" ");

function textLine(r) {
  const n = 2 + Math.floor(r() * 9);
  let s = "\t".repeat(1 + Math.floor(r() * 3));
  for (let i = 0; i < n; i++) s += (i ? " " : "") + WORDS[Math.floor(r() * WORDS.length)];
  if (r() < 0.3) s += ` // ${Math.floor(r() * 1e6)}`;
  return s;
}

function randomBytes(r, size) {
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, size >> 2);
  let x = (r() * 4294967296) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return out;
}

/**
 * generateRepo writes a bare repository at dir with `git fast-import` and
 * returns `{ tag, tags, commits }`; the same seed gives the same objects.
 */
export async function generateRepo(dir, { seed = 1, scale = 1 } = {}) {
  const r = rng(seed);
  const shape = { ...SHAPE, commits: Math.max(SHAPE.tagEvery, Math.round(SHAPE.commits * scale)) };
  await run("git", ["init", "-q", "--bare", "--initial-branch=main", dir]);
  const child = spawn("git", ["-C", dir, "fast-import", "--quiet", "--done"], {
    stdio: ["pipe", "inherit", "inherit"],
    // glibc returns freed memory to the kernel after every object zlib allocates, and on
    // virtual machines where unmapping flushes every CPU's TLB that made fast-import 7× slower.
    env: { ...process.env, MALLOC_TRIM_THRESHOLD_: String(1 << 30), MALLOC_TOP_PAD_: String(64 << 20) },
  });
  const exited = new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`))))
  );
  let pending = [];
  let pendingBytes = 0;
  const enc = new TextEncoder();
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunk = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once("drain", resolve));
  };
  const put = async (x) => {
    const b = typeof x === "string" ? enc.encode(x) : x;
    pending.push(b);
    pendingBytes += b.length;
    if (pendingBytes > 4 << 20) await flush();
  };
  const data = async (bytes) => {
    await put(`data ${bytes.length}\n`);
    await put(bytes);
    await put("\n");
  };

  const top = ["cmd", "internal", "pkg", "api", "tools", "server", "client", "store"];
  const dirs = [];
  for (const t of top) {
    for (let i = 0; i < 4; i++) {
      const sub = `${t}/${WORDS[Math.floor(r() * WORDS.length)]}${i}`;
      dirs.push(sub);
      for (let j = 0; j < 4; j++) dirs.push(`${sub}/${WORDS[Math.floor(r() * WORDS.length)]}${j}`);
    }
  }
  const texts = [];
  for (let i = 0; i < shape.textFiles; i++) {
    const lines = [];
    const n = Math.max(10, Math.round(shape.meanTextLines * (0.2 + 1.6 * r())));
    for (let k = 0; k < n; k++) lines.push(textLine(r));
    texts.push({ path: `${dirs[i % dirs.length]}/${WORDS[Math.floor(r() * WORDS.length)]}_${i}.go`, lines });
  }
  const binaries = [];
  for (let i = 0; i < shape.binaryFiles; i++) binaries.push({ path: `assets/a${i % 15}/data_${i}.bin` });
  const binarySize = () => Math.round(shape.meanBinaryBytes * (0.3 + 1.4 * r()));

  let tagCount = 0;
  let lastTag = "";
  const stamp = (i) => `Gopher <gopher@example.com> ${1500000000 + i * 600} +0000`;
  for (let c = 1; c <= shape.commits; c++) {
    await put(`commit refs/heads/main\nmark :${c}\nauthor ${stamp(c)}\ncommitter ${stamp(c)}\n`);
    await data(enc.encode(`change ${c}\n`));
    if (c > 1) await put(`from :${c - 1}\n`);
    const changed = c === 1 ? texts : Array.from({ length: shape.textEditsPerCommit }, () => texts[Math.floor(r() * texts.length)]);
    for (const t of new Set(changed)) {
      if (c > 1) {
        const at = Math.floor(r() * t.lines.length);
        const n = 1 + Math.floor(r() * 4);
        t.lines.splice(at, n, ...Array.from({ length: n + (r() < 0.5 ? 0 : 1) }, () => textLine(r)));
      }
      await put(`M 100644 inline ${t.path}\n`);
      await data(enc.encode(t.lines.join("\n") + "\n"));
    }
    const bins = c === 1 ? binaries : [binaries[Math.floor(r() * binaries.length)]];
    for (const b of bins) {
      await put(`M 100644 inline ${b.path}\n`);
      await data(randomBytes(r, binarySize()));
    }
    if (c === 1) {
      await put(`M 100644 inline go.mod\n`);
      await data(enc.encode("module example.com/big\n\ngo 1.21\n"));
    }
    await put("\n");
    if (c % shape.tagEvery === 0 || c === shape.commits) {
      const name = `v1.${Math.floor(tagCount / 10)}.${tagCount % 10}`;
      if (tagCount % 2 === 0) {
        await put(`tag ${name}\nfrom :${c}\ntagger ${stamp(c)}\n`);
        await data(enc.encode(`release ${name}\n`));
      } else {
        await put(`reset refs/tags/${name}\nfrom :${c}\n\n`);
      }
      tagCount++;
      lastTag = name;
    }
  }
  await put("done\n");
  await flush();
  child.stdin.end();
  await exited;
  await run("git", ["-C", dir, "pack-refs", "--all", "--prune"]);
  return { tag: lastTag, tags: tagCount, commits: shape.commits };
}

// ------------------------------------------------------------------ helpers

function run(cmd, args, { input, binary = false, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "inherit"],
      env: { ...process.env, ...env },
    });
    const chunks = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}`));
      const out = Buffer.concat(chunks);
      resolve(binary ? out : out.toString());
    });
    if (input !== undefined) {
      child.stdin.on("error", () => {}); // the exit code tells what went wrong
      child.stdin.end(input);
    }
  });
}

/** bundleSources compiles the TypeScript reader into one module Node, Bun and Deno can import. */
export function bundleSources(outDir) {
  return bundle(
    join(outDir, "fs-source.bundle.mjs"),
    `
      export { FsGitSource } from "./src/sources/fs.ts";
      export { ObjectStore } from "./src/sources/fs-git/object-store.ts";
      export { HandlePool } from "./src/sources/fs-git/handle-pool.ts";
      export { PackWindows } from "./src/sources/fs-git/pack-windows.ts";
      export { BaseCache } from "./src/sources/fs-git/base-cache.ts";
      export { IndexBudget } from "./src/sources/fs-git/pack-index.ts";
      export { nodeFileSystem } from "./src/sources/fs-git/node-fs.ts";
      export { decompressionStreamInflate, inflateExact } from "./src/sources/fs-git/inflate.ts";
      export { parseCommit, parseTag, parseTree } from "./src/git/object.ts";
    `,
  );
}

async function peakRssMiB() {
  try {
    const status = await readFile("/proc/self/status", "utf8");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

// ---------------------------------------------------------- child processes

/** timed runs f and returns its result with wall and CPU (user + system) milliseconds. */
async function timed(f) {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const result = await f();
  const used = process.cpuUsage(cpu);
  return { result, ms: performance.now() - t0, cpuMs: (used.user + used.system) / 1000 };
}

/** WARMUP_PASSES is how many times a child reads everything before timing a cold repository in a warm process. */
const WARMUP_PASSES = 3;

/** sources opened by a child, closed before it reports. */
const opened = [];

async function openBig(lib, ctx) {
  const source = new lib.FsGitSource({ mappings: { "example.com/big": ctx.repo } });
  opened.push(source);
  return await source.open("example.com/big");
}

/** withFreshSource runs f on the repository of a new source, then closes and drops the source. */
async function withFreshSource(lib, ctx, f) {
  const source = new lib.FsGitSource({ mappings: { "example.com/big": ctx.repo } });
  try {
    return await f(await source.open("example.com/big"));
  } finally {
    await source.close();
  }
}

/**
 * childModes are the measurements that run in a fresh process. Each gets
 * `ctx` (the JSON from `prepare`, plus `bundle`) and returns a JSON-able
 * result; `peakRssMiB` is added to it.
 */
export const childModes = {
  /** reader reads every blob of the tag by id, one after another: cold, then again warm. */
  async reader(ctx, { inflate } = {}) {
    const lib = await import(pathToFileURL(ctx.bundle).href);
    let repo;
    const cold = await timed(async () => {
      if (inflate) {
        const fs = lib.nodeFileSystem;
        const pool = new lib.HandlePool(fs);
        opened.push({ close: () => pool.closeAll() });
        const store = new lib.ObjectStore(`${ctx.repo}/objects`, {
          fs,
          pool,
          windows: new lib.PackWindows(pool),
          cache: new lib.BaseCache(),
          indexes: new lib.IndexBudget(),
          inflate: lib[inflate],
        });
        repo = { readObject: (oid) => store.read(oid) };
      } else {
        repo = await openBig(lib, ctx);
      }
      let bytes = 0;
      for (const oid of ctx.blobs) bytes += (await repo.readObject(oid)).data.length;
      return bytes;
    });
    const coldPeakRssMiB = await peakRssMiB();
    const warm = await timed(async () => {
      for (const oid of ctx.blobs) await repo.readObject(oid);
    });
    // A new source has empty caches and reloads the index: a cold repository in a warm process,
    // as a server that has run for a while sees a version nobody asked for yet.
    const readAll = () =>
      withFreshSource(lib, ctx, async (again) => {
        for (const oid of ctx.blobs) await again.readObject(oid);
      });
    for (let i = 0; i < WARMUP_PASSES && !inflate; i++) await readAll();
    const fresh = inflate ? undefined : await timed(readAll);
    return {
      coldMs: cold.ms,
      coldCpuMs: cold.cpuMs,
      warmMs: warm.ms,
      serverColdMs: fresh?.ms,
      serverColdCpuMs: fresh?.cpuMs,
      coldPeakRssMiB,
      bytes: cold.result,
    };
  },

  /** readerDecompressionStream is `reader` with the web-standard DecompressionStream inflating. */
  readerDecompressionStream(ctx) {
    return childModes.reader(ctx, { inflate: "decompressionStreamInflate" });
  },

  /** walk does what a .zip does: refs, tag → commit → tree, recursively, reading every blob. */
  async walk(ctx) {
    const lib = await import(pathToFileURL(ctx.bundle).href);
    const walkOnce = async (repo) => {
      const refs = await repo.refs();
      const ref = refs.byName.get(`refs/tags/${ctx.tag}`);
      let obj = await repo.readObject(ref.peeled ?? ref.oid);
      while (obj.type === "tag") obj = await repo.readObject(lib.parseTag(obj.data).object);
      const stack = [lib.parseCommit(obj.data).tree];
      let files = 0;
      while (stack.length) {
        const tree = await repo.readObject(stack.pop());
        for (const e of lib.parseTree(tree.data)) {
          if (e.mode === "40000") stack.push(e.oid);
          else if (e.mode !== "160000") {
            files++;
            await repo.readObject(e.oid);
          }
        }
      }
      return files;
    };
    let repo;
    const cold = await timed(async () => walkOnce((repo = await openBig(lib, ctx))));
    const coldPeakRssMiB = await peakRssMiB();
    const warm = await timed(() => walkOnce(repo));
    for (let i = 0; i < WARMUP_PASSES; i++) await withFreshSource(lib, ctx, walkOnce);
    const fresh = await timed(() => withFreshSource(lib, ctx, walkOnce));
    return {
      coldMs: cold.ms,
      coldCpuMs: cold.cpuMs,
      warmMs: warm.ms,
      serverColdMs: fresh.ms,
      serverColdCpuMs: fresh.cpuMs,
      coldPeakRssMiB,
      files: cold.result,
    };
  },

  /** refs lists refs cold, then warm (median of 50), and times 404 probes (median of 50). */
  async refs(ctx) {
    const lib = await import(pathToFileURL(ctx.bundle).href);
    const source = new lib.FsGitSource({ root: ctx.root });
    opened.push(source);
    const cold = await timed(async () => (await source.open(ctx.modulePath)).refs());
    const warm = [];
    for (let i = 0; i < 50; i++) warm.push((await timed(async () => (await source.open(ctx.modulePath)).refs())).ms);
    const probes = [];
    for (let i = 0; i < 50; i++) {
      probes.push((await timed(() => source.open(`example.com/not/a/module/${i}`).catch(() => {}))).ms);
    }
    return {
      refs: cold.result.byName.size,
      coldMs: cold.ms,
      warmMedianMs: median(warm),
      notFoundMedianMs: median(probes),
    };
  },

  /** isogit reads every blob of the tag with isomorphic-git's readObject (one shared cache). */
  async isogit(ctx) {
    const git = await import("isomorphic-git");
    const fs = await import("node:fs");
    const cache = {};
    const read = async () => {
      let bytes = 0;
      for (const oid of ctx.blobs) {
        bytes += (await git.readObject({ fs, gitdir: ctx.repo, oid, format: "content", cache })).object.length;
      }
      return bytes;
    };
    const cold = await timed(read);
    const coldPeakRssMiB = await peakRssMiB();
    const warm = await timed(read);
    return { coldMs: cold.ms, coldCpuMs: cold.cpuMs, warmMs: warm.ms, coldPeakRssMiB, bytes: cold.result };
  },
};

const RUNTIMES = {
  node: (script) => ["node", [script]],
  bun: (script) => [join(REPO_ROOT, "node_modules/.bin/bun"), [script]],
  deno: (script) => [join(REPO_ROOT, "node_modules/.bin/deno"), ["run", "-A", script]],
};

/** runChild runs one child mode in a fresh process of the runtime and returns its result with wall time. */
export async function runChild(mode, ctx, runtime = "node") {
  const ctxFile = join(ctx.work, `ctx-${mode}.json`);
  await writeFile(ctxFile, JSON.stringify(ctx));
  const [cmd, args] = RUNTIMES[runtime](fileURLToPath(import.meta.url));
  const t0 = performance.now();
  const out = await run(cmd, [...args, "--child", mode, ctxFile]);
  const wallMs = performance.now() - t0;
  return { ...JSON.parse(out.trim().split("\n").pop()), wallMs };
}

async function childMain(mode, ctxFile) {
  const ctx = JSON.parse(await readFile(ctxFile, "utf8"));
  const result = await childModes[mode](ctx);
  await Promise.all(opened.map((s) => s.close()));
  console.log(JSON.stringify({ ...result, peakRssMiB: await peakRssMiB() }));
}

// ----------------------------------------------------------------- parent

/** timedGit runs git under /usr/bin/time (when present) for its CPU time and peak RSS. */
async function timedGit(ctx, args, input) {
  const hasTime = existsSync("/usr/bin/time");
  const out = join(ctx.work, "time.txt");
  const t0 = performance.now();
  const stdout = hasTime
    ? await run("/usr/bin/time", ["-f", "%M %U %S", "-o", out, "git", "-C", ctx.repo, ...args], { input, binary: true })
    : await run("git", ["-C", ctx.repo, ...args], { input, binary: true });
  const wallMs = performance.now() - t0;
  if (!hasTime) return { wallMs, bytes: stdout.length };
  const [rss, user, sys] = (await readFile(out, "utf8")).trim().split("\n").pop().split(" ").map(Number);
  return { wallMs, coldMs: wallMs, coldCpuMs: (user + sys) * 1000, peakRssMiB: rss / 1024, bytes: stdout.length };
}

/** catFile times `git cat-file --batch` over the tag's blob ids. */
export function catFile(ctx) {
  return timedGit(ctx, ["cat-file", "--batch"], ctx.blobs.join("\n") + "\n");
}

/** gitArchive times `git archive` of the tag: tar reads what a zip reads, zip also compresses. */
export function gitArchive(ctx, format = "tar") {
  return timedGit(ctx, ["archive", `--format=${format}`, ctx.tag]);
}

/**
 * prepare generates (or takes) the repository, lists the tag's blobs, warms
 * the page cache and bundles the sources. `cleanup()` removes what it made.
 */
export async function prepare({ repo, tag, seed = 1, scale = 1, keep = false, repack = false } = {}) {
  const work = await mkdtemp(join(tmpdir(), "gomodproxy-bench-"));
  let generated;
  if (!repo) {
    const root = join(work, "root");
    repo = join(root, "example.com", "big.git");
    const t0 = performance.now();
    generated = await generateRepo(repo, { seed, scale });
    generated.seconds = (performance.now() - t0) / 1000;
    tag = generated.tag;
  }
  if (repack) {
    await run("git", ["-C", repo, "repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=10"], {
      env: { MALLOC_TRIM_THRESHOLD_: String(1 << 30), MALLOC_TOP_PAD_: String(64 << 20) },
    });
  }
  const count = await run("git", ["-C", repo, "count-objects", "-v"]);
  const stats = Object.fromEntries(count.trim().split("\n").map((l) => l.split(": ")));
  const listing = await run("git", ["-C", repo, "ls-tree", "-r", tag]);
  const blobs = listing.trim().split("\n").map((l) => l.split(/\s+/)).filter((f) => f[1] === "blob").map((f) => f[2]);
  await run("sh", ["-c", `cat "${repo}"/objects/pack/* > /dev/null`]);
  const bundle = await bundleSources(work);
  const ctx = {
    work,
    repo,
    tag,
    blobs,
    bundle,
    root: dirname(dirname(repo)),
    modulePath: `${dirname(repo).split("/").pop()}/${repo.split("/").pop().replace(/\.git$/, "")}`,
    objects: Number(stats["count"] ?? 0) + Number(stats["in-pack"] ?? 0),
    packMiB: Number(stats["size-pack"] ?? 0) / 1024,
    tags: (await run("git", ["-C", repo, "tag"])).trim().split("\n").length,
    generated,
  };
  ctx.cleanup = () => (keep ? Promise.resolve() : rm(work, { recursive: true, force: true }));
  return ctx;
}

async function main(argv) {
  const ctx = await prepare({
    repo: flag(argv, "repo", undefined),
    tag: flag(argv, "tag", undefined),
    seed: Number(flag(argv, "seed", 1)),
    scale: Number(flag(argv, "scale", 1)),
    keep: Boolean(flag(argv, "keep", false)),
    repack: Boolean(flag(argv, "repack", false)),
  });
  const rounds = Number(flag(argv, "rounds", 3));
  const { cleanup, ...shown } = ctx;
  const sizes = await run("git", ["-C", ctx.repo, "cat-file", "--batch-check=%(objectsize)"], {
    input: ctx.blobs.join("\n") + "\n",
  });
  const treeBytes = sizes.trim().split("\n").reduce((a, b) => a + Number(b), 0);
  console.log(`repository ${ctx.repo}${ctx.generated ? ` (generated in ${ctx.generated.seconds.toFixed(0)} s)` : ""}`);
  console.log(
    `  ${ctx.objects} objects, pack ${ctx.packMiB.toFixed(0)} MiB, ${ctx.tags} tags; ` +
      `${ctx.tag}: ${ctx.blobs.length} files, ${(treeBytes / 1e6).toFixed(1)} MB; medians of ${rounds} rounds`,
  );
  console.log(`${"".padEnd(44)}  -- new process --  cold repo, warm process   warm`);
  console.log(`${"".padEnd(44)}      read      CPU      read      CPU         repo  peak RSS`);

  // Rounds interleave the readers, so that load from elsewhere on the machine falls on all alike.
  const runtimes = String(flag(argv, "runtimes", "node")).split(",");
  const measures = [
    ["git cat-file --batch (blobs)", () => catFile(ctx)],
    ...runtimes.map((rt) => [`reader [${rt}] (blobs)`, () => runChild("reader", ctx, rt)]),
    ["git archive --format=tar (tree walk)", () => gitArchive(ctx, "tar")],
    ["git archive --format=zip (walk + deflate)", () => gitArchive(ctx, "zip")],
    ...runtimes.map((rt) => [`reader [${rt}] (tree walk)`, () => runChild("walk", ctx, rt)]),
  ];
  if (!flag(argv, "skip-stream", false)) {
    measures.push(["reader, DecompressionStream [node] (blobs)", () => runChild("readerDecompressionStream", ctx)]);
  }
  const results = new Map(measures.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, measure] of measures) results.get(name).push(await measure());
  }
  const rows = [];
  const f = (x, w = 6) => (x === undefined || Number.isNaN(x) ? "-" : x.toFixed(0)).padStart(w);
  const show = (name, runs) => {
    const pick = (k) => (runs.some((r) => r[k] === undefined) ? undefined : median(runs.map((r) => r[k])));
    const row = {
      name,
      coldMs: pick("coldMs"),
      coldCpuMs: pick("coldCpuMs"),
      wallMs: pick("wallMs"),
      serverColdMs: pick("serverColdMs"),
      serverColdCpuMs: pick("serverColdCpuMs"),
      warmMs: pick("warmMs"),
      // The peak while reading cold, in a new process; git's is its whole run.
      peakRssMiB: runs.length ? Math.max(...runs.map((r) => r.coldPeakRssMiB ?? r.peakRssMiB ?? 0)) : undefined,
    };
    rows.push(row);
    console.log(
      `${name.padEnd(44)} ${f(row.coldMs, 6)} ms ${f(row.coldCpuMs, 5)} ms ` +
        `${f(row.serverColdMs, 6)} ms ${f(row.serverColdCpuMs, 5)} ms ${f(row.warmMs, 8)} ms ${f(row.peakRssMiB, 5)} MiB`,
    );
  };
  for (const [name, runs] of results) show(name, runs);
  if (!flag(argv, "skip-isogit", false)) show("isomorphic-git readObject [node] (blobs)", [await runChild("isogit", ctx)]);
  const refs = await runChild("refs", ctx);
  console.log(
    `refs: ${refs.refs} refs, cold ${refs.coldMs.toFixed(1)} ms, warm median ${refs.warmMedianMs.toFixed(2)} ms; ` +
      `404 probe median ${refs.notFoundMedianMs.toFixed(2)} ms`,
  );
  if (flag(argv, "json", false)) console.log(JSON.stringify({ repo: shown, rows, refs }, null, 2));
  if (flag(argv, "keep", false)) console.log(`kept ${ctx.work}`);
  await cleanup();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const child = argv.indexOf("--child");
  if (child >= 0) await childMain(argv[child + 1], argv[child + 2]);
  else await main(argv);
}
