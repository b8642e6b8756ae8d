#!/usr/bin/env node
// zip-encoders: which compression should module zips use?
//
//   node bench/zip-encoders.mjs            # prints the table (needs git; Deno and Bun from devDependencies)
//
// A module zip must have the same bytes on Node, Deno and Bun, and a cold
// zip of a 1,500-file / 19 MB module may take at most 1.5× `git archive
// --format=zip` of the same tree. For each candidate encoder this script
// measures, on each runtime, the speed over ~19 MB of Go source in 1,500
// files (files of 2.5–60 kB from $GOROOT/src, evenly spaced; synthetic Go-like
// text if no Go tree is found), the size of the output, and whether the three
// runtimes produce the same bytes. It then times `git archive` of the same
// tree against src/zip/writer.ts with the h1: hash computed in the same pass.
//
// Times are the best of 5 runs after a warm-up (zip.js: 1 run, it is slow). The parent process runs
// itself with `--child` under each runtime; children print JSON.
//
// Decision (see src/zip/writer.ts): STORE. Only pure-JS or WebAssembly
// deflate (pako, standing in for fflate; zip.js's wasm zlib) gives the same
// bytes on all three runtimes, and it runs at 3–40 MB/s, too slow for the
// budget once git objects must also be read; native deflate (node:zlib,
// CompressionStream) differs per runtime. Storing costs only the CRC-32.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import zlib from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(ROOT, "package.json"));
const RUNTIME = typeof Deno !== "undefined" ? "deno" : typeof Bun !== "undefined" ? "bun" : "node";
const REPEAT = 5;

if (process.argv.includes("--child")) {
  const dir = process.argv[process.argv.indexOf("--child") + 1];
  console.log(JSON.stringify(await child(dir)));
} else {
  await parent();
}

// ---------------------------------------------------------------- parent

async function parent() {
  const work = mkdtempSync(join(tmpdir(), "gomodproxy-bench-"));
  try {
    const { files, source } = corpus();
    const total = files.reduce((n, f) => n + f.data.length, 0);
    const tree = join(work, "tree");
    for (const f of files) {
      mkdirSync(dirname(join(tree, f.name)), { recursive: true });
      writeFileSync(join(tree, f.name), f.data);
    }
    writeFileSync(join(work, "manifest.json"), JSON.stringify(files.map((f) => f.name)));
    await bundleLibrary(join(work, "lib.mjs"));

    const results = {};
    for (const [runtime, cmd, args] of [
      ["node", process.execPath, []],
      ["deno", join(ROOT, "node_modules", ".bin", "deno"), ["run", "-A", "--no-lock"]],
      ["bun", join(ROOT, "node_modules", ".bin", "bun"), []],
    ]) {
      if (runtime !== "node" && !existsSync(cmd)) continue;
      const r = spawnSync(cmd, [...args, fileURLToPath(import.meta.url), "--child", work], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
        env: { ...process.env, NO_COLOR: "1" },
      });
      if (r.status !== 0) {
        console.error(`${runtime} failed:\n${r.stderr}`);
        continue;
      }
      results[runtime] = JSON.parse(r.stdout.trim().split("\n").pop());
    }
    const git = gitArchiveSeconds(tree, work);
    printTable(files.length, total, source, results, git);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** corpus picks ~19 MB of Go source in 1,500 files, or makes Go-like text. */
function corpus() {
  let goroot = process.env.GOROOT;
  if (!goroot) {
    const r = spawnSync("go", ["env", "GOROOT"], { encoding: "utf8" });
    if (r.status === 0) goroot = r.stdout.trim();
  }
  const src = goroot && join(goroot, "src");
  if (src && existsSync(src)) {
    const all = [];
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && e.name.endsWith(".go")) {
          const size = statSync(p).size;
          if (size >= 2500 && size <= 60000) all.push(p);
        }
      }
    };
    walk(src);
    if (all.length >= 1500) {
      const files = [];
      for (let i = 0; i < 1500; i++) {
        const p = all[Math.floor((i * all.length) / 1500)];
        files.push({ name: relative(src, p), data: new Uint8Array(readFileSync(p)) });
      }
      return { files, source: `${src}, .go files of 2.5–60 kB, evenly spaced` };
    }
  }
  let seed = 1;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const words = ["func", "return", "if", "err", "!=", "nil", "for", "range", "var", "x", "int", "string", "ctx", ":=", "{", "}"];
  const files = [];
  for (let i = 0; i < 1500; i++) {
    let s = `package p${i % 40}\n\n`;
    while (s.length < 12600) {
      let line = "\t";
      for (let w = rand(10) + 2; w > 0; w--) line += words[rand(words.length)] + " ";
      s += line + "\n";
    }
    files.push({ name: `p${i % 40}/f${i}.go`, data: new TextEncoder().encode(s) });
  }
  return { files, source: "synthetic Go-like text (no Go source tree found)" };
}

