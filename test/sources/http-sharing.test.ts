/**
 * What HttpGitSource asks the upstream for, and whom it serves the answers
 * to: shared fetches, objects fetched once, haves, freshness of refs,
 * credential pass-through and partitions, repository discovery, redirects,
 * and the on-disk store across restarts. A counting proxy (`fault-proxy.ts`)
 * sits between the source and a real `git http-backend`.
 */

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "../../src/errors.ts";
import { createProxy } from "../../src/handler.ts";
import { HttpGitSource, type HttpGitSourceOptions, upstreamFromURL } from "../../src/sources/http.ts";
import type { GitObject } from "../../src/git/object.ts";
import { NodeObjectStorage } from "../../src/sources/http-git/node-store.ts";
import type { ObjectStorage, PartitionStore } from "../../src/sources/http-git/store.ts";
import { buildRepo, type MemoryRepo } from "../../src/sources/memory.ts";
import { git, writeRepo } from "../helpers/git-repo.ts";
import { type GitServer, startGitServer } from "../helpers/git-http.ts";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";

const HOST = "git.gomodproxy.test";
const MODULE = `${HOST}/shared`;

/** files is a tree of 200 files of about 2 KB, so that what a fetch leaves out is measurable. */
const files: Record<string, string> = { "go.mod": `module ${MODULE}\n` };
for (let i = 0; i < 200; i++) {
  files[`pkg${i % 10}/f${i}.go`] = `package pkg${i % 10}\n\n` +
    Array.from({ length: 60 }, (_, k) => `// ${i} ${k} ${((i * 7919 + k * 104729) >>> 0).toString(36)}\n`).join("");
}

const spec: MemoryRepo = {
  root: MODULE,
  commits: [
    { id: "c1", date: "2022-01-01T00:00:00Z", files },
    { id: "c2", date: "2022-02-01T00:00:00Z", files: { "pkg0/f0.go": "package pkg0\n" } },
    { id: "c3", date: "2022-03-01T00:00:00Z", files: { "pkg1/f1.go": "package pkg1\n" } },
  ],
  tags: { "v1.0.0": "c1", "v1.1.0": "c2" },
};

const USER = `Basic ${btoa("alice:s3cret")}`;
const OTHER = `Basic ${btoa("mallory:guess")}`;

let tmp = "";
let server: GitServer;
let repoDir = "";

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "gomodproxy-sharing-"));
  repoDir = join(tmp, "repos", "127.0.0.1", "shared.git");
  await writeRepo(spec, repoDir);
  server = await startGitServer({ root: join(tmp, "repos") });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** ForgetfulStorage loses every object on `forget()`, as a full memory store evicts. */
class ForgetfulStorage implements ObjectStorage {
  readonly keepRaw = false;
  #objects = new Map<string, GitObject>();
  forget(): void {
    this.#objects.clear();
  }
  partition(): PartitionStore {
    return {
      get: async (oid) => this.#objects.get(oid),
      add: async (pack) => {
        for (const [oid, object] of pack.objects) this.#objects.set(oid, object);
      },
    };
  }
}

async function withProxy(test: (proxy: FaultProxy) => Promise<void>): Promise<void> {
  const proxy = await startFaultProxy(server.url);
  try {
    await test(proxy);
  } finally {
    await proxy.close();
  }
}

function source(proxy: FaultProxy, options: Partial<HttpGitSourceOptions> = {}): HttpGitSource {
  return new HttpGitSource({ upstreams: [{ prefix: HOST, url: `${proxy.url}/{path}.git` }], ...options });
}

async function get(src: HttpGitSource, path: string, headers: Record<string, string> = {}) {
  const res = await createProxy({ source: src }).handle(new Request(`http://proxy.test/${MODULE}/${path}`, { headers }));
  return { status: res.status, text: await res.text() };
}

