/**
 * Differential conformance suite: gomodproxy must answer exactly as the go
 * command does in direct mode (GOPROXY=direct) from the same git
 * repositories. The go command is the judge; nothing here restates its rules.
 *
 * How it works
 * 1. `fixtures.ts` describes repositories as text (`MemoryRepo`). They are
 *    written as real bare repositories with `git fast-import`
 *    (`test/helpers/git-repo.ts`) under `<tmp>/repos/<module root>.git`.
 * 2. `/etc/hosts` maps the fixture hosts (git.gomodproxy.test,
 *    vanity.gomodproxy.test, gopkg.in) to 127.0.0.1 in a marked block, and a
 *    loopback server on 127.0.0.1:80 (`test/helpers/git-http.ts`) answers
 *    `?go-get=1` with go-import meta tags and runs `git http-backend`. Module
 *    paths cannot carry a port, hence port 80 and root. Go 1.19 has no static
 *    rule for gopkg.in, so it takes the same `?go-get=1` route; GOINSECURE
 *    lets the go command fall back from https (refused) to http.
 * 3. Direct mode: for every query, `go mod download -json mod@query`, and
 *    `go list -m -versions` with and without `-retracted`
 *    (`test/helpers/go.ts`). Computed once per run. Every go command gets a
 *    fresh module cache, because a cached version is never asked for again
 *    and would let one query answer another; one command takes at most one
 *    query per module path (the k-th query of up to BATCH paths), since
 *    different paths share no cached answer. Direct mode's git clones
 *    (`cache/vcs`) are shared: every command still lists the remote's refs.
 * 4. For every source in `SOURCES` (memory; fs = `FsGitSource` over the
 *    written repositories; http = `HttpGitSource` against the loopback git
 *    server; a slot runs when its files exist) gomodproxy is started on a
 *    loopback port with that source and the same commands run with GOPROXY
 *    pointing at it. Compared field by field: the resolved
 *    Version, the `.info` Time, Sum (zip h1), GoModSum, the zip's file list,
 *    the stage at which an error occurs (info/mod/zip), and version lists.
 *    Error texts are shown but not compared: a proxy's wording differs.
 * A mismatch never means "fix the test": it is a difference from cmd/go.
 * The collected mismatches are printed at the end of each source's block.
 *
 * How to add a fixture: append a `Fixture` to `fixtures.ts` with the
 * repository (commits with dates in 2019–2024, files, tags, branches) and,
 * per module path, the queries and `list: true` to compare listings. Query
 * strings may name commits with templates (`{c3}`, `{c3.hash:7}`, see
 * `fixtures.ts`); give `want` to document what the query is there for —
 * "direct mode exercises" checks it, so a fixture that stops testing its rule
 * fails. Hosts outside `HOSTS` need adding there. A query the go command
 * cannot even send to a proxy gets `skip` with the reason.
 *
 * Set GOMODPROXY_CONFORMANCE_DUMP=<dir> to keep every outcome as JSON,
 * GOMODPROXY_CONFORMANCE_SOURCES=memory,fs to run only some sources, and
 * GOMODPROXY_CONFORMANCE_CACHE=<dir> to reuse direct-mode results while only
 * src/ changes (keyed by fixtures, harness, go and git versions; off in CI).
 *
 * Needs: root (for /etc/hosts and port 80), go at /usr/bin/go (1.19.8 is the
 * reference; GOMODPROXY_TEST_GO overrides), git with git-http-backend.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, MemorySource, type MemoryRepo } from "../../src/sources/memory.ts";
import type { RepoSource } from "../../src/sources/source.ts";
import { writeRepos } from "../helpers/git-repo.ts";
import { type GitServer, startGitServer } from "../helpers/git-http.ts";
import { createGoEnv, type Download, GO, type GoEnv, goListVersions, goModDownload, limit, type VersionList } from "../helpers/go.ts";
import { addHosts, removeHosts, removeHostsSync } from "../helpers/hosts.ts";
import { type CommitFacts, expand, fixtures, HOSTS, pseudoTime } from "./fixtures.ts";

/** CONCURRENCY bounds simultaneous go commands (each also runs git). */
const CONCURRENCY = 4;
/** BATCH bounds the module paths one go command handles (it resolves them one after another). */
const BATCH = 8;

// The proxy API, imported by path so that this file runs (direct half only)
// before src/handler.ts and adapters/node.ts exist.
interface Proxy {
  handle(req: Request): Promise<Response>;
}
type CreateProxy = (options: { source: RepoSource; basePath?: string }) => Proxy;
type Serve = (
  handle: (req: Request) => Promise<Response>,
  options: { hostname: string; port: number },
) => Promise<{ url: string; port: number; close(): Promise<void> }>;
const HANDLER = "../../src/handler.ts";
const NODE_ADAPTER = "../../adapters/node.ts";
const exists = (rel: string) => existsSync(new URL(rel, import.meta.url));
const load = (rel: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ rel);