/** bundleLibrary compiles the TypeScript under test to one ES module every runtime can import. */
async function bundleLibrary(out) {
  const esbuild = await import(pathToFileURL(require.resolve("esbuild")).href);
  const entry = join(dirname(out), "entry.ts");
  writeFileSync(
    entry,
    `export { createZipStream } from ${JSON.stringify(join(ROOT, "src/zip/writer.ts"))};\n` +
      `export { crc32 } from ${JSON.stringify(join(ROOT, "src/zip/crc32.ts"))};\n` +
      `export { Hash1Builder } from ${JSON.stringify(join(ROOT, "src/hash/dirhash.ts"))};\n`,
  );
  await esbuild.build({ entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", outfile: out, logLevel: "error" });
}

function gitArchiveSeconds(tree, work) {
  const git = (...args) => {
    const r = spawnSync("git", args, { cwd: tree, encoding: "utf8", maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  try {
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "corpus");
    git("gc", "-q");
  } catch (err) {
    console.error(`git unavailable: ${err.message}`);
    return undefined;
  }
  const out = join(work, "archive.zip");
  let best = Infinity;
  for (let i = 0; i <= REPEAT; i++) {
    const t0 = performance.now();
    git("-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=zip", "--prefix=prefix/", "-o", out, "HEAD");
    if (i > 0) best = Math.min(best, performance.now() - t0);
  }
  return { seconds: best / 1000, bytes: statSync(out).size };
}

function printTable(count, total, source, results, git) {
  const runtimes = ["node", "deno", "bun"];
  const mb = (total / 1e6).toFixed(1);
  console.log(`corpus: ${count} files, ${mb} MB (${source})`);
  console.log(`runtimes: ${runtimes.map((r) => `${r} ${results[r]?.version ?? "—"}`).join(", ")}\n`);
  const names = [...new Set(runtimes.flatMap((r) => Object.keys(results[r]?.encoders ?? {})))];
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  console.log(`${pad("encoder", 36)}${runtimes.map((r) => lpad(`${r} MB/s`, 11)).join("")}  ${lpad("size", 6)}  same bytes on all 3`);
  for (const name of names) {
    const cells = runtimes.map((r) => results[r]?.encoders[name]);
    const speeds = cells.map((c) => lpad(c ? (total / 1e6 / c.seconds).toFixed(0) : "—", 11)).join("");
    const first = cells.find((c) => c);
    const ratio = first ? (first.bytes / total).toFixed(2) : "—";
    const digests = new Set(cells.filter((c) => c).map((c) => c.sha256));
    const present = cells.filter((c) => c).length;
    const same = present < 2 ? "—" : digests.size === 1 ? "yes" : `no (${digests.size} different outputs)`;
    console.log(`${pad(name, 36)}${speeds}  ${lpad(ratio, 6)}  ${same}`);
  }
  console.log("");
  if (git) {
    const rate = (total / 1e6 / git.seconds).toFixed(0);
    console.log(`${pad("git archive --format=zip (C zlib)", 36)}${lpad(git.seconds.toFixed(3), 8)} s  ${rate} MB/s  ratio ${(git.bytes / total).toFixed(2)}`);
  }
  for (const r of runtimes) {
    const w = results[r]?.writer;
    if (!w) continue;
    const vs = git ? `  ${(w.seconds / git.seconds).toFixed(2)}× git archive` : "";
    console.log(`${pad(`createZipStream + h1 (${r})`, 36)}${lpad(w.seconds.toFixed(3), 8)} s${vs}`);
  }
  console.log("\n(createZipStream + h1 starts from file contents in memory; git archive reads its packed objects.)");
}

// ---------------------------------------------------------------- child

async function child(work) {
  const names = JSON.parse(readFileSync(join(work, "manifest.json"), "utf8"));
  const files = names.map((name) => ({ name, data: new Uint8Array(readFileSync(join(work, "tree", name))) }));
  const lib = await import(pathToFileURL(join(work, "lib.mjs")).href);
  const version = RUNTIME === "deno" ? Deno.version.deno : RUNTIME === "bun" ? Bun.version : process.versions.node;

  const perFile = {
    "store (CRC-32 only)": (d) => {
      lib.crc32(d);
      return d;
    },
    "node:zlib deflateRawSync level 6": (d) => new Uint8Array(zlib.deflateRawSync(d, { level: 6 })),
    "node:zlib deflateRawSync level 1": (d) => new Uint8Array(zlib.deflateRawSync(d, { level: 1 })),
    "CompressionStream deflate-raw": async (d) =>
      new Uint8Array(await new Response(new Blob([d]).stream().pipeThrough(new CompressionStream("deflate-raw"))).arrayBuffer()),
  };
  const pako = optional(() => require("pako"));
  if (pako) {
    perFile["pako level 6 (pure JS)"] = (d) => pako.deflateRaw(d, { level: 6 });
    perFile["pako level 1 (pure JS)"] = (d) => pako.deflateRaw(d, { level: 1 });
  }

  const encoders = {};
  for (const [name, encode] of Object.entries(perFile)) {
    encoders[name] = await measure(async () => {
      const outs = [];
      for (const f of files) outs.push(await encode(f.data));
      return outs;
    });
  }

  const zipjs = await optionalAsync(() => import(pathToFileURL(join(dirname(require.resolve("@zip.js/zip.js/package.json")), "index.js")).href));
  if (zipjs) {
    zipjs.configure({ useWebWorkers: false, useCompressionStream: false });
    encoders["zip.js ZipWriter level 6 (wasm zlib)"] = await measure(async () => {
      const w = new zipjs.ZipWriter(new zipjs.Uint8ArrayWriter(), {
        level: 6,
        lastModDate: new Date(Date.UTC(1980, 0, 1)),
        extendedTimestamp: false,
        keepOrder: true,
      });
      for (const f of files) await w.add(f.name, new zipjs.Uint8ArrayReader(f.data));
      return [await w.close()];
    }, 1);
  }

  const writer = await measure(async () => {
    const h = new lib.Hash1Builder();
    const prefix = "example.com/bench@v1.0.0/";
    async function* entries() {
      for (const f of files) {
        await h.add(prefix + f.name, f.data);
        yield { name: prefix + f.name, data: f.data };
      }
    }
    const zip = new Uint8Array(await new Response(lib.createZipStream(entries())).arrayBuffer());
    await h.sum();
    return [zip];
  });
  return { runtime: RUNTIME, version, encoders, writer };
}

/** measure runs f once to warm up, then `repeat` times, and reports the best time and the output's size and SHA-256. */
async function measure(f, repeat = REPEAT) {
  let outs = await f();
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    outs = await f();
    best = Math.min(best, performance.now() - t0);
  }
  const h = createHash("sha256");
  let bytes = 0;
  for (const o of outs) {
    h.update(o);
    bytes += o.length;
  }
  return { seconds: best / 1000, bytes, sha256: h.digest("hex") };
}

function optional(f) {
  try {
    return f();
  } catch {
    return undefined;
  }
}

async function optionalAsync(f) {
  try {
    return await f();
  } catch {
    return undefined;
  }
}
