#!/usr/bin/env node
/**
 * bench/http-cache.mjs: warm `.zip` and `.info` requests per second through
 * gomodproxy's Node adapter, against a plain node:http server that answers
 * the same bytes and headers from memory. Target: at least 0.8× the plain
 * server.
 *
 *   npm ci && node bench/http-cache.mjs
 *   node bench/http-cache.mjs --connections 32 --duration 5 --rounds 7 --files 40
 *
 * Method (printed with the numbers):
 * - The sources are bundled with esbuild (a tsup dependency, so present
 *   after `npm ci`); nothing needs `npm run build`.
 * - Two child processes on this machine, started once: the proxy
 *   (`createProxy` over a `MemorySource` module of `--files` Go files, the
 *   default `MemoryCache`, metrics on, through `serve` from adapters/node.ts)
 *   and the plain server (node:http, a `Map` from path to bytes and headers).
 * - Both are warmed: the proxy builds and caches the zip and .info, the
 *   plain server is loaded with exactly the bytes and headers the proxy
 *   answered (checked equal before measuring), and each server gets
 *   `WARMUP_SECONDS` of load per path that are not counted.
 * - autocannon runs in this (parent) process: `--connections` keep-alive
 *   connections, no pipelining, `--duration` seconds per measurement.
 * - The servers are measured alternately, in one run: for each of
 *   `--rounds` rounds and each path, proxy then plain (even rounds) or plain
 *   then proxy (odd rounds), so drift in machine load hits both alike.
 * - Each round gives a ratio, proxy ÷ plain, of autocannon's mean requests
 *   per second measured back to back; the figure is the median of those
 *   ratios (req/s columns are medians too). Any non-2xx answer or socket
 *   error fails the run.
 * - Each server also reports its own CPU time (`process.cpuUsage`, user +
 *   system) around every measurement; CPU µs per request is the column to
 *   read on a busy machine, where throughput swings with other load.
 */

import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundle, median, REPO_ROOT } from "./lib.mjs";
import { parseArgs } from "node:util";

const MODULE = "bench.example/big";
/** WARMUP_SECONDS of uncounted load per server and path let both JITs settle. */
const WARMUP_SECONDS = 3;
const VERSION = "v1.0.0";

const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "32" },
    duration: { type: "string", default: "5" },
    rounds: { type: "string", default: "7" },
    files: { type: "string", default: "40" },
    child: { type: "string" },
    bundle: { type: "string" },
    data: { type: "string" },
  },
});

// ------------------------------------------------------------------ children

/** fixture is one module with `files` Go files of about 1.5 kB each. */
function fixture(files) {
  const tree = { "go.mod": `module ${MODULE}\n\ngo 1.21\n`, LICENSE: "MIT\n".repeat(200) };
  for (let i = 0; i < files; i++) {
    const body = Array.from({ length: 40 }, (_, j) => `// line ${j} of file ${i}: the quick brown fox\n`).join("");
    tree[`pkg${i % 8}/file${i}.go`] = `package pkg${i % 8}\n\n${body}func F${i}() int { return ${i} }\n`;
  }
  return [{ root: MODULE, commits: [{ id: "c1", date: "2024-05-01T00:00:00Z", files: tree }], tags: { [VERSION]: "c1" } }];
}

async function childProxy() {
  const lib = await import(pathToFileURL(args.bundle).href);
  const proxy = lib.createProxy({ source: new lib.MemorySource(fixture(Number(args.files))), metrics: true });
  const server = await lib.serve(proxy.handle, { hostname: "127.0.0.1", port: 0, signals: true });
  reportCpu();
  console.log(`listening on ${server.url}`);
}

/** reportCpu answers the parent's "cpu" messages with this process's CPU time so far, in µs. */
function reportCpu() {
  process.on("message", () => {
    const { user, system } = process.cpuUsage();
    process.send(user + system);
  });
  process.channel?.unref();
}

async function childPlain() {
  const answers = new Map(JSON.parse(await readFile(args.data, "utf8")).map((a) => [a.path, { headers: a.headers, body: Buffer.from(a.body, "base64") }]));
  const server = createServer((req, res) => {
    const a = answers.get(req.url);
    if (!a) return res.writeHead(404).end();
    res.writeHead(200, a.headers).end(a.body);
  });
  reportCpu();
  server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}

// -------------------------------------------------------------------- parent

function start(mode, extra) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--child", mode, ...extra], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
  const cpu = () => new Promise((resolve) => child.once("message", resolve).send("cpu"));
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("exit", (code) => reject(new Error(`${mode} server exited (${code}) before listening`)));
    child.stdout.on("data", (b) => {
      out += b;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ url: m[1], cpu, stop: () => child.kill("SIGTERM") });
    });
  });
}