describe("upstream requests", () => {
  it("concurrent requests for one version share one refs listing and one fetch", () =>
    withProxy(async (proxy) => {
      const src = source(proxy);
      const answers = await Promise.all(Array.from({ length: 8 }, () => get(src, "@v/v1.1.0.zip")));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      expect(proxy.counts).toEqual({ refs: 1, "ls-refs": 1, fetch: 1, other: 0 });
    }));

  it("objects are fetched once: later requests, even after the refs expire, fetch nothing", () =>
    withProxy(async (proxy) => {
      const src = source(proxy, { refsTtlSeconds: 0 });
      expect((await get(src, "@v/v1.1.0.zip")).status).toBe(200);
      const fetches = proxy.counts.fetch;
      for (const path of ["@v/v1.1.0.info", "@v/v1.1.0.mod", "@v/v1.1.0.zip", "@v/list"]) expect((await get(src, path)).status).toBe(200);
      expect(proxy.counts.fetch).toBe(fetches);
      expect(proxy.counts["ls-refs"]).toBe(5); // refsTtlSeconds 0: every request lists refs again
    }));

  it("the next version of a repository brings only what changed (earlier commits are haves)", () =>
    withProxy(async (proxy) => {
      const src = source(proxy);
      expect((await get(src, "@v/v1.0.0.zip")).status).toBe(200);
      expect(proxy.counts.fetch).toBe(1);
      const first = proxy.bytes.fetch;
      expect((await get(src, "@v/v1.1.0.zip")).status).toBe(200);
      expect(proxy.counts.fetch).toBe(2);
      const second = proxy.bytes.fetch - first;
      expect(first).toBeGreaterThan(50_000);
      expect(second).toBeLessThan(first / 20);
    }));

  it("a pseudo-version fetches the ancestry once, in one request", () =>
    withProxy(async (proxy) => {
      const src = source(proxy);
      const c3 = (await buildRepo(spec)).commitIds.get("c3")!;
      const info = await get(src, `@v/${c3}.info`);
      expect(JSON.parse(info.text).Version).toBe(`v1.1.1-0.20220301000000-${c3.slice(0, 12)}`);
      const fetches = proxy.counts.fetch;
      expect(JSON.parse((await get(src, "@v/main.info")).text).Version).toBe(`v1.1.1-0.20220301000000-${c3.slice(0, 12)}`);
      expect(proxy.counts.fetch).toBe(fetches);
    }));
});

describe("freshness", () => {
  it("refs are reused for refsTtlSeconds, and read again for Cache-Control: no-cache or after invalidate()", () =>
    withProxy(async (proxy) => {
      const src = source(proxy, { refsTtlSeconds: 3600 });
      expect((await get(src, "@v/list")).text).toBe("v1.0.0\nv1.1.0\n");
      await git(repoDir, ["tag", "v1.2.0", "main"]);
      try {
        expect((await get(src, "@v/list")).text).toBe("v1.0.0\nv1.1.0\n");
        expect((await get(src, "@v/list", { "cache-control": "no-cache" })).text).toBe("v1.0.0\nv1.1.0\nv1.2.0\n");
        expect((await get(src, "@v/list")).text).toBe("v1.0.0\nv1.1.0\nv1.2.0\n");
        await git(repoDir, ["tag", "-d", "v1.2.0"]);
        expect((await get(src, "@v/list")).text).toBe("v1.0.0\nv1.1.0\nv1.2.0\n");
        src.invalidate();
        expect((await get(src, "@v/list")).text).toBe("v1.0.0\nv1.1.0\n");
      } finally {
        await git(repoDir, ["tag", "-d", "v1.2.0"]).catch(() => {});
      }
    }));
});

