/** The Bun adapter, run by the `bun` npm package's binary: see adapter-suite.ts. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { demoSource } from "../../src/demo.ts";
import { createProxy } from "../../src/handler.ts";
import { adapterSuite } from "./adapter-suite.ts";
import { BUN, ROOT, startChild } from "./child.ts";

adapterSuite("bun");

describe("mounted in a Bun.serve route", () => {
  // Bun hands a route's handler a BunRequest, whose `params` is read-only:
  // the core must never write to the Request it is given (an earlier router
  // assigned `request.params` and answered 500 here).
  it("routes: { \"/goproxy/*\": proxy.handle } answers as the core does", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gomodproxy-bun-routes-"));
    await writeFile(join(dir, "routes.ts"), `import { createProxy, demoSource } from "${ROOT}/src/index.ts";
const proxy = createProxy({ source: demoSource(), basePath: "/goproxy/" });
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, routes: { "/goproxy/*": (request: Request) => proxy.handle(request) } });
console.log("listening on " + server.url.origin);
`);
    const child = await startChild([BUN, join(dir, "routes.ts")]);
    try {
      const core = createProxy({ source: demoSource(), basePath: "/goproxy/" });
      for (const path of ["/goproxy/example.com/hello/@v/list", "/goproxy/example.com/hello/@v/v1.0.0.zip"]) {
        const got = await fetch(child.url + path);
        const want = await core.handle(new Request(child.url + path));
        expect(got.status, path).toBe(200);
        expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(await want.arrayBuffer())), path).toBe(true);
      }
    } finally {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