/** SourceContext is what a source factory may use: the fixtures and where they are served. */
interface SourceContext {
  specs: MemoryRepo[];
  /** gitRoot holds the fixtures as `<root>/<module root>.git` (writeRepos layout). */
  gitRoot: string;
  /** gitServer serves them over smart HTTP on 127.0.0.1:80 for the fixture hosts. */
  gitServer: GitServer;
}

interface SourceSlot {
  name: string;
  /** requires lists files that must exist for the slot to run. */
  requires: string[];
  create(ctx: SourceContext): Promise<RepoSource>;
}

const SOURCES: SourceSlot[] = [
  { name: "memory", requires: [], create: async ({ specs }) => new MemorySource(specs) },
  {
    // FsGitSource reads the bare repositories writeRepos laid out on disk.
    name: "fs",
    requires: ["../../src/sources/fs.ts"],
    create: async ({ gitRoot }) => {
      const { FsGitSource } = (await load("../../src/sources/fs.ts")) as { FsGitSource?: new (o: { root: string }) => RepoSource };
      if (!FsGitSource) throw new Error("src/sources/fs.ts does not export FsGitSource");
      return new FsGitSource({ root: gitRoot });
    },
  },
  {
    // HttpGitSource fetches from ctx.gitServer (http://<host>/<root>.git on port 80) as from any code host.
    name: "http",
    requires: ["../../src/sources/http.ts"],
    create: async () => {
      type Upstream = { prefix: string; url: string };
      const { HttpGitSource } = (await load("../../src/sources/http.ts")) as { HttpGitSource?: new (o: { upstreams: Upstream[] }) => RepoSource };
      if (!HttpGitSource) throw new Error("src/sources/http.ts does not export HttpGitSource");
      return new HttpGitSource({ upstreams: HOSTS.map((h) => ({ prefix: h, url: `http://${h}/{path}.git` })) });
    },
  },
];

// ---- cases ------------------------------------------------------------------

interface DownloadCase {
  name: string;
  fixture: string;
  path: string;
  query: string;
  want?: string;
  skip?: string;
}

interface ListCase {
  name: string;
  fixture: string;
  path: string;
  retracted: boolean;
}

const downloads: DownloadCase[] = [];
const lists: ListCase[] = [];
for (const f of fixtures) {
  const built = await buildRepo(f.repo);
  const commits = new Map<string, CommitFacts>();
  for (const c of f.repo.commits) commits.set(c.id, { oid: built.commitIds.get(c.id)!, time: pseudoTime(c.date) });
  for (const m of f.modules) {
    for (const entry of m.queries) {
      const c = typeof entry === "string" ? { query: entry } : entry;
      const query = expand(c.query, commits);
      const shown = query === c.query ? query : `${c.query} = ${query}`;
      downloads.push({
        name: `${f.name}: ${m.path}@${shown}`,
        fixture: f.name,
        path: m.path,
        query,
        want: c.want === undefined ? undefined : expand(c.want, commits),
        skip: c.skip,
      });
    }
    if (m.list) {
      for (const retracted of [false, true]) {
        lists.push({ name: `${f.name}: go list -m -versions${retracted ? " -retracted" : ""} ${m.path}`, fixture: f.name, path: m.path, retracted });
      }
    }
  }
}

// ---- running the go command -------------------------------------------------

interface Results {
  downloads: Map<string, Download>;
  lists: Map<string, VersionList>;
}

/**
 * batches groups cases for as few go commands as isolation allows: the k-th
 * query of every module path together (never two of one module in one run),
 * at most BATCH per run so that runs spread over CONCURRENCY.
 */
function batches<T extends { path: string }>(cases: T[], key: (c: T) => string = () => ""): T[][] {
  const rounds = new Map<string, T[][]>();
  const seen = new Map<string, number>();
  for (const c of cases) {
    const k = key(c);
    const n = seen.get(`${k}\0${c.path}`) ?? 0;
    seen.set(`${k}\0${c.path}`, n + 1);
    const byRound = rounds.get(k) ?? [];
    rounds.set(k, byRound);
    (byRound[n] ??= []).push(c);
  }
  const out: T[][] = [];
  for (const byRound of rounds.values()) {
    for (const round of byRound) for (let i = 0; i < round.length; i += BATCH) out.push(round.slice(i, i + BATCH));
  }
  return out;
}