describe("credentials", () => {
  it("a client's Basic credentials reach the upstream, and what they fetched is never served without them", () =>
    withProxy(async (proxy) => {
      proxy.auth = USER;
      const src = source(proxy);
      const anonymous = await get(src, "@v/v1.1.0.zip");
      expect(anonymous).toEqual({ status: 401, text: "upstream git server refused the credentials\n" });
      expect((await get(src, "@v/v1.1.0.zip", { authorization: USER })).status).toBe(200);
      // Same module, objects in the store: still asked of the upstream, and still refused.
      expect((await get(src, "@v/v1.1.0.zip")).status).toBe(401);
      expect((await get(src, "@v/v1.1.0.zip", { authorization: OTHER })).status).toBe(401);
      expect((await get(src, "@v/v1.1.0.info", { authorization: USER })).status).toBe(200);
      expect(new Set(proxy.authorizations)).toEqual(new Set([undefined, USER, OTHER]));
    }));

  it("a repository read with the client's own credentials is not shared; with none or the upstream's it is", () =>
    withProxy(async (proxy) => {
      proxy.auth = USER;
      const request = (headers: Record<string, string>) => ({ request: new Request("http://proxy.test/", { headers }) });
      const own = await source(proxy).open(MODULE, request({ authorization: USER }));
      const configured = await new HttpGitSource({ upstreams: [{ prefix: HOST, url: `${proxy.url}/{path}.git`, authorization: USER }] })
        .open(MODULE, request({}));
      proxy.auth = undefined;
      const anonymous = await source(proxy).open(MODULE, request({}));
      expect([own, configured, anonymous].map((r) => (r as unknown as { shared: boolean }).shared)).toEqual([false, true, true]);
      expect(own.key).not.toBe(anonymous.key);
    }));

  // Requests with credentials that no authorize checked skip the shared cache (handler.ts `personal`).
  it("one proxy never serves what a client's credentials fetched to a client without them", () =>
    withProxy(async (proxy) => {
      proxy.auth = USER;
      const handler = createProxy({ source: source(proxy) });
      const ask = (headers: Record<string, string>) =>
        handler.handle(new Request(`http://proxy.test/${MODULE}/@v/v1.1.0.zip`, { headers }));
      const alice = await ask({ authorization: USER });
      expect(alice.status).toBe(200);
      expect(alice.headers.get("cache-control")).toMatch(/private|no-store/);
      expect((await ask({})).status).toBe(401);
    }));

  it("an upstream refusal never carries the credential in its message", () =>
    withProxy(async (proxy) => {
      proxy.auth = USER;
      const err = await source(proxy).open(MODULE, { request: new Request("http://proxy.test/", { headers: { authorization: OTHER } }) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).status).toBe(401);
      expect(JSON.stringify([(err as Error).message, String((err as Error).cause)])).not.toContain(OTHER.slice(6));
    }));

  it("with passThroughCredentials false the upstream's own credentials are used and the client's never sent", () =>
    withProxy(async (proxy) => {
      proxy.auth = USER;
      const src = new HttpGitSource({
        upstreams: [{ prefix: HOST, url: `${proxy.url}/{path}.git`, authorization: USER }],
        passThroughCredentials: false,
      });
      expect((await get(src, "@v/v1.1.0.zip", { authorization: `Basic ${btoa("proxyuser:proxytoken")}` })).status).toBe(200);
      expect(new Set(proxy.authorizations)).toEqual(new Set([USER]));
    }));

  it("only Basic credentials are passed through; a Bearer token meant for the proxy is not", () =>
    withProxy(async (proxy) => {
      const src = source(proxy);
      expect((await get(src, "@v/list", { authorization: "Bearer proxy-token" })).status).toBe(200);
      expect(new Set(proxy.authorizations)).toEqual(new Set([undefined]));
    }));

  it("credentials in an --upstream URL become its authorization header", () => {
    expect(upstreamFromURL("https://bot:t%40ken@git.example.com/")).toEqual({
      prefix: "git.example.com",
      url: "https://git.example.com/{path}.git",
      authorization: `Basic ${btoa("bot:t@ken")}`,
    });
    expect(upstreamFromURL("http://git.example.com:8080/gitlab")).toEqual({
      prefix: "git.example.com/gitlab",
      url: "http://git.example.com:8080/gitlab/{path}.git",
      authorization: undefined,
    });
  });
});

