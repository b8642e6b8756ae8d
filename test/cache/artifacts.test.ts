/**
 * Caching, pinning and single-flight, through `createProxy().handle`.
 * Tags are moved and deleted by editing a MemoryRepository's refs, objects
 * removed by deleting them from its object map.
 */
import { describe, expect, it } from "vitest";
import { Artifacts } from "../../src/cache/artifacts.ts";
import type { Cache, CacheEntry } from "../../src/cache/cache.ts";
import { MemoryCache } from "../../src/cache/memory.ts";
import { ForbiddenError, RepositoryError } from "../../src/errors.ts";
import { createProxy, type ProxyOptions } from "../../src/handler.ts";
import { hashGoMod, hashZip } from "../../src/hash/dirhash.ts";
import { ProxyMetrics } from "../../src/metrics.ts";
import { CodeRepo } from "../../src/resolve/code-repo.ts";
import { GitView } from "../../src/resolve/git.ts";
import { buildRepo, type MemoryRepo, type MemoryRepository } from "../../src/sources/memory.ts";
import type { RepoSource } from "../../src/sources/source.ts";
import { blobWithText, failReads } from "../helpers/memory-faults.ts";

const fixture: MemoryRepo = {
  root: "example.com/m",
  commits: [
    { id: "c1", date: "2024-01-02T03:04:05Z", files: { "go.mod": "module example.com/m\n", "m.go": "package m // one\n" } },
    { id: "c2", date: "2024-02-03T04:05:06Z", files: { "go.mod": "module example.com/m\n\ngo 1.21\n", "m.go": "package m // two\n" } },
  ],
  tags: { "v1.0.0": "c1" },
};

