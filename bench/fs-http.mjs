#!/usr/bin/env node
// End-to-end timings of `gomodproxy serve --root` on a large repository, side by side with
// `git archive --format=zip` and `git cat-file --batch` on the same tree, in the same run.
//
//   node bench/fs-http.mjs --root DIR --module example.com/big --version v1.57.4 [--rounds 3]
//
// Make a repository of real-world shape first (368k objects, 499 MiB pack, 575 tags):
//   node bench/fs-source.mjs --keep      (prints where it left the repository)
//
// Each round starts a fresh proxy process (so the first request is truly cold), then asks:
// .zip (cold), .info, .mod, @v/list (cold), then warm @v/list and a 404 probe, 50 times each.
// A last fresh process measures fairness: @v/list latency while a cold .zip is being built.
// Peak RSS is the proxy process's VmHWM from /proc. Needs git, node and the dev dependencies.
// Zips are downloaded by curl into /dev/null (by fetch here when curl is missing), as git archive
// writes into /dev/null: the go command, like curl, reads with native code.
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    root: { type: "string" },
    module: { type: "string", default: "example.com/big" },
    version: { type: "string", default: "v1.57.4" },
    rounds: { type: "string", default: "3" },
  },
});
if (!values.root) {
  console.error("usage: node bench/fs-http.mjs --root DIR [--module PATH] [--version V] [--rounds N]");
  process.exit(2);
}
const gitDir = join(values.root, `${values.module}.git`);
const tmp = mkdtempSync(join(tmpdir(), "gomodproxy-bench-"));
const cli = join(process.cwd(), "node_modules", ".cache", "gomodproxy-bench", `cli-${process.pid}.mjs`); // package imports resolve here
execFileSync("node_modules/.bin/esbuild", ["src/cli.ts", "--bundle", "--platform=node", "--format=esm", "--packages=external", `--outfile=${cli}`, "--log-level=warning"]);

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

// Output goes to /dev/null, as it does for the proxy's zip (curl -o /dev/null below): both sides are
// timed with a native reader, so neither pays for collecting megabytes in this process.
function timeCommand(cmd, args, input) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: gitDir, input, stdio: [input === undefined ? "ignore" : "pipe", "ignore", "ignore"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
  return { ms: ms(t0) };
}

const hasCurl = spawnSync("curl", ["--version"], { stdio: "ignore" }).status === 0;

/** download times a whole download with curl into /dev/null (fetch in this process where curl is missing). */
async function download(url) {
  if (!hasCurl) return get(url);
  const t0 = process.hrtime.bigint();
  const out = await new Promise((resolve, reject) =>
    execFile("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url], (err, stdout) => (err ? reject(err) : resolve(stdout)))
  );
  const [status, bytes] = out.split(" ").map(Number);
  return { ms: ms(t0), status, bytes };
}

function startProxy() {
  const child = spawn("node", [cli, "serve", "--listen", "127.0.0.1:0", "--root", values.root, "--no-access-log"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /^listening on (\S+)\n/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`proxy exited ${code}`)));
  });
}

async function get(url) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url);
  const body = new Uint8Array(await res.arrayBuffer());
  return { ms: ms(t0), status: res.status, bytes: body.length };
}

function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