describe("discovery", () => {
  it("a module below the repository root probes longest first and remembers the answers", () =>
    withProxy(async (proxy) => {
      const src = source(proxy);
      const repo = await src.open(`${MODULE}/sub/v2`);
      expect(repo.root).toBe(MODULE);
      expect(proxy.counts.refs).toBe(3);
      await src.open(`${MODULE}/sub/v2`);
      await src.open(`${MODULE}/sub`);
      expect(proxy.counts.refs).toBe(3);
    }));

  it("401 on a longer candidate does not hide the repository; 401 on every candidate answers 401, not 404", async () => {
    const deny = (pattern: RegExp): typeof fetch => async (input, init) =>
      pattern.test(String(input)) ? new Response("denied", { status: 401 }) : fetch(input, init);
    const upstreams = [{ prefix: HOST, url: `${server.url}/{path}.git` }];
    const found = await new HttpGitSource({ upstreams, fetch: deny(/\/shared\/sub\.git\//) }).open(`${MODULE}/sub`);
    expect(found.root).toBe(MODULE);
    const err = await new HttpGitSource({ upstreams, fetch: deny(/./) }).open(`${MODULE}/sub`).catch((e: unknown) => e);
    expect((err as UpstreamError).status).toBe(401);
  });

  it("go-get discovery uses the go-import meta tag of the upstream's own origin, and ignores others", async () => {
    const seen: string[] = [];
    const page = (content: string) => `<html><head><meta name="go-import" content="${content}"></head></html>`;
    const fake = (meta: string): typeof fetch => async (input, init) => {
      const url = new URL(String(input));
      seen.push(url.origin + url.pathname + url.search);
      if (url.searchParams.get("go-get") === "1") return new Response(page(meta), { headers: { "content-type": "text/html" } });
      return fetch(`${server.url}${url.pathname}${url.search}`, init);
    };
    const upstreams = [{ prefix: HOST, url: `http://${HOST}/{path}.git`, discovery: "go-get" as const }];
    const viaMeta = await new HttpGitSource({ upstreams, fetch: fake(`${MODULE} git http://${HOST}/shared.git`) }).open(`${MODULE}/deep/pkg`);
    expect(viaMeta.root).toBe(MODULE);
    expect(seen).toEqual([`http://${HOST}/shared/deep/pkg?go-get=1`, `http://${HOST}/shared.git/info/refs?service=git-upload-pack`]);
    seen.length = 0;
    const elsewhere = await new HttpGitSource({ upstreams, fetch: fake(`${MODULE} git https://evil.example/shared.git`) }).open(`${MODULE}/deep/pkg`);
    expect(elsewhere.root).toBe(MODULE);
    expect(seen.some((u) => u.includes("evil.example"))).toBe(false);
  });

  it("a redirect to another origin fails with 502 and sends it nothing", async () => {
    const seen: string[] = [];
    const redirecting: typeof fetch = async (input) => {
      seen.push(String(input));
      if (String(input).startsWith("https://evil.example")) throw new Error("must not be asked");
      return new Response(null, { status: 302, headers: { location: "https://evil.example/x.git/info/refs?service=git-upload-pack" } });
    };
    const src = new HttpGitSource({ upstreams: [{ prefix: HOST, url: `${server.url}/{path}.git`, authorization: USER }], fetch: redirecting });
    const err = await src.open(MODULE).catch((e: unknown) => e);
    expect((err as UpstreamError).status).toBe(502);
    expect(seen.every((u) => u.startsWith(server.url))).toBe(true);
  });
});

describe("stores", () => {
  it("a thin pack whose bases were evicted from memory is fetched again without haves", () =>
    withProxy(async (proxy) => {
      const storage = new ForgetfulStorage();
      const src = source(proxy, { storage });
      expect((await get(src, "@v/v1.0.0.zip")).status).toBe(200);
      storage.forget();
      const zip = await get(src, "@v/v1.1.0.zip");
      expect(zip.status).toBe(200);
      expect(proxy.counts.fetch).toBe(3); // v1.0.0; v1.1.0 thin, against lost bases; v1.1.0 whole
      expect(zip).toEqual(await get(source(proxy), "@v/v1.1.0.zip"));
    }));

  it("thin packs are completed on disk, so git verifies every stored pack", () =>
    withProxy(async (proxy) => {
      const dir = await mkdtemp(join(tmp, "disk-"));
      const src = source(proxy, { storage: new NodeObjectStorage(dir) });
      for (const v of ["v1.0.0", "v1.1.0"]) expect((await get(src, `@v/${v}.zip`)).status).toBe(200);
      const packs = (await readdir(join(dir, "upstream-git"), { recursive: true })).filter((f) => f.endsWith(".idx"));
      expect(packs.length).toBe(2);
      for (const idx of packs) await git(dir, ["verify-pack", join(dir, "upstream-git", idx)]);
    }));

  it("a new source over the same directory serves stored versions without fetching", () =>
    withProxy(async (proxy) => {
      const dir = await mkdtemp(join(tmp, "disk-"));
      const first = source(proxy, { storage: new NodeObjectStorage(dir) });
      const zip = await get(first, "@v/v1.1.0.zip");
      expect(zip.status).toBe(200);
      const fetches = proxy.counts.fetch;
      const second = source(proxy, { storage: new NodeObjectStorage(dir) });
      expect(await get(second, "@v/v1.1.0.zip")).toEqual(zip);
      expect(proxy.counts.fetch).toBe(fetches);
    }));
});
