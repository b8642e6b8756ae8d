/**
 * gomodproxy inside a Bun app: Bun.serve with routes of its own, and the
 * proxy mounted under /goproxy/. It serves every git repository under
 * GOMODPROXY_ROOT, laid out by module path (`repos/example.com/hello.git`
 * serves `example.com/hello`).
 *
 *   bun examples/bun-embed.ts
 *   GOPROXY=http://127.0.0.1:8080/goproxy GONOSUMDB=example.com go mod download example.com/hello@latest
 *
 * Environment: GOMODPROXY_ROOT (default ./repos), PORT (default 8080; 0 picks
 * a free port). The first line on stdout is `listening on http://HOST:PORT`.
 *
 * In this checkout the imports are relative; in your own project import
 * `createProxy` from "gomodproxy".
 */
import { createProxy } from "../src/index.ts";
import { FsGitSource } from "../src/sources/fs.ts";

// Bun has this built in; the declaration only lets `tsc` check the file too.
declare const Bun: { serve(options: object): { url: URL } };

const proxy = createProxy({
  source: new FsGitSource({ root: process.env.GOMODPROXY_ROOT || "./repos" }),
  basePath: "/goproxy/", // where the route below mounts it
});

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT || 8080),
  idleTimeout: 255, // seconds, Bun's maximum (default 10): a large zip may take a while to start
  routes: {
    "/": new Response("Go modules are served under /goproxy/\n"),
    "/healthz": new Response("ok\n"),
    "/goproxy/*": (request: Request) => proxy.handle(request),
  },
  fetch: () => new Response("not found\n", { status: 404 }),
});
console.log(`listening on ${server.url.origin}`);