/** setup builds a fresh repository and a proxy over it; `broken` makes the source fail. */
async function setup(options: Partial<ProxyOptions> = {}) {
  const repo: MemoryRepository = await buildRepo(fixture);
  const state = { opens: 0, broken: false };
  const source: RepoSource = {
    async open() {
      state.opens++;
      if (state.broken) throw new RepositoryError("repository unreadable");
      return repo;
    },
  };
  const warnings: string[] = [];
  const proxy = createProxy({ source, warn: (m) => warnings.push(m), ...options });
  const get = async (path: string, init?: RequestInit) => {
    const res = await proxy.handle(new Request(`http://proxy.test/example.com/m/${path}`, init));
    return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
  };
  const c1 = repo.commitIds.get("c1")!;
  const c2 = repo.commitIds.get("c2")!;
  const moveTag = (to: string) => repo.refMap.set("refs/tags/v1.0.0", { oid: to });
  return { repo, proxy, get, state, warnings, c1, c2, moveTag };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("single-flight", () => {
  it("100 concurrent cold requests for one zip build it once and get identical bytes", async () => {
    const { get, proxy, state } = await setup();
    const answers = await Promise.all(Array.from({ length: 100 }, () => get("@v/v1.0.0.zip")));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const first = answers[0].body;
    expect(answers.every((a) => Buffer.from(a.body).equals(Buffer.from(first)))).toBe(true);
    expect(proxy.metrics.builds.count(["zip"])).toBe(1);
    expect(state.opens).toBe(1);
    expect(proxy.metrics.cacheMisses.get(["zip"]) + proxy.metrics.cacheHits.get(["zip"])).toBe(100);
    expect(await hashZip(first)).toBe(await hashZip((await get("@v/v1.0.0.zip")).body));
  });

  it("concurrent .mod and .zip requests both record their hash in the pin", async () => {
    const cache = new MemoryCache({ maxBytes: 0 });
    const { get, c1 } = await setup({ cache });
    const [mod, zip] = await Promise.all([get("@v/v1.0.0.mod"), get("@v/v1.0.0.zip"), get("@v/v1.0.0.info")]);
    expect(await cache.getPin("example.com/m", "v1.0.0")).toMatchObject({
      commit: c1,
      mod: await hashGoMod(mod.body),
      zip: await hashZip(zip.body),
    });
  });
});

describe("cache", () => {
  it("a cached canonical version is answered without touching the source", async () => {
    const { get, state } = await setup();
    const before = await Promise.all(["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"].map((p) => get(p)));
    const opens = state.opens;
    state.broken = true;
    const after = await Promise.all(["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"].map((p) => get(p)));
    expect(state.opens).toBe(opens);
    expect(after.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(after.map((a) => text(a.body))).toEqual(before.map((b) => text(b.body)));
    expect((await get("@v/v1.0.1.info")).status).toBe(500); // uncached: the outage shows
  });

  it("list and @latest are kept queryTTL seconds", async () => {
    const { get, repo, c2 } = await setup();
    expect(text((await get("@v/list")).body)).toBe("v1.0.0\n");
    await get("@latest");
    repo.refMap.set("refs/tags/v1.1.0", { oid: c2 });
    expect(text((await get("@v/list")).body)).toBe("v1.0.0\n");
    expect(JSON.parse(text((await get("@latest")).body)).Version).toBe("v1.0.0");
  });

  it("queryTTL 0 keeps no list, @latest or query answer", async () => {
    const { get, repo, c2 } = await setup({ queryTTL: 0 });
    expect(text((await get("@v/list")).body)).toBe("v1.0.0\n");
    expect(JSON.parse(text((await get("@v/main.info")).body)).Origin.Hash).toBe(c2);
    repo.refMap.set("refs/tags/v1.1.0", { oid: c2 });
    repo.refMap.set("refs/heads/main", { oid: repo.commitIds.get("c1")! });
    expect(text((await get("@v/list")).body)).toBe("v1.0.0\nv1.1.0\n");
    expect(JSON.parse(text((await get("@latest")).body)).Version).toBe("v1.1.0");
    expect(JSON.parse(text((await get("@v/main.info")).body)).Version).toBe("v1.0.0");
  });

  it("authorize runs before the cache: a denied request sees nothing cached", async () => {
    const { get, proxy } = await setup({
      authorize: (req) => {
        if (req.headers.get("authorization") !== "Bearer ok") throw new ForbiddenError("access denied");
      },
    });
    const ok = { headers: { authorization: "Bearer ok" } };
    expect((await get("@v/v1.0.0.zip", ok)).status).toBe(200);
    const hits = proxy.metrics.cacheHits.get(["zip"]);
    const denied = await get("@v/v1.0.0.zip");
    expect(denied.status).toBe(403);
    expect(text(denied.body)).toBe("access denied\n");
    expect(proxy.metrics.cacheHits.get(["zip"])).toBe(hits);
  });

  it("a pseudo-version is pinned and cached like a tag", async () => {
    const cache = new MemoryCache();
    const { get, c2, state } = await setup({ cache });
    const info = JSON.parse(text((await get("@v/main.info")).body));
    expect(info.Origin.Hash).toBe(c2);
    const zip = await get(`@v/${info.Version}.zip`);
    expect(zip.status).toBe(200);
    expect(await cache.getPin("example.com/m", info.Version)).toMatchObject({ commit: c2, zip: await hashZip(zip.body) });
    state.broken = true;
    expect((await get(`@v/${info.Version}.zip`)).body).toEqual(zip.body);
  });
});

describe("pinning", () => {
  it("records the commit and the h1: hashes of .mod and .zip the first time they are served", async () => {
    const cache = new MemoryCache();
    const { get, c1 } = await setup({ cache });
    await get("@v/v1.0.0.info");
    const pinned = await cache.getPin("example.com/m", "v1.0.0");
    expect(pinned).toMatchObject({ module: "example.com/m", version: "v1.0.0", commit: c1 });
    expect(pinned!.mod).toBeUndefined();
    const mod = await get("@v/v1.0.0.mod");
    const zip = await get("@v/v1.0.0.zip");
    expect(await cache.getPin("example.com/m", "v1.0.0")).toEqual({
      ...pinned,
      mod: await hashGoMod(mod.body),
      zip: await hashZip(zip.body),
    });
  });

  it("a moved tag keeps serving the cached bytes", async () => {
    const { get, moveTag, c2 } = await setup();
    const before = await Promise.all(["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"].map((p) => get(p)));
    moveTag(c2);
    const after = await Promise.all(["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"].map((p) => get(p)));
    expect(after.map((a) => text(a.body))).toEqual(before.map((b) => text(b.body)));
  });

  const changes: [string, (s: Awaited<ReturnType<typeof setup>>) => void, RegExp][] = [
    ["moved", (s) => s.moveTag(s.c2), /now resolves to commit [0-9a-f]{40}, not the pinned [0-9a-f]{40}; serving the pinned commit/],
    ["deleted", (s) => s.repo.refMap.delete("refs/tags/v1.0.0"), /no longer resolves in the repository \(pinned to commit [0-9a-f]{40}\); serving the pinned commit/],
  ];

  it.each(changes)("a %s tag with nothing cached is rebuilt from the pinned commit: same bytes, same h1:, a warning", async (_name, change, warning) => {
    const s = await setup({ cache: new MemoryCache({ maxBytes: 0 }) });
    const paths = ["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"];
    const before = await Promise.all(paths.map((p) => s.get(p)));
    change(s);
    const after = await Promise.all(paths.map((p) => s.get(p)));
    expect(after.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(after.map((a) => text(a.body))).toEqual(before.map((b) => text(b.body)));
    expect(await hashZip(after[2].body)).toBe(await hashZip(before[2].body));
    expect(JSON.parse(text(after[0].body)).Origin.Hash).toBe(s.c1);
    expect(s.warnings).toHaveLength(3);
    for (const w of s.warnings) expect(w).toMatch(warning);
    expect(s.proxy.metrics.tagMoved.get(["serve"])).toBe(3);
  });

  it("without a pin the moved tag would serve other bytes (the control for the cases above)", async () => {
    const s = await setup();
    const before = await s.get("@v/v1.0.0.zip");
    s.moveTag(s.c2);
    const unpinned = createProxy({ source: { open: async () => s.repo } });
    const res = await unpinned.handle(new Request("http://proxy.test/example.com/m/@v/v1.0.0.zip"));
    expect(await hashZip(new Uint8Array(await res.arrayBuffer()))).not.toBe(await hashZip(before.body));
  });

  it("refuse mode answers 404 for a moved tag with nothing cached", async () => {
    const s = await setup({ cache: new MemoryCache({ maxBytes: 0 }), onTagMoved: "refuse" });
    await s.get("@v/v1.0.0.zip");
    s.moveTag(s.c2);
    const res = await s.get("@v/v1.0.0.zip");
    expect(res.status).toBe(404);
    expect(text(res.body)).toBe(
      `example.com/m@v1.0.0: changed in the repository after it was served (pinned to commit ${s.c1.slice(0, 12)}); refusing to serve different content\n`,
    );
    expect(s.warnings[0]).toMatch(/refusing to serve it$/);
    expect(s.proxy.metrics.tagMoved.get(["refuse"])).toBe(1);
  });

  it("refuse mode still serves cached bytes: they are the pinned content", async () => {
    const s = await setup({ onTagMoved: "refuse" });
    const before = await s.get("@v/v1.0.0.zip");
    s.moveTag(s.c2);
    expect((await s.get("@v/v1.0.0.zip")).body).toEqual(before.body);
  });

  it("a pinned commit the repository no longer has answers 410, never the new content", async () => {
    const s = await setup({ cache: new MemoryCache({ maxBytes: 0 }) });
    await s.get("@v/v1.0.0.zip");
    s.moveTag(s.c2);
    s.repo.objects.delete(s.c1);
    const res = await s.get("@v/v1.0.0.zip");
    expect(res.status).toBe(410);
    expect(text(res.body)).toBe(
      `example.com/m@v1.0.0: pinned commit ${s.c1} is no longer in the repository; the content served before is no longer available\n`,
    );
  });

  it("a rebuilt zip whose h1: differs from the pin is cut before its end and not cached", async () => {
    const cache: Cache = new MemoryCache();
    const s = await setup({ cache });
    await cache.setPin({ module: "example.com/m", version: "v1.0.0", commit: s.c1, pinned: "2024-01-01T00:00:00Z", zip: "h1:notthesame=" });
    const res = await s.proxy.handle(new Request("http://proxy.test/example.com/m/@v/v1.0.0.zip"));
    expect(res.status).toBe(200); // the zip streams: the mismatch shows only once all of it is hashed
    expect(res.headers.get("content-length")).toBeNull();
    const read = await res.arrayBuffer().then(() => "complete", (err: Error) => err.message);
    expect(read).toMatch(/^example\.com\/m@v1\.0\.0: rebuilt \.zip hashes to h1:\S+, not the pinned h1:notthesame=; not serving it$/);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toBe(read);
    expect((await cache.getPin("example.com/m", "v1.0.0"))!.zip).toBe("h1:notthesame=");
    const again = await s.proxy.handle(new Request("http://proxy.test/example.com/m/@v/v1.0.0.zip"));
    expect(again.headers.get("content-length")).toBeNull(); // not cached: built again, and cut again
    await expect(again.arrayBuffer()).rejects.toThrow(/not serving it$/);
  });

  it("a rebuilt .mod whose h1: differs from the pin answers 500 and is not cached", async () => {
    const cache: Cache = new MemoryCache();
    const s = await setup({ cache });
    await cache.setPin({ module: "example.com/m", version: "v1.0.0", commit: s.c1, pinned: "2024-01-01T00:00:00Z", mod: "h1:notthesame=" });
    const res = await s.get("@v/v1.0.0.mod");
    expect(res.status).toBe(500);
    expect(text(res.body)).toBe("internal server error\n");
    expect(s.warnings[0]).toMatch(/^example\.com\/m@v1\.0\.0: rebuilt \.mod hashes to h1:\S+, not the pinned h1:notthesame=; not serving it$/);
    expect((await s.get("@v/v1.0.0.mod")).status).toBe(500);
  });

  it("a pin made by another request while a zip was resolved wins: the zip is built from the pinned commit", async () => {
    const reference = await setup();
    const c1zip = (await reference.get("@v/v1.0.0.zip")).body;
    const cache = new MemoryCache();
    const s = await setup({ cache });
    s.moveTag(s.c2);
    // As if an .info request had pinned v1.0.0 to c1 after this zip request looked for a pin, before it pinned c2.
    const refs = s.repo.refs.bind(s.repo);
    let raced = false;
    s.repo.refs = async () => {
      if (!raced) {
        raced = true;
        await cache.setPin({ module: "example.com/m", version: "v1.0.0", commit: s.c1, pinned: "2024-01-01T00:00:00Z" });
      }
      return refs();
    };
    const zip = await s.get("@v/v1.0.0.zip");
    expect(zip.status).toBe(200);
    expect(zip.body).toEqual(c1zip);
    expect((await cache.getPin("example.com/m", "v1.0.0"))!.commit).toBe(s.c1);
    expect(s.proxy.metrics.builds.count(["zip"])).toBe(1);
  });

  it("a pin is never moved to another commit", async () => {
    const cache = new MemoryCache({ maxBytes: 0 });
    const s = await setup({ cache });
    await s.get("@v/v1.0.0.info");
    s.moveTag(s.c2);
    await s.get("@v/v1.0.0.mod");
    expect((await cache.getPin("example.com/m", "v1.0.0"))!.commit).toBe(s.c1);
  });
});

describe("streaming zips", () => {
  /** gated builds a module whose b.go is read only after `release()`; a.txt (100 kB) comes first in the zip. */
  async function gated() {
    const repo = await buildRepo({
      root: "example.com/s",
      commits: [{ id: "c1", date: "2024-01-02T03:04:05Z", files: { "a.txt": "x".repeat(100_000), "b.go": "package s\n", "go.mod": "module example.com/s\n" } }],
      tags: { "v1.0.0": "c1" },
    });
    const held = blobWithText(repo, "package s\n");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const state = { waiting: false };
    const read = repo.readObject.bind(repo);
    repo.readObject = async (oid) => {
      if (oid === held) {
        state.waiting = true;
        await gate;
      }
      return read(oid);
    };
    const proxy = createProxy({ source: { open: async () => repo } });
    const handle = (init?: RequestInit) => proxy.handle(new Request("http://proxy.test/example.com/s/@v/v1.0.0.zip", init));
    return { proxy, handle, release, state };
  }

  const built = async (proxy: { metrics: { builds: { count(l: string[]): number } } }) => {
    for (let i = 0; i < 200 && proxy.metrics.builds.count(["zip"]) === 0; i++) await new Promise((r) => setTimeout(r, 5));
  };

  it("a cold zip's first bytes arrive while a later file is still being read", async () => {
    const { handle, release, state } = await gated();
    const res = await handle();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBeNull();
    const reader = res.body!.getReader();
    const first = (await reader.read()).value!;
    expect(text(first.subarray(0, 4))).toBe("PK\x03\x04");
    expect(text(first.subarray(30, 30 + "example.com/s@v1.0.0/a.txt".length))).toBe("example.com/s@v1.0.0/a.txt");
    expect(state.waiting).toBe(true); // b.go has not been read yet
    release();
    const chunks = [first];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    const whole = new Uint8Array(await new Blob(chunks).arrayBuffer());
    const cached = await handle();
    expect(cached.headers.get("content-length")).toBe(String(whole.length));
    expect(cached.headers.get("etag")).toBe(res.headers.get("etag"));
    expect(new Uint8Array(await cached.arrayBuffer())).toEqual(whole);
    expect(await hashZip(whole)).toMatch(/^h1:/);
  });

  it("a blob missing from the repository answers 500 before the zip starts, and nothing is cached", async () => {
    const s = await setup();
    const blob = blobWithText(s.repo, "package m // one\n");
    s.repo.objects.delete(blob);
    const res = await s.get("@v/v1.0.0.zip");
    expect(res.status).toBe(500);
    expect(text(res.body)).toBe("internal server error\n");
    expect(s.warnings).toEqual([`GET /example.com/m/@v/v1.0.0.zip: repository memory:example.com/m: missing object ${blob}`]);
    expect(s.proxy.metrics.builds.count(["zip"])).toBe(0);
  });

  it("a blob that cannot be read once the zip streams cuts the download, is reported, and is not cached", async () => {
    const s = await setup();
    const blob = blobWithText(s.repo, "package m // one\n");
    failReads(s.repo, blob);
    for (let i = 0; i < 2; i++) {
      const res = await s.proxy.handle(new Request("http://proxy.test/example.com/m/@v/v1.0.0.zip"));
      expect(res.status).toBe(200); // the headers left before the blob was read
      await expect(res.arrayBuffer()).rejects.toThrow(`object ${blob}: corrupt`);
    }
    const warning = `example.com/m@v1.0.0: zip failed while streaming: object ${blob}: corrupt`;
    expect(s.warnings).toEqual([warning, warning]);
    expect(s.proxy.metrics.builds.count(["zip"])).toBe(0);
  });

  it("HEAD of a cold zip answers at once, and the build goes on into the cache", async () => {
    const { proxy, handle, release } = await gated();
    const head = await handle({ method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    release();
    await built(proxy);
    const get = await handle();
    expect(get.headers.get("content-length")).not.toBeNull();
    expect(get.headers.get("etag")).toBe(head.headers.get("etag"));
  });

  it("a replica with a cold cache answers 304 to the ETag another one sent", async () => {
    const one = await gated();
    one.release();
    const etag = (await one.handle()).headers.get("etag")!;
    const two = await gated();
    two.release();
    const res = await two.handle({ headers: { "if-none-match": etag } });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(etag);
  });
});

describe("zips larger than maxSharedZipBytes", () => {
  async function artifacts(maxSharedZipBytes: number) {
    const repo = await buildRepo({
      root: "example.com/big",
      commits: [{
        id: "c1",
        date: "2024-01-02T03:04:05Z",
        files: Object.fromEntries([["go.mod", "module example.com/big\n"], ...Array.from({ length: 8 }, (_, i) => [`f${i}.txt`, `${i}`.repeat(100_000)])]),
      }],
      tags: { "v1.0.0": "c1" },
    });
    const metrics = new ProxyMetrics();
    const cache = new MemoryCache();
    const state = { opens: 0 };
    const a = new Artifacts({
      cache,
      metrics,
      onTagMoved: "serve",
      queryTTL: 60,
      warn: () => {},
      infoBody: () => new Uint8Array(),
      maxSharedZipBytes,
      open: async () => {
        state.opens++;
        const view = await GitView.open(repo);
        return { repo, code: new CodeRepo(view, repo.root, "example.com/big") };
      },
    });
    const zip = async () => {
      const answer = await a.canonical(new Request("http://p/"), "zip", "example.com/big", "v1.0.0");
      return "stream" in answer ? { streamed: true, body: new Uint8Array(await new Response(answer.stream).arrayBuffer()) } : { streamed: false, body: answer.entry.body };
    };
    return { zip, cache, state };
  }

  it("stream whole to their readers, are not cached, and are built again for the next request", async () => {
    const small = await artifacts(64 << 20);
    const want = (await small.zip()).body;
    expect((await small.zip()).streamed).toBe(false); // cached

    const big = await artifacts(200_000); // the zip is ~800 kB
    const first = await big.zip();
    expect(first).toEqual({ streamed: true, body: want });
    const second = await big.zip();
    expect(second).toEqual({ streamed: true, body: want });
    expect(big.state.opens).toBe(2);
  });

  it("a request that comes after the overflow gets a build of its own, with the same bytes", async () => {
    const big = await artifacts(200_000);
    const [a, b] = await Promise.all([big.zip(), big.zip()]); // both join the first build before it overflows
    expect(a.body).toEqual(b.body);
    expect(big.state.opens).toBe(1);
    const c = await big.zip();
    expect(c.body).toEqual(a.body);
    expect(big.state.opens).toBe(2);
  });
});
