import { describe, expect, it } from "vitest";
import { InvalidPathError } from "../src/errors.ts";
import { goGetImportPath, goGetPage, goImportHTML } from "../src/go-get.ts";
import { createProxy } from "../src/handler.ts";
import { type MemoryRepo, MemorySource } from "../src/sources/memory.ts";

const kit: MemoryRepo = {
  root: "go.corp.example/kit",
  commits: [{
    id: "c1",
    date: "2024-01-02T03:04:05Z",
    files: {
      "go.mod": "module go.corp.example/kit\n",
      "log/log.go": "package log\n",
      "v2/go.mod": "module go.corp.example/kit/v2\n",
      "tools/go.mod": "module go.corp.example/kit/tools\n",
    },
  }],
  tags: { "v1.0.0": "c1" },
};
const source = new MemorySource([kit]);

describe("goGetImportPath", () => {
  const cases: { url: string; want: string }[] = [
    { url: "https://go.corp.example/kit/log?go-get=1", want: "go.corp.example/kit/log" },
    { url: "https://go.corp.example/?go-get=1", want: "go.corp.example" },
    { url: "https://go.corp.example:8443/kit?go-get=1", want: "go.corp.example/kit" },
    { url: "https://GO.Corp.Example/Kit?go-get=1", want: "go.corp.example/Kit" }, // hosts are case-insensitive, paths are not
    { url: "https://go.corp.example/cmd/g%2B%2B?go-get=1", want: "go.corp.example/cmd/g++" },
  ];
  for (const c of cases) {
    it(`goGetImportPath(${c.url}) === ${c.want}`, () => {
      expect(goGetImportPath(new URL(c.url))).toBe(c.want);
    });
  }

  for (const url of ["https://go.corp.example/kit/a:b?go-get=1", "https://go.corp.example/kit/%22x?go-get=1"]) {
    it(`goGetImportPath(${url}) throws InvalidPathError`, () => {
      expect(() => goGetImportPath(new URL(url))).toThrow(InvalidPathError);
    });
  }
});

describe("goImportHTML", () => {
  it("goImportHTML(root, url) is one mod go-import tag in a minimal page", () => {
    expect(goImportHTML("go.corp.example/kit", "https://go.corp.example/goproxy")).toBe(
      "<!DOCTYPE html>\n<html>\n<head>\n" +
        '<meta name="go-import" content="go.corp.example/kit mod https://go.corp.example/goproxy">\n' +
        "</head>\n<body>\ngo get go.corp.example/kit\n</body>\n</html>\n",
    );
  });

  it("goImportHTML escapes markup", () => {
    expect(goImportHTML("a.b/x", 'https://h/"><script>')).toContain('content="a.b/x mod https://h/&#34;&#62;&#60;script&#62;"');
  });
});

describe("goGetPage", () => {
  const roots: { importPath: string; why: string }[] = [
    { importPath: "go.corp.example/kit", why: "the root module" },
    { importPath: "go.corp.example/kit/log", why: "a package in a subdirectory" },
    { importPath: "go.corp.example/kit/v2", why: "a /v2 module in a subdirectory" },
    { importPath: "go.corp.example/kit/tools", why: "a nested module" },
    { importPath: "go.corp.example/kit/no/such/pkg", why: "a path the go command probes" },
  ];
  for (const c of roots) {
    it(`goGetPage(${c.importPath}) answers the repository root (${c.why})`, async () => {
      const res = await goGetPage(source, new Request(`https://${c.importPath}?go-get=1`), c.importPath, "https://go.corp.example");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await res.text()).toBe(goImportHTML("go.corp.example/kit", "https://go.corp.example"));
    });
  }
});

describe("?go-get=1 through the handler", () => {
  const proxy = createProxy({ source, basePath: "/goproxy/" });
  const get = (url: string, method = "GET") => proxy.handle(new Request(url, { method }));

  it("answers at the import path on its host, whatever the base path, pointing at the base path", async () => {
    const res = await get("https://go.corp.example/kit/log?go-get=1");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('content="go.corp.example/kit mod https://go.corp.example/goproxy"');
  });

  it("HEAD answers the same status and headers without a body", async () => {
    const res = await get("https://go.corp.example/kit?go-get=1", "HEAD");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toBe("");
  });

  it("an unknown path answers 404, so the go command tries the next prefix", async () => {
    const res = await get("https://go.corp.example/nope/pkg?go-get=1");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("go.corp.example/nope/pkg: module not found\n");
  });

  it("a malformed import path answers 404", async () => {
    const res = await get("https://go.corp.example/kit/a:b?go-get=1");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('malformed import path "go.corp.example/kit/a:b": invalid char \':\'\n');
  });

  it("without ?go-get=1 the GOPROXY endpoints stay under the base path", async () => {
    expect((await get("https://go.corp.example/goproxy/go.corp.example/kit/@v/list")).status).toBe(200);
    expect((await get("https://go.corp.example/go.corp.example/kit/@v/list")).status).toBe(404);
  });
});
