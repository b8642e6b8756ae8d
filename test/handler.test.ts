import { describe, expect, it } from "vitest";
import { createProxy } from "../src/handler.ts";
import { demoSource } from "../src/demo.ts";
import { buildRepo, type MemoryRepo, MemorySource } from "../src/sources/memory.ts";
import { hash1, hashGoMod, hashZip } from "../src/hash/dirhash.ts";
import { readZip } from "../src/zip/reader.ts";

const fixture: MemoryRepo = {
  root: "example.com/m",
  url: "https://git.example.com/m",
  commits: [
    { id: "c1", date: "2023-01-02T03:04:05Z", files: { "go.mod": "module example.com/m\n", "m.go": "package m\n" } },
    { id: "c2", date: "2023-02-03T04:05:06+02:00", files: { "m.go": "package m // v1.1.0\n", "sub/x.go": "package sub\n" } },
    { id: "c3", date: "2023-03-04T05:06:07Z", files: { "README": "tip\n" } },
  ],
  tags: { "v1.0.0": "c1", "v1.1.0": { commit: "c2", message: "release\n" }, "v1.2": "c2", "junk": "c3" },
};

const proxy = createProxy({ source: new MemorySource([fixture]) });
const get = (path: string, init?: RequestInit) => proxy.handle(new Request(`http://proxy.test${path}`, init));

describe("GOPROXY endpoints", () => {
  it("list answers canonical tags, one per line", async () => {
    const res = await get("/example.com/m/@v/list");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("v1.0.0\nv1.1.0\n");
  });

  it("info answers Version, committer Time in UTC, and Origin", async () => {
    const repo = await buildRepo(fixture);
    const res = await get("/example.com/m/@v/v1.1.0.info");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({
      Version: "v1.1.0",
      Time: "2023-02-03T02:05:06Z",
      Origin: { VCS: "git", URL: "https://git.example.com/m", Hash: repo.commitIds.get("c2"), Ref: "refs/tags/v1.1.0" },
    });
  });

  it("info resolves a branch to a pseudo-version", async () => {
    const repo = await buildRepo(fixture);
    const hash = repo.commitIds.get("c3")!;
    const res = await get("/example.com/m/@v/main.info");
    expect(await res.json()).toMatchObject({ Version: `v1.1.1-0.20230304050607-${hash.slice(0, 12)}`, Time: "2023-03-04T05:06:07Z" });
  });

  it("info resolves a short hash carrying a tag to the tag", async () => {
    const repo = await buildRepo(fixture);
    const res = await get(`/example.com/m/@v/${repo.commitIds.get("c1")!.slice(0, 8)}.info`);
    expect(await res.json()).toMatchObject({ Version: "v1.0.0" });
  });

  it("@latest answers the highest release, not the newer branch head", async () => {
    const res = await get("/example.com/m/@latest");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ Version: "v1.1.0", Time: "2023-02-03T02:05:06Z" });
  });

  it("mod answers the go.mod bytes verbatim", async () => {
    const res = await get("/example.com/m/@v/v1.0.0.mod");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("module example.com/m\n");
  });

  it("zip answers the module files under module@version/", async () => {
    const res = await get("/example.com/m/@v/v1.1.0.zip");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const entries = readZip(bytes);
    expect(entries.map((e) => e.name)).toEqual([
      "example.com/m@v1.1.0/go.mod",
      "example.com/m@v1.1.0/m.go",
      "example.com/m@v1.1.0/sub/x.go",
    ]);
    const enc = new TextEncoder();
    const expected = await hash1([
      { name: "example.com/m@v1.1.0/go.mod", open: () => enc.encode("module example.com/m\n") },
      { name: "example.com/m@v1.1.0/m.go", open: () => enc.encode("package m // v1.1.0\n") },
      { name: "example.com/m@v1.1.0/sub/x.go", open: () => enc.encode("package sub\n") },
    ]);
    expect(await hashZip(bytes)).toBe(expected);
  });

  it("HEAD answers the same status and headers with no body", async () => {
    for (const path of ["/example.com/m/@v/list", "/example.com/m/@v/v1.0.0.info", "/example.com/m/@v/v9.9.9.info"]) {
      const [g, h] = [await get(path), await get(path, { method: "HEAD" })];
      expect(h.status).toBe(g.status);
      expect([...h.headers]).toEqual([...g.headers]);
      expect(await h.text()).toBe("");
    }
  });

  it("basePath mounts the proxy under a prefix", async () => {
    const mounted = createProxy({ source: new MemorySource([fixture]), basePath: "/goproxy" });
    const ok = await mounted.handle(new Request("http://p/goproxy/example.com/m/@v/list"));
    expect(await ok.text()).toBe("v1.0.0\nv1.1.0\n");
    const outside = await mounted.handle(new Request("http://p/example.com/m/@v/list"));
    expect(outside.status).toBe(404);
  });
});