const blobs = execFileSync("git", ["ls-tree", "-r", "--object-only", values.version], { cwd: gitDir, maxBuffer: 1 << 28 });
const rows = { zipCold: [], archiveZip: [], archiveTar: [], catFile: [], info: [], mod: [], listCold: [], listWarm: [], notFound: [], inside: [], zipWarm: [], rss: [] };
const base = `${values.module}/@v`;
for (let round = 0; round < Number(values.rounds); round++) {
  rows.archiveZip.push(timeCommand("git", ["archive", "--format=zip", values.version]).ms);
  const { child, url } = await startProxy();
  try {
    const zip = await download(`${url}/${base}/${values.version}.zip`);
    if (zip.status !== 200) throw new Error(`zip answered ${zip.status}`);
    rows.zipCold.push(zip.ms);
    rows.info.push((await get(`${url}/${base}/${values.version}.info`)).ms);
    rows.mod.push((await get(`${url}/${base}/${values.version}.mod`)).ms);
    rows.listCold.push((await get(`${url}/${base}/list`)).ms);
    const warm = [];
    const probes = [];
    const inside = [];
    for (let i = 0; i < 50; i++) warm.push((await get(`${url}/${base}/list`)).ms);
    for (let i = 0; i < 50; i++) {
      const r = await get(`${url}/${values.module.split("/")[0]}/no-such-repo${i}/pkg/@v/list`);
      if (r.status !== 404) throw new Error(`probe answered ${r.status}`);
      probes.push(r.ms);
    }
    for (let i = 0; i < 50; i++) inside.push((await get(`${url}/${values.module}/no/such/pkg${i}/@latest`)).ms);
    rows.listWarm.push(median(warm));
    rows.notFound.push(median(probes));
    rows.inside.push(median(inside));
    rows.zipWarm.push((await download(`${url}/${base}/${values.version}.zip`)).ms);
    rows.rss.push(peakRss(child.pid));
  } finally {
    child.kill("SIGTERM");
  }
  rows.archiveTar.push(timeCommand("git", ["archive", "--format=tar", values.version]).ms);
  rows.catFile.push(timeCommand("git", ["cat-file", "--batch"], blobs).ms);
}

// Fairness: one more fresh process; while it builds the cold zip, ask for @v/list every 2 ms.
const during = [];
{
  const { child, url } = await startProxy();
  try {
    await get(`${url}/${base}/list`); // the listing is warm; only the zip is cold
    let building = true;
    const zip = download(`${url}/${base}/${values.version}.zip`).finally(() => (building = false));
    while (building) {
      during.push((await get(`${url}/${base}/list`)).ms);
      await new Promise((r) => setTimeout(r, 2));
    }
    await zip;
  } finally {
    child.kill("SIGTERM");
  }
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

rmSync(tmp, { recursive: true, force: true });
rmSync(cli, { force: true });

const f = (x) => x.toFixed(1);
const zip = median(rows.zipCold);
const archive = median(rows.archiveZip);
console.log(`repository ${gitDir}, ${values.module}@${values.version}, medians of ${values.rounds} rounds, zips read by ${hasCurl ? "curl" : "fetch"}\n`);
console.log("| measurement | time |");
console.log("| --- | ---: |");
console.log(`| cold .zip, first request to a fresh process | ${f(zip)} ms |`);
console.log(`| git archive --format=zip (same tree) | ${f(archive)} ms |`);
console.log(`| ratio cold .zip / git archive --format=zip | ${(zip / archive).toFixed(2)}× |`);
console.log(`| every round: cold .zip / git archive | ${rows.zipCold.map((z, i) => `${f(z)} / ${f(rows.archiveZip[i])}`).join(", ")} ms |`);
console.log(`| git archive --format=tar | ${f(median(rows.archiveTar))} ms |`);
console.log(`| git cat-file --batch, every blob of the tree | ${f(median(rows.catFile))} ms |`);
console.log(`| .info after the zip | ${f(median(rows.info))} ms |`);
console.log(`| .mod after the zip | ${f(median(rows.mod))} ms |`);
console.log(`| @v/list, first | ${f(median(rows.listCold))} ms |`);
console.log(`| @v/list, warm (median of 50) | ${f(median(rows.listWarm))} ms |`);
console.log(`| 404 for a path under no repository (median of 50) | ${f(median(rows.notFound))} ms |`);
console.log(`| 404 @latest for a package path inside the repository (median of 50) | ${f(median(rows.inside))} ms |`);
console.log(`| .zip, second request | ${f(median(rows.zipWarm))} ms |`);
console.log(`| proxy peak RSS | ${f(median(rows.rss))} MiB |`);
console.log(`| warm @v/list while a cold .zip is built (${during.length} requests): median / p90 / max | ${f(quantile(during, 0.5))} / ${f(quantile(during, 0.9))} / ${f(Math.max(...during))} ms |`);