async function runAll(env: GoEnv, label: string): Promise<Results> {
  const started = Date.now();
  const run = limit(CONCURRENCY);
  const out: Results = { downloads: new Map(), lists: new Map() };
  const downloadRuns = batches(downloads);
  const listRuns = batches(lists, (c) => String(c.retracted));
  await Promise.all([
    ...downloadRuns.map((b) => run(async () => {
      const results = await goModDownload(env, b.map((c) => ({ mod: c.path, query: c.query })));
      b.forEach((c, i) => out.downloads.set(c.name, results[i]));
    })),
    ...listRuns.map((b) => run(async () => {
      const results = await goListVersions(env, b.map((c) => c.path), { retracted: b[0].retracted });
      b.forEach((c, i) => out.lists.set(c.name, results[i]));
    })),
  ]);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${label}: ${downloads.length} downloads and ${lists.length} lists in ${downloadRuns.length + listRuns.length} go commands, ${seconds} s`);
  return out;
}

/**
 * cachedDirect reuses direct-mode results from $GOMODPROXY_CONFORMANCE_CACHE
 * (a directory; unset by default, so CI always asks the go command). The key
 * covers everything they depend on: the fixtures and harness sources, and
 * the go and git versions. For local runs while changing src/ only.
 */
async function cachedDirect(compute: () => Promise<Results>): Promise<Results> {
  const dir = process.env.GOMODPROXY_CONFORMANCE_CACHE;
  if (!dir) return compute();
  const hash = createHash("sha256");
  for (const rel of ["./fixtures.ts", "./direct.test.ts", "../helpers/go.ts", "../helpers/git-http.ts", "../helpers/git-repo.ts"]) {
    hash.update(await readFile(new URL(rel, import.meta.url)));
  }
  for (const cmd of [[GO, "version"], ["git", "--version"]]) hash.update(execFileSync(cmd[0], cmd.slice(1)));
  const file = join(dir, `direct-${hash.digest("hex").slice(0, 16)}.json`);
  const cached = await readFile(file, "utf8").then((t) => JSON.parse(t) as SerializedResults, () => undefined);
  if (cached) return { downloads: new Map(Object.entries(cached.downloads)), lists: new Map(Object.entries(cached.lists)) };
  const results = await compute();
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify(serialize(results)));
  return results;
}

interface SerializedResults {
  downloads: Record<string, Download>;
  lists: Record<string, VersionList>;
}

function serialize(results: Results): SerializedResults {
  return { downloads: Object.fromEntries(results.downloads), lists: Object.fromEntries(results.lists) };
}

/** dump writes results as JSON to $GOMODPROXY_CONFORMANCE_DUMP/<name>.json, for reading by eye. */
async function dump(name: string, results: Results): Promise<void> {
  const dir = process.env.GOMODPROXY_CONFORMANCE_DUMP;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), JSON.stringify(serialize(results), null, 2) + "\n");
}

// ---- comparing ----------------------------------------------------------------

/** diffDownload names every field where the proxy's outcome differs from direct mode. */
function diffDownload(direct: Download, proxy: Download): string[] {
  const show = (d: Download) => (d.stage === "ok" ? d.version : `${d.stage} error: ${d.error}`);
  if (direct.stage !== proxy.stage) {
    return [`stage: direct ${direct.stage}, proxy ${proxy.stage}\n  direct: ${show(direct)}\n  proxy:  ${show(proxy)}`];
  }
  if (direct.stage === "info" || direct.stage === "command") return [];
  const out: string[] = [];
  const field = (name: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${name}: direct ${JSON.stringify(a)}, proxy ${JSON.stringify(b)}`);
  };
  field("Version", direct.version, proxy.version);
  field(".info Time", direct.time, proxy.time);
  if (direct.stage === "mod") return out;
  field("GoModSum", direct.goModSum, proxy.goModSum);
  if (direct.goModSum !== proxy.goModSum) field(".mod text", direct.goMod, proxy.goMod);
  if (direct.stage === "zip") return out;
  field("Sum", direct.sum, proxy.sum);
  const a = [...(direct.files ?? [])].sort();
  const b = [...(proxy.files ?? [])].sort();
  const onlyDirect = a.filter((n) => !b.includes(n));
  const onlyProxy = b.filter((n) => !a.includes(n));
  if (onlyDirect.length > 0) out.push(`zip files only in direct: ${JSON.stringify(onlyDirect)}`);
  if (onlyProxy.length > 0) out.push(`zip files only in proxy: ${JSON.stringify(onlyProxy)}`);
  return out;
}

function diffList(direct: VersionList, proxy: VersionList): string[] {
  if (direct.error !== undefined || proxy.error !== undefined) {
    if ((direct.error === undefined) !== (proxy.error === undefined)) {
      return [`error: direct ${JSON.stringify(direct.error ?? direct.versions)}, proxy ${JSON.stringify(proxy.error ?? proxy.versions)}`];
    }
    return [];
  }
  const a = JSON.stringify(direct.versions);
  const b = JSON.stringify(proxy.versions);
  return a === b ? [] : [`Versions: direct ${a}, proxy ${b}`];
}

