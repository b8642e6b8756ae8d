#!/usr/bin/env node
/**
 * The gomodproxy command. `gomodproxy serve` runs the proxy on Node.
 * With no source given it serves the built-in demo modules from memory.
 */
import { parseArgs } from "node:util";
import { serve } from "../adapters/node.ts";
import { demoSource } from "./demo.ts";
import { createProxy } from "./handler.ts";
import type { RepoSource } from "./sources/source.ts";

const HELP = `gomodproxy: a Go module proxy that serves modules straight from git repositories

Usage:
  gomodproxy serve [flags]

Flags:
  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0 picks a free port)
                       env GOMODPROXY_LISTEN
  --base-path PATH     URL path the proxy is mounted under (default /)
                       env GOMODPROXY_BASE_PATH
  -h, --help           show this help

With no source flag, gomodproxy serves a built-in demo: example.com/hello
(v1.0.0, v1.1.0, v1.2.0-beta.1) and example.com/hello/v2 (v2.0.0), from memory.

Once it listens, the first line on stdout is exactly:
  listening on http://HOST:PORT

Point the go command at it:
  GOPROXY=http://127.0.0.1:8080 GONOSUMDB=example.com GOFLAGS=-mod=mod \\
    go mod download -json example.com/hello@v1.0.0
`;

/** parseListen splits "HOST:PORT" ("[::1]:8080" for IPv6). */
export function parseListen(listen: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`invalid --listen ${JSON.stringify(listen)}: want HOST:PORT`);
  return { hostname: m[1] ?? (m[2] || "127.0.0.1"), port };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      listen: { type: "string" },
      "base-path": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (positionals[0] !== "serve" || positionals.length > 1) {
    process.stderr.write(`gomodproxy: unknown command ${JSON.stringify(positionals.join(" "))}\n\n${HELP}`);
    return 2;
  }
  const env = process.env;
  const { hostname, port } = parseListen(values.listen ?? env.GOMODPROXY_LISTEN ?? "127.0.0.1:8080");
  const source: RepoSource = demoSource();
  const proxy = createProxy({ source, basePath: values["base-path"] ?? env.GOMODPROXY_BASE_PATH ?? "/" });
  const server = await serve(proxy.handle, { hostname, port, signals: true });
  process.stdout.write(`listening on ${server.url}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`gomodproxy: ${err.message}\n`);
    process.exitCode = 1;
  },
);
