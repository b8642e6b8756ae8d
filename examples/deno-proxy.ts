/**
 * A Go module proxy in one file, for Deno. It serves every git repository
 * under GOMODPROXY_ROOT, laid out by module path: `repos/example.com/hello.git`
 * (bare) or `repos/example.com/hello` (a clone) serves `example.com/hello`,
 * its `/v2` and its other nested modules.
 *
 *   deno run --allow-net --allow-read --allow-env examples/deno-proxy.ts
 *   GOPROXY=http://127.0.0.1:8080 GONOSUMDB=example.com go mod download example.com/hello@latest
 *
 * Environment: GOMODPROXY_ROOT (default ./repos), PORT (default 8080; 0 picks
 * a free port). The first line on stdout is `listening on http://HOST:PORT`.
 * It listens on 127.0.0.1 only; change `hostname` to serve other machines.
 *
 * In this checkout the imports are relative; in your own project import
 * `createProxy` from "jsr:@gomodproxy/gomodproxy" (or "npm:gomodproxy") and
 * `serve` from its "/deno" entry.
 */
import { serve } from "../adapters/deno.ts";
import { createProxy } from "../src/index.ts";
import { FsGitSource } from "../src/sources/fs.ts";

// Deno has this built in; the declaration only lets `tsc` check the file too.
declare const Deno: { env: { get(name: string): string | undefined } };

const root = Deno.env.get("GOMODPROXY_ROOT") || "./repos";
const port = Number(Deno.env.get("PORT") || 8080);

const proxy = createProxy({ source: new FsGitSource({ root }) });
const server = await serve(proxy.handle, { hostname: "127.0.0.1", port, signals: true });
console.log(`listening on ${server.url}`);