/** matchesWant checks a direct-mode outcome against a fixture's documented intent. */
function matchesWant(d: Download, want: string): boolean {
  if (want.startsWith("!")) return d.stage === want.slice(1);
  return d.stage === "ok" && d.version === want;
}

// ---- the suite -----------------------------------------------------------------

let tmp = "";
let gitServer: GitServer | undefined;
let gitRoot = "";
let direct: Results | undefined;
const specs = fixtures.map((f) => f.repo);

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error("the conformance suite needs root: it edits /etc/hosts and listens on 127.0.0.1:80");
  if (!existsSync(GO)) throw new Error(`no go command at ${GO} (set GOMODPROXY_TEST_GO)`);
  tmp = await mkdtemp(join(tmpdir(), "gomodproxy-conformance-"));
  gitRoot = join(tmp, "repos");
  // Port 80 first: it is also the lock against a second run of this suite,
  // which must fail here without touching the first run's /etc/hosts block.
  gitServer = await startGitServer({ root: gitRoot, port: 80, hosts: HOSTS });
  process.once("exit", () => removeHostsSync());
  await addHosts(HOSTS);
  await writeRepos(specs, gitRoot);
  direct = await cachedDirect(async () => {
    const env = await createGoEnv({ proxy: "direct", insecureHosts: HOSTS, dir: join(tmp, "direct"), shareVcs: true });
    return runAll(env, "direct mode");
  });
  await dump("direct", direct);
}, 900_000);

afterAll(async () => {
  if (gitServer) {
    await gitServer.close();
    await removeHosts();
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("direct mode exercises each fixture's rule", () => {
  for (const c of downloads.filter((c) => c.want !== undefined)) {
    it(c.name, () => {
      const d = direct!.downloads.get(c.name)!;
      const got = d.stage === "ok" ? d.version : `!${d.stage} (${d.error})`;
      expect(matchesWant(d, c.want!), `want ${c.want}, direct mode gave ${got}`).toBe(true);
    });
  }
});

/** GOMODPROXY_CONFORMANCE_SOURCES=memory,fs limits the run to some sources (default: all). */
const only = process.env.GOMODPROXY_CONFORMANCE_SOURCES?.split(",");

for (const slot of SOURCES.filter((s) => !only || only.includes(s.name))) {
  const missing = [HANDLER, NODE_ADAPTER, ...slot.requires].filter((rel) => !exists(rel));
  const title = `gomodproxy with the ${slot.name} source equals direct mode` +
    (missing.length > 0 ? ` (skipped: ${missing.map((m) => m.replace("../../", "")).join(", ")} missing)` : "");

  describe.skipIf(missing.length > 0)(title, () => {
    let proxied: Results | undefined;
    let server: { url: string; close(): Promise<void> } | undefined;
    const mismatches: string[] = [];

    beforeAll(async () => {
      const { createProxy } = (await load(HANDLER)) as { createProxy: CreateProxy };
      const { serve } = (await load(NODE_ADAPTER)) as { serve: Serve };
      const source = await slot.create({ specs, gitRoot, gitServer: gitServer! });
      const proxy = createProxy({ source, basePath: "/" });
      server = await serve((req) => proxy.handle(req), { hostname: "127.0.0.1", port: 0 });
      const env = await createGoEnv({ proxy: server.url, insecureHosts: HOSTS, dir: join(tmp, `proxy-${slot.name}`) });
      proxied = await runAll(env, `gomodproxy (${slot.name})`);
      await dump(slot.name, proxied);
    }, 900_000);

    afterAll(async () => {
      await server?.close();
      if (mismatches.length > 0) {
        console.log(`\n${mismatches.length} mismatches with the ${slot.name} source:\n\n${mismatches.join("\n\n")}\n`);
      }
    });

    for (const c of downloads) {
      it(`go mod download ${c.name}`, (ctx) => {
        if (c.skip) ctx.skip(c.skip);
        const diffs = diffDownload(direct!.downloads.get(c.name)!, proxied!.downloads.get(c.name)!);
        if (diffs.length > 0) mismatches.push(`${c.name}\n  ${diffs.join("\n  ")}`);
        expect(diffs).toEqual([]);
      });
    }

    for (const c of lists) {
      it(c.name, () => {
        const diffs = diffList(direct!.lists.get(c.name)!, proxied!.lists.get(c.name)!);
        if (diffs.length > 0) mismatches.push(`${c.name}\n  ${diffs.join("\n  ")}`);
        expect(diffs).toEqual([]);
      });
    }
  });
}
