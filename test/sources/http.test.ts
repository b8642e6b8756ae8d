/**
 * HttpGitSource against a real `git http-backend` on loopback, compared
 * answer for answer with MemorySource over the conformance fixtures: every
 * query of every fixture (`.info`, then `.mod` and `.zip` of what it
 * resolved to), `@v/list` and `@latest`, byte for byte (`.info` without
 * Origin, whose URL differs by design). Then each protocol variant the
 * source supports: version 1, servers that allow filters, and the on-disk
 * store.
 *
 * The go command's own verdict on the same repositories is the
 * differential suite, `test/conformance/direct.test.ts` (slot "http").
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxy } from "../../src/handler.ts";
import { escapePath, escapeVersion } from "../../src/module/path.ts";
import { HttpGitSource, type HttpGitSourceOptions } from "../../src/sources/http.ts";
import { nodeRuntime } from "../../src/sources/http-git/node.ts";
import { NodeObjectStorage } from "../../src/sources/http-git/node-store.ts";
import { buildRepo, MemorySource } from "../../src/sources/memory.ts";
import type { RepoSource } from "../../src/sources/source.ts";
import { type CommitFacts, expand, fixtures, HOSTS, pseudoTime } from "../conformance/fixtures.ts";
import { git, writeRepos } from "../helpers/git-repo.ts";
import { type GitServer, startGitServer } from "../helpers/git-http.ts";

interface Probe {
  name: string;
  path: string;
}

/** probes are the proxy paths to compare: every query's .info, every module's list and latest. */
const probes: Probe[] = [];
for (const f of fixtures) {
  const built = await buildRepo(f.repo);
  const commits = new Map<string, CommitFacts>();
  for (const c of f.repo.commits) commits.set(c.id, { oid: built.commitIds.get(c.id)!, time: pseudoTime(c.date) });
  for (const m of f.modules) {
    const base = `/${escapePath(m.path)}`;
    probes.push({ name: `${m.path}/@v/list`, path: `${base}/@v/list` }, { name: `${m.path}/@latest`, path: `${base}/@latest` });
    for (const entry of m.queries) {
      const query = expand(typeof entry === "string" ? entry : entry.query, commits);
      let escaped: string;
      try {
        escaped = escapeVersion(query);
      } catch {
        continue; // a query the go command resolves itself (<v1.1.0, feature/x), never sent to a proxy
      }
      if (query !== "latest") probes.push({ name: `${m.path}@${query}`, path: `${base}/@v/${escaped}.info` });
    }
  }
}

const specs = fixtures.map((f) => f.repo);
let tmp = "";
let server: GitServer;

/** upstreams maps every fixture host to its directory on the loopback server. */
const upstreams = () => HOSTS.map((h) => ({ prefix: h, url: `${server.url}/${h}/{path}.git` }));

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "gomodproxy-http-"));
  // The server finds a repository at <root>/<Host>/<URL path>, and the Host is 127.0.0.1.
  await writeRepos(specs, join(tmp, "repos", "127.0.0.1"));
  // A copy whose server allows filters and any reachable want (git's defaults allow neither).
  const filtered = join(tmp, "repos", "127.0.0.1", "filtered");
  await writeRepos(specs, filtered);
  for (const spec of specs) {
    const dir = join(filtered, `${spec.root}.git`);
    await git(dir, ["config", "uploadpack.allowFilter", "true"]);
    await git(dir, ["config", "uploadpack.allowReachableSHA1InWant", "true"]);
  }
  server = await startGitServer({ root: join(tmp, "repos"), lifetimeMs: 10 * 60_000 });
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
}

/** answer fetches a path and, for a successful .info, the .mod and .zip of the version it names. */
async function answers(source: RepoSource, path: string): Promise<Answer[]> {
  const proxy = createProxy({ source });
  const get = async (p: string): Promise<Answer & { bytes: Uint8Array }> => {
    const res = await proxy.handle(new Request(`http://proxy.test${p}`));
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, body: new TextDecoder().decode(bytes), bytes };
  };
  const first = await get(path);
  if (first.status !== 200 || !(path.endsWith(".info") || path.endsWith("@latest"))) return [{ status: first.status, body: first.body }];
  const info = JSON.parse(first.body) as { Version: string; Time: string };
  const out: Answer[] = [{ status: 200, body: JSON.stringify({ Version: info.Version, Time: info.Time }) }];
  const base = path.slice(0, path.indexOf("/@"));
  for (const ext of ["mod", "zip"]) {
    const r = await get(`${base}/@v/${escapeVersion(info.Version)}.${ext}`);
    out.push({ status: r.status, body: ext === "zip" && r.status === 200 ? await sha256(r.bytes) : r.body });
  }
  return out;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return `zip sha256 ${[...digest].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const memory = new MemorySource(specs);

const variants: { name: string; options: () => Promise<Partial<HttpGitSourceOptions>> }[] = [
  { name: "protocol v2, JavaScript inflate and SHA-1", options: async () => ({}) },
  { name: "protocol v1, node:zlib and node:crypto", options: async () => ({ protocol: 1, ...nodeRuntime }) },
  {
    name: "protocol v2 with filters allowed, on-disk store",
    options: async () => ({
      ...nodeRuntime,
      storage: new NodeObjectStorage(await mkdtemp(join(tmp, "cache-"))),
      upstreams: HOSTS.map((h) => ({ prefix: h, url: `${server.url}/filtered/${h}/{path}.git` })),
    }),
  },
  {
    name: "protocol v1 with allow-reachable-sha1-in-want and filters",
    options: async () => ({ protocol: 1, upstreams: HOSTS.map((h) => ({ prefix: h, url: `${server.url}/filtered/${h}/{path}.git` })) }),
  },
];

for (const variant of variants) {
  // Concurrent, as a proxy is used: requests for one repository share fetches.
  describe.concurrent(`HttpGitSource (${variant.name}) answers as MemorySource`, () => {
    let source: HttpGitSource;
    beforeAll(async () => {
      source = new HttpGitSource({ upstreams: upstreams(), ...(await variant.options()) });
    });

    it.for(probes)("$name", async (probe) => {
      const [want, got] = await Promise.all([answers(memory, probe.path), answers(source, probe.path)]);
      expect(got).toEqual(want);
    });
  });
}

