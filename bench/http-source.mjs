#!/usr/bin/env node
/**
 * bench/http-source.mjs measures HttpGitSource against `git clone --bare`
 * and `git fetch` of the same repository, from the same loopback
 * `git http-backend`, on the same machine, in the same run.
 *
 *   node bench/http-source.mjs                   generate a repository (scale 0.05), measure, delete it
 *   node bench/http-source.mjs --scale 0.2       a larger generated repository
 *   node bench/http-source.mjs --repo DIR --tag T --module M   an existing bare repository
 *   node bench/http-source.mjs --runs 5          repetitions per measurement (median shown; default 3)
 *   node bench/http-source.mjs --json            print the results as JSON too
 *
 * Needs `npm ci` (esbuild bundles the TypeScript sources), git with
 * /usr/lib/git-core/git-http-backend. The repository comes from
 * `generateRepo` in bench/fs-source.mjs: a Go tree of 1,602 files (19 MB)
 * and, at scale 0.05, 1,150 commits and 29 tags.
 *
 * gomodproxy rows (each run starts from a new HttpGitSource, nothing cached):
 * - first .info of a tag: refs listing (info/refs + ls-refs) and the fetch
 *   of the tag's commit at depth 1 (its whole tree), then
 * - .zip of that version right after (no upstream request), and
 * - a later .zip (warm: refs cached, objects stored);
 * - first .zip of a tag, everything included;
 * - first .info of the commit before the tag (a pseudo-version: adds the
 *   ancestry, commits only when the server allows filters);
 * - the next tag's .zip after a first one (the fetch sends haves);
 * - the same with the on-disk store, and a restart on a populated store.
 * git rows: `git ls-remote`, `git clone --bare` (whole history),
 * `git clone --bare --depth 1 --branch <tag>` and `git fetch --depth 1`
 * of the tag into an empty repository: the transfers a direct-mode
 * `go mod download` or a mirror would make.
 */

import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundle, flag, median, REPO_ROOT } from "./lib.mjs";

const HOST = "git.bench.test";

function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    const out = [];
    const err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new Error(`${cmd} ${args.join(" ")}: exit ${code}\n${Buffer.concat(err)}`))
    );
  });
}

const GIT_ENV = { ...process.env, HOME: "/nonexistent", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };

function bundleSources(outDir) {
  return bundle(
    join(outDir, "http-source.bundle.mjs"),
    `
      export { HttpGitSource } from "./src/sources/http.ts";
      export { nodeInflate, nodeRuntime } from "./src/sources/http-git/node.ts";
      export { jsInflate } from "./src/sources/http-git/inflate.ts";
      export { jsSha1 } from "./src/sources/http-git/sha1.ts";
      export { NodeObjectStorage } from "./src/sources/http-git/node-store.ts";
      export { createProxy } from "./src/handler.ts";
      export { startGitServer } from "./test/helpers/git-http.ts";
    `,
  );
}

async function timed(f) {
  const t0 = performance.now();
  const result = await f();
  return { ms: performance.now() - t0, result };
}

