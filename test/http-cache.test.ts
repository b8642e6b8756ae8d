import { describe, expect, it } from "vitest";
import { zipETag } from "../src/cache/artifacts.ts";
import { createProxy } from "../src/handler.ts";
import { cacheControl, httpDate, isNotModified, strongETag } from "../src/http-cache.ts";
import { type MemoryRepo, MemorySource } from "../src/sources/memory.ts";

const fixture: MemoryRepo = {
  root: "example.com/m",
  commits: [{ id: "c1", date: "2024-01-02T03:04:05Z", files: { "go.mod": "module example.com/m\n", "m.go": "package m\n" } }],
  tags: { "v1.0.0": "c1" },
};

const proxy = createProxy({ source: new MemorySource([fixture]) });
const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  proxy.handle(new Request(`http://proxy.test/example.com/m/${path}`, { headers, method }));

const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = "public, max-age=60";

describe("Cache-Control per endpoint", () => {
  it.each([
    ["@v/v1.0.0.info", IMMUTABLE],
    ["@v/v1.0.0.mod", IMMUTABLE],
    ["@v/v1.0.0.zip", IMMUTABLE],
    ["@v/list", SHORT],
    ["@latest", SHORT],
    ["@v/main.info", SHORT],
    ["@v/v9.9.9.info", "no-store"],
    ["@v/v9.9.9.zip", "no-store"],
  ])("%s: %s", async (path, want) => {
    expect((await get(path)).headers.get("cache-control")).toBe(want);
  });

  it("an outage is no-store, and its cause goes to warn, not to the client", async () => {
    const warnings: string[] = [];
    const broken = createProxy({ source: { open: () => Promise.reject(new Error("disk on fire")) }, warn: (m) => warnings.push(m) });
    const res = await broken.handle(new Request("http://p/example.com/m/@v/v1.0.0.info"));
    expect(res.status).toBe(500);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toBe("internal server error\n");
    expect(warnings).toEqual(["GET /example.com/m/@v/v1.0.0.info: disk on fire"]);
  });

  it("answers are private when the proxy authorizes, so shared caches keep none", async () => {
    const authorized = createProxy({ source: new MemorySource([fixture]), authorize: () => "someone" });
    const zip = await authorized.handle(new Request("http://p/example.com/m/@v/v1.0.0.zip"));
    expect(zip.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const list = await authorized.handle(new Request("http://p/example.com/m/@v/list"));
    expect(list.headers.get("cache-control")).toBe("private, max-age=60");
  });

  it("queryTTL sets max-age of list, @latest and queries", async () => {
    const p = createProxy({ source: new MemorySource([fixture]), queryTTL: 5 });
    expect((await p.handle(new Request("http://p/example.com/m/@v/list"))).headers.get("cache-control")).toBe("public, max-age=5");
    const off = createProxy({ source: new MemorySource([fixture]), queryTTL: 0 });
    expect((await off.handle(new Request("http://p/example.com/m/@latest"))).headers.get("cache-control")).toBe("public, no-cache");
  });
});

describe("validators", () => {
  it.each(["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/list", "@latest"])("%s has a strong ETag of its bytes and an exact Content-Length", async (path) => {
    const res = await get(path);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(res.headers.get("etag")).toBe(await strongETag(body));
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers.get("content-length")).toBe(String(body.length));
  });

  it("a zip's ETag names its module, version and commit, known before it is built; cached, it has an exact Content-Length", async () => {
    const proxy = createProxy({ source: new MemorySource([fixture]) });
    const url = "http://p/example.com/m/@v/v1.0.0.zip";
    const { Origin } = await (await proxy.handle(new Request("http://p/example.com/m/@v/v1.0.0.info"))).json();
    const first = await proxy.handle(new Request(url));
    expect(first.headers.get("etag")).toBe(await zipETag("example.com/m", "v1.0.0", Origin.Hash));
    const body = new Uint8Array(await first.arrayBuffer());
    const cached = await proxy.handle(new Request(url));
    expect(cached.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(cached.headers.get("content-length")).toBe(String(body.length));
  });
  it("Last-Modified of a canonical version is its commit time", async () => {
    for (const path of ["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"]) {
      expect((await get(path)).headers.get("last-modified")).toBe("Tue, 02 Jan 2024 03:04:05 GMT");
    }
  });

  it.each(["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip"])("%s: the first answer and a cached one carry the same headers, but a zip streams first without a Content-Length", async (path) => {
    const fresh = createProxy({ source: new MemorySource([fixture]) });
    const first = await fresh.handle(new Request(`http://p/example.com/m/${path}`));
    await first.arrayBuffer();
    const second = await fresh.handle(new Request(`http://p/example.com/m/${path}`));
    const without = (r: Response) => [...r.headers].filter(([k]) => !path.endsWith(".zip") || k !== "content-length");
    expect(without(first)).toEqual(without(second));
    expect(first.headers.has("content-length")).toBe(!path.endsWith(".zip"));
    expect(second.headers.has("content-length")).toBe(true);
  });
});

describe("conditional requests", () => {
  it.each(["@v/v1.0.0.info", "@v/v1.0.0.mod", "@v/v1.0.0.zip", "@v/list", "@latest", "@v/main.info"])("%s with a matching If-None-Match answers 304 with validators and no body", async (path) => {
    const ok = await get(path);
    const etag = ok.headers.get("etag")!;
    const res = await get(path, { "if-none-match": etag });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe("");
    expect(Object.fromEntries(res.headers)).toEqual({
      etag,
      "cache-control": ok.headers.get("cache-control"),
      "last-modified": ok.headers.get("last-modified"),
    });
  });

  it("If-None-Match from a cold proxy's answer matches a fresh proxy's (ETag is the content's)", async () => {
    const etag = (await get("@v/v1.0.0.zip")).headers.get("etag")!;
    const other = createProxy({ source: new MemorySource([fixture]) });
    const res = await other.handle(new Request("http://p/example.com/m/@v/v1.0.0.zip", { headers: { "if-none-match": etag } }));
    expect(res.status).toBe(304);
  });

  it("a different ETag answers 200", async () => {
    expect((await get("@v/v1.0.0.zip", { "if-none-match": '"nope"' })).status).toBe(200);
  });

  it("HEAD with a matching ETag answers 304", async () => {
    const etag = (await get("@v/v1.0.0.info")).headers.get("etag")!;
    expect((await get("@v/v1.0.0.info", { "if-none-match": etag }, "HEAD")).status).toBe(304);
  });

  it("If-Modified-Since at or after Last-Modified answers 304; before answers 200", async () => {
    expect((await get("@v/v1.0.0.mod", { "if-modified-since": "Tue, 02 Jan 2024 03:04:05 GMT" })).status).toBe(304);
    expect((await get("@v/v1.0.0.mod", { "if-modified-since": "Tue, 02 Jan 2024 03:04:04 GMT" })).status).toBe(200);
  });

  it("errors are never 304", async () => {
    expect((await get("@v/v9.9.9.info", { "if-none-match": "*" })).status).toBe(404);
  });

  it("HEAD answers Content-Length of the body it does not send", async () => {
    const g = await get("@v/v1.0.0.zip");
    const h = await get("@v/v1.0.0.zip", {}, "HEAD");
    expect(h.headers.get("content-length")).toBe(g.headers.get("content-length"));
    expect(await h.text()).toBe("");
  });
});

describe("helpers", () => {
  it.each([
    [true, 60, false, "public, max-age=31536000, immutable"],
    [false, 60, false, "public, max-age=60"],
    [false, 0, false, "public, no-cache"],
    [false, 2.5, true, "private, max-age=2"],
  ])("cacheControl(%s, %s, %s) === %s", (immutable, ttl, priv, want) => {
    expect(cacheControl(immutable, ttl, priv)).toBe(want);
  });

  it.each([
    ['"a"', '"a"', true],
    ['W/"a"', '"a"', true],
    ['"b", "a"', '"a"', true],
    ["*", '"a"', true],
    ['"b"', '"a"', false],
    ['"a"', null, false],
  ])("isNotModified(If-None-Match: %s, ETag: %s) === %s", (inm, etag, want) => {
    expect(isNotModified(new Headers({ "if-none-match": inm }), etag, null)).toBe(want);
  });

  it("If-None-Match wins over If-Modified-Since", () => {
    const h = new Headers({ "if-none-match": '"b"', "if-modified-since": httpDate(Date.now()) });
    expect(isNotModified(h, '"a"', httpDate(0))).toBe(false);
  });

  it("httpDate(0) is the epoch in IMF-fixdate", () => {
    expect(httpDate(0)).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
  });
});