describe("demo", () => {
  it("serves example.com/hello with a pre-release and a v2 subdirectory", async () => {
    const demo = createProxy({ source: demoSource() });
    const list = await demo.handle(new Request("http://p/example.com/hello/@v/list"));
    expect(await list.text()).toBe("v1.0.0\nv1.1.0\nv1.2.0-beta.1\n");
    const v2 = await demo.handle(new Request("http://p/example.com/hello/v2/@v/list"));
    expect(await v2.text()).toBe("v2.0.0\n");
    const mod = await demo.handle(new Request("http://p/example.com/hello/v2/@v/v2.0.0.mod"));
    expect(await mod.text()).toBe("module example.com/hello/v2\n\ngo 1.19\n");
    expect(await hashGoMod(new TextEncoder().encode("module example.com/hello/v2\n\ngo 1.19\n"))).toMatch(/^h1:/);
  });
});

describe("errors", () => {
  it("an unknown version answers 404 with a Go-style message", async () => {
    const res = await get("/example.com/m/@v/v9.9.9.info");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("example.com/m@v9.9.9: invalid version: unknown revision v9.9.9\n");
  });

  it("a path that is not a module answers 404", async () => {
    const res = await get("/example.org/nothing/@v/list");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("example.org/nothing: module not found\n");
  });

  const malformed: [string, string, RequestInit?][] = [
    ["trailing slash", "/example.com/m/@v/list/"],
    ["leading double slash", "//example.com/m/@v/list"],
    ["inner double slash", "/example.com//m/@v/list"],
    ["encoded dot segment", "/example.com/%2e%2e/m/@v/list"],
    ["encoded slash", "/example.com/m%2F..%2Fx/@v/list"],
    ["encoded backslash", "/example.com/m%5C..%5Cx/@v/list"],
    ["encoded NUL in version", "/example.com/m/@v/v1.0.0%00.info"],
    ["bad percent escape", "/example.com/m/@v/%zz.info"],
    ["truncated percent escape", "/example.com/m/@v/v1%2.info"],
    ["trailing ! in path", "/example.com/m!/@v/list"],
    ["! not followed by a letter", "/example.com/!!m/@v/list"],
    ["raw uppercase in path", "/example.com/M/@v/list"],
    ["uppercase host", "/Example.com/m/@v/list"],
    ["raw uppercase in version", "/example.com/m/@v/V1.0.0.info"],
    ["! escape in version", "/example.com/m/@v/%21.info"],
    ["non-canonical .mod", "/example.com/m/@v/v1.0.mod"],
    ["query word latest in .mod", "/example.com/m/@v/latest.mod"],
    ["query word latest in .zip", "/example.com/m/@v/latest.zip"],
    ["query word upgrade in .zip", "/example.com/m/@v/upgrade.zip"],
    ["branch name in .zip", "/example.com/m/@v/main.zip"],
    ["build metadata in .mod", "/example.com/m/@v/v1.0.0+meta.mod"],
    ["+incompatible on v1 in .info", "/example.com/m/@v/v1.0.0+incompatible.info"],
    ["v2 on a v1 path in .zip", "/example.com/m/@v/v2.0.0.zip"],
    ["git option as version", "/example.com/m/@v/--upload-pack=touch%20x.info"],
    ["git option as .zip version", "/example.com/m/@v/--output=x.zip"],
    ["dash version", "/example.com/m/@v/-v1.0.0.info"],
    ["unknown extension", "/example.com/m/@v/v1.0.0.exe"],
    ["empty version", "/example.com/m/@v/.info"],
    ["dot version", "/example.com/m/@v/..info"],
    ["no endpoint", "/example.com/m/@v/"],
    ["@latest with a suffix", "/example.com/m/@latest/x"],
    ["overlong path", "/example.com/" + "a".repeat(5000) + "/@v/list"],
    ["overlong version", "/example.com/m/@v/v" + "1".repeat(5000) + ".info"],
    ["leading dash element", "/-example.com/m/@v/list"],
    ["v1 major suffix", "/example.com/m/v1/@v/list"],
    ["dotted major suffix", "/example.com/m/v2.0/@v/list"],
    ["reserved Windows name as version", "/example.com/m/@v/con.info"],
    ["newline in version", "/example.com/m/@v/a%0ab.info"],
    ["control character in path", "/example.com/m%07/@v/list"],
    ["non-ASCII path", "/example.com/h%C3%A9llo/@v/list"],
    ["no dot in first element", "/localhost/m/@v/list"],
    ["sumdb probe", "/sumdb/sum.golang.org/supported"],
    ["root", "/"],
  ];

  it.each(malformed)("%s: %s answers 404 with a message", async (_name, path, init) => {
    const res = await get(path, init);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const body = await res.text();
    expect(body.length).toBeGreaterThan(1);
    expect(body.length).toBeLessThanOrEqual(700);
    expect(body).not.toMatch(/Error:|at .*\.ts|\/work\//);
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])("method %s answers 405 with Allow", async (method) => {
    const res = await get("/example.com/m/@v/list", { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(await res.text()).toBe(`method ${method} not allowed\n`);
  });

  it("a broken repository answers 500 without internals", async () => {
    const repo = await buildRepo(fixture);
    const tree = (await repo.readObject(repo.commitIds.get("c1")!)).data;
    const treeOid = new TextDecoder().decode(tree).slice(5, 45);
    repo.objects.delete(treeOid);
    const broken = createProxy({ source: { open: async () => repo } });
    const res = await broken.handle(new Request("http://p/example.com/m/@v/v1.0.0.mod"));
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("internal server error\n");
  });
});