/** load runs autocannon against one server and measures that server's CPU time per request too. */
async function load(autocannon, server, path, duration, connections) {
  const url = server.url + path;
  const cpuBefore = await server.cpu();
  const result = await autocannon({ url, connections, pipelining: 1, duration });
  const cpu = (await server.cpu()) - cpuBefore;
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { rps: result.requests.average, p99: result.latency.p99, cpuPerRequest: cpu / result.requests.total };
}


async function main() {
  if (args.child === "proxy") return childProxy();
  if (args.child === "plain") return childPlain();
  const autocannon = (await import("autocannon")).default;
  const connections = Number(args.connections);
  const duration = Number(args.duration);
  const rounds = Number(args.rounds);
  const work = await mkdtemp(join(tmpdir(), "gomodproxy-bench-"));
  const servers = [];
  try {
    const bundled = await bundle(
      join(work, "gomodproxy.bundle.mjs"),
      `export { createProxy, MemorySource } from "./src/index.ts";\nexport { serve } from "./adapters/node.ts";\n`,
    );
    const proxy = await start("proxy", ["--bundle", bundled, "--files", args.files]);
    servers.push(proxy);
    const paths = { zip: `/${MODULE}/@v/${VERSION}.zip`, info: `/${MODULE}/@v/${VERSION}.info` };

    // Warm the proxy and copy its exact answers into the plain server.
    const data = [];
    for (const path of Object.values(paths)) {
      const res = await fetch(proxy.url + path);
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      const headers = Object.fromEntries([...res.headers].filter(([k]) => !["date", "connection", "keep-alive", "transfer-encoding"].includes(k)));
      data.push({ path, headers, body: Buffer.from(await res.arrayBuffer()).toString("base64") });
    }
    await writeFile(join(work, "answers.json"), JSON.stringify(data));
    const plain = await start("plain", ["--data", join(work, "answers.json")]);
    servers.push(plain);
    for (const { path, body } of data) {
      const [a, b] = await Promise.all([fetch(proxy.url + path), fetch(plain.url + path)]);
      if (!Buffer.from(await a.arrayBuffer()).equals(Buffer.from(await b.arrayBuffer())) || body.length === 0) {
        throw new Error(`${path}: the two servers answer different bytes`);
      }
    }

    const targets = { proxy, plain };
    for (const path of Object.values(paths)) {
      for (const t of Object.values(targets)) await load(autocannon, t, path, WARMUP_SECONDS, connections);
    }
    const results = { zip: { proxy: [], plain: [] }, info: { proxy: [], plain: [] } };
    for (let r = 0; r < rounds; r++) {
      for (const [kind, path] of Object.entries(paths)) {
        const order = r % 2 === 0 ? ["proxy", "plain"] : ["plain", "proxy"];
        for (const name of order) {
          const m = await load(autocannon, targets[name], path, duration, connections);
          results[kind][name].push(m);
          process.stderr.write(`round ${r + 1} ${kind} ${name}: ${Math.round(m.rps)} req/s, ${m.cpuPerRequest.toFixed(1)} µs CPU/request\n`);
        }
      }
    }

    const sizes = Object.fromEntries(data.map((d) => [d.path.endsWith(".zip") ? "zip" : "info", Buffer.from(d.body, "base64").length]));
    console.log(`\ngomodproxy bench/http-cache.mjs — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`);
    console.log(`method: ${connections} connections, no pipelining, ${WARMUP_SECONDS} s warm-up, then ${duration} s per measurement, ${rounds} rounds, servers measured alternately (order flipped each round), ratio = median over rounds of proxy ÷ plain req/s\n`);
    console.log("| request | body bytes | plain node:http req/s | gomodproxy req/s | ratio (median of rounds) | per-round ratios | server CPU µs/request plain / proxy | p99 ms plain / proxy |");
    console.log("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
    let ok = true;
    for (const kind of ["zip", "info"]) {
      const { plain, proxy } = results[kind];
      const ratios = proxy.map((m, i) => m.rps / plain[i].rps);
      const ratio = median(ratios);
      ok &&= ratio >= 0.8;
      const rps = (ms) => Math.round(median(ms.map((m) => m.rps)));
      const p99 = (ms) => median(ms.map((m) => m.p99));
      const cpu = (ms) => median(ms.map((m) => m.cpuPerRequest)).toFixed(1);
      console.log(
        `| warm .${kind} | ${sizes[kind]} | ${rps(plain)} | ${rps(proxy)} | ${ratio.toFixed(2)}× | ${ratios.map((r) => r.toFixed(2)).join(" ")} | ${cpu(plain)} / ${cpu(proxy)} | ${p99(plain)} / ${p99(proxy)} |`,
      );
    }
    console.log(ok ? "\ntarget met: every ratio ≥ 0.8×" : "\ntarget missed: a ratio is below 0.8×");
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const s of servers) s.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