async function main(argv) {
  const runs = Number(flag(argv, "runs", 3));
  const work = await mkdtemp(join(tmpdir(), "gomodproxy-bench-http-"));
  const cleanup = () => rm(work, { recursive: true, force: true });
  try {
    let repo = flag(argv, "repo", undefined);
    let tag = flag(argv, "tag", undefined);
    let module = flag(argv, "module", undefined);
    if (!repo) {
      const { generateRepo } = await import("./fs-source.mjs");
      repo = join(work, "big.git");
      const scale = Number(flag(argv, "scale", 0.05));
      process.stderr.write(`generating a repository at scale ${scale}…\n`);
      const generated = await generateRepo(repo, { scale });
      tag = generated.tag;
      module = "example.com/big";
    }
    if (!tag || !module) throw new Error("--repo needs --tag and --module");
    const tags = (await run("git", ["-C", repo, "tag", "--sort=v:refname"], { env: GIT_ENV })).trim().split("\n");
    const previousTag = tags[tags.indexOf(tag) - 1];
    const packBytes = Number((await run("git", ["-C", repo, "count-objects", "-v"], { env: GIT_ENV })).match(/size-pack: (\d+)/)[1]) * 1024;

    const lib = await import(pathToFileURL(await bundleSources(work)).href);
    const root = join(work, "served");
    await mkdir(join(root, "127.0.0.1"), { recursive: true });
    await symlink(repo, join(root, "127.0.0.1", "big.git"));
    const server = await lib.startGitServer({ root, lifetimeMs: 60 * 60_000 });
    const url = `${server.url}/big.git`;

    // The module path maps onto the loopback server: <module> lives in <server>/big.git.
    const newSource = (options = {}) =>
      new lib.HttpGitSource({ upstreams: [{ prefix: module, url }], ...lib.nodeRuntime, ...options });
    const get = async (source, path) => {
      const res = await lib.createProxy({ source }).handle(new Request(`http://proxy.test/${module}/@v/${path}`));
      const body = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${new TextDecoder().decode(body)}`);
      return body.length;
    };

    const rows = [];
    const measure = async (name, f, note = "") => {
      const times = [];
      let detail;
      for (let i = 0; i < runs; i++) {
        const requests = server.requests;
        const t = await timed(f);
        times.push(t.ms);
        detail = { ...(t.result ?? {}), upstreamRequests: server.requests - requests };
      }
      rows.push({ name, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), note, ...detail });
      process.stderr.write(`  ${name}: ${Math.round(median(times))} ms\n`);
    };

    process.stderr.write(`measuring ${module}@${tag} (${runs} runs each)…\n`);
    // Warm the page cache and the JIT alike for everyone.
    await run("git", ["ls-remote", url], { env: GIT_ENV });
    await get(newSource(), `${tag}.zip`);

    await measure("gomodproxy: first .info (refs + fetch depth 1)", async () => {
      const source = newSource();
      await get(source, `${tag}.info`);
      return {};
    });
    let warmSource;
    await measure("gomodproxy: .zip right after the first .info", async () => {
      const source = newSource();
      await get(source, `${tag}.info`);
      const t = await timed(() => get(source, `${tag}.zip`));
      warmSource = source;
      return { zipOnlyMs: Math.round(t.ms), zipBytes: t.result };
    }, "time includes the .info; zipOnlyMs is the .zip alone");
    await measure("gomodproxy: later .zip (refs cached, objects stored)", async () => ({ zipBytes: await get(warmSource, `${tag}.zip`) }));
    await measure("gomodproxy: first .zip (refs + fetch + zip)", async () => ({ zipBytes: await get(newSource(), `${tag}.zip`) }));
    await measure("gomodproxy: first .zip, JavaScript inflate and SHA-1 (no node:zlib)", async () => ({
      zipBytes: await get(newSource({ inflate: lib.jsInflate, sha1: lib.jsSha1 }), `${tag}.zip`),
    }));
    // A commit just before the tag: its .info is a pseudo-version, which needs the ancestry back to a tag.
    const untagged = (await run("git", ["-C", repo, "rev-parse", `${tag}~1^{commit}`], { env: GIT_ENV })).trim();
    await measure("gomodproxy: first .info of an untagged commit (+ ancestry)", async () => {
      await get(newSource(), `${untagged}.info`);
      return {};
    });
    if (!flag(argv, "repo", undefined)) {
      await run("git", ["-C", repo, "config", "uploadpack.allowFilter", "true"], { env: GIT_ENV });
      await measure("gomodproxy: the same, server allows filters (ancestry as commits only)", async () => {
        await get(newSource(), `${untagged}.info`);
        return {};
      });
      await run("git", ["-C", repo, "config", "--unset", "uploadpack.allowFilter"], { env: GIT_ENV });
    }
    if (previousTag) {
      await measure(`gomodproxy: ${tag}.zip after ${previousTag}.zip (haves)`, async () => {
        const source = newSource();
        await get(source, `${previousTag}.zip`);
        const requests = server.requests;
        const t = await timed(() => get(source, `${tag}.zip`));
        return { secondZipMs: Math.round(t.ms), secondRequests: server.requests - requests };
      }, "time includes the first .zip; secondZipMs is the second alone");
    }
    await measure("gomodproxy: first .zip, on-disk store", async () => {
      const dir = await mkdtemp(join(work, "store-"));
      return { zipBytes: await get(newSource({ storage: new lib.NodeObjectStorage(dir) }), `${tag}.zip`) };
    });
    const stored = await mkdtemp(join(work, "store-"));
    await get(newSource({ storage: new lib.NodeObjectStorage(stored) }), `${tag}.zip`);
    await measure("gomodproxy: .zip after a restart, on-disk store (refs only)", async () => ({
      zipBytes: await get(newSource({ storage: new lib.NodeObjectStorage(stored) }), `${tag}.zip`),
    }));

    await measure("git ls-remote", () => run("git", ["ls-remote", url], { env: GIT_ENV }));
    await measure("git clone --bare (whole history)", async () => {
      const dir = await mkdtemp(join(work, "clone-"));
      await run("git", ["clone", "-q", "--bare", url, join(dir, "r.git")], { env: GIT_ENV });
      await rm(dir, { recursive: true, force: true });
    });
    await measure(`git clone --bare --depth 1 --branch ${tag}`, async () => {
      const dir = await mkdtemp(join(work, "clone-"));
      await run("git", ["clone", "-q", "--bare", "--depth", "1", "--branch", tag, url, join(dir, "r.git")], { env: GIT_ENV });
      await rm(dir, { recursive: true, force: true });
    });
    await measure(`git fetch --depth 1 ${tag} (into an empty repository)`, async () => {
      const dir = await mkdtemp(join(work, "fetch-"));
      await run("git", ["init", "-q", "--bare", dir], { env: GIT_ENV });
      await run("git", ["-C", dir, "fetch", "-q", "--depth", "1", url, `refs/tags/${tag}:refs/tags/${tag}`], { env: GIT_ENV });
      await rm(dir, { recursive: true, force: true });
    });

    await server.close();
    const info = `repository: ${repo} (pack ${(packBytes / 2 ** 20).toFixed(1)} MiB), ${module}@${tag}, ${runs} runs, node ${process.version}`;
    console.log(info);
    console.log("| measurement | median ms | min ms | upstream requests | notes |");
    console.log("| --- | ---: | ---: | ---: | --- |");
    for (const r of rows) {
      const extra = [r.note, r.zipOnlyMs !== undefined ? `zipOnlyMs ${r.zipOnlyMs}` : "", r.secondZipMs !== undefined ? `secondZipMs ${r.secondZipMs}, ${r.secondRequests} requests` : ""]
        .filter(Boolean).join("; ");
      console.log(`| ${r.name} | ${r.medianMs} | ${r.minMs} | ${r.upstreamRequests} | ${extra} |`);
    }
    if (flag(argv, "json", false)) console.log(JSON.stringify({ info, rows }, null, 2));
  } finally {
    await cleanup();
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
