#!/usr/bin/env node
/**
 * The gomodproxy command. `gomodproxy serve` runs the proxy on Node.
 * With no source given it serves the built-in demo modules from memory.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { serve } from "../adapters/node.ts";
import { tokenAuthorizer } from "./auth/authorizer.ts";
import { parseTokens } from "./auth/tokens.ts";
import { type ConfigFile, helpText, resolveSettings, SETTINGS } from "./config.ts";
import { demoSource } from "./demo.ts";
import { createProxy } from "./handler.ts";
import { jsonLogger } from "./log.ts";
import { DirCache } from "./cache/dir.ts";
import { MemoryCache } from "./cache/memory.ts";
import { nodeCacheFileSystem } from "./cache/node-fs.ts";
import { HttpGitSource } from "./sources/http.ts";
import { httpGitSourceOptions } from "./sources/http-git/node-config.ts";
import { createNodeFileSystem, FsGitSource } from "./sources/fs.ts";
import type { RepoSource } from "./sources/source.ts";

const HELP = `gomodproxy: a Go module proxy that serves modules straight from git repositories

Usage:
  gomodproxy serve [flags]

Flags:
${helpText()}
  -h, --help                   show this help

With neither --root nor --upstream, gomodproxy serves a built-in demo from memory:
example.com/hello (v1.0.0, v1.1.0, v1.2.0-beta.1) and example.com/hello/v2 (v2.0.0).

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

function readConfig(path: string | undefined): ConfigFile {
  if (!path) return {};
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: want a JSON object`);
  return parsed as ConfigFile;
}

async function main(argv: string[]): Promise<number> {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const s of SETTINGS) options[s.type === "boolean" ? `no-${s.flag}` : s.flag] = { type: s.type };
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (positionals[0] !== "serve" || positionals.length > 1) {
    process.stderr.write(`gomodproxy: unknown command ${JSON.stringify(positionals.join(" "))}\n\n${HELP}`);
    return 2;
  }
  const flags: Record<string, string | undefined> = {};
  for (const s of SETTINGS) {
    const v = values[s.type === "boolean" ? `no-${s.flag}` : s.flag];
    if (v !== undefined) flags[s.flag] = s.type === "boolean" ? "false" : String(v);
  }
  const env = process.env;
  const file = readConfig(flags.config ?? env.GOMODPROXY_CONFIG);
  const settings = resolveSettings(flags, env, file);
  const get = (flag: string) => settings.get(flag) || undefined;
  const on = (flag: string) => get(flag) !== "false";

  const { hostname, port } = parseListen(get("listen")!);
  const tokensFile = get("tokens");
  const privatePatterns = get("private") ?? "";
  const cacheDir = get("cache-dir");
  const upstream = await httpGitSourceOptions({
    upstream: get("upstream")?.split(/[\s,]+/).filter(Boolean),
    upstreamConfig: get("upstream-config"),
    upstreamNetrc: get("upstream-netrc"),
    refsTtl: get("refs-ttl"),
    cacheDir,
    authChecked: Boolean(tokensFile || privatePatterns),
  }, env);
  let source: RepoSource;
  if ((get("root") || file.mappings) && upstream) throw new Error("--root and --upstream are alternatives: choose one");
  if (upstream) source = new HttpGitSource(upstream);
  else if (get("root") || file.mappings) {
    source = new FsGitSource({ root: get("root"), mappings: file.mappings, fs: createNodeFileSystem({ syncReads: get("sync-reads") !== "false" }) });
  }
  else source = demoSource();

  const authMode = get("auth-mode");
  if (authMode !== "401" && authMode !== "404") throw new Error(`invalid --auth-mode ${JSON.stringify(authMode)}: want 401 or 404`);
  const authorize = tokensFile || privatePatterns
    ? tokenAuthorizer({
      tokens: tokensFile ? parseTokens(readFileSync(tokensFile, "utf8"), tokensFile) : [],
      private: privatePatterns,
      mode: authMode,
    })
    : undefined;
  const cert = get("tls-cert");
  const key = get("tls-key");
  if (!cert !== !key) throw new Error("--tls-cert and --tls-key go together");
  const tls = cert && key ? { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") } : undefined;
  if (authorize && !tls) process.stderr.write("gomodproxy: warning: the go command sends ~/.netrc credentials over https only\n");
  if (privatePatterns && !tokensFile) process.stderr.write("gomodproxy: warning: --private without --tokens denies every private module\n");

  const proxy = createProxy({
    source,
    basePath: get("base-path"),
    authorize,
    // Memory first (warm answers, short-lived list/@latest), the directory behind it for what lasts.
    cache: new MemoryCache({ next: cacheDir ? new DirCache(cacheDir, nodeCacheFileSystem) : undefined }),
    metrics: on("metrics"),
    warn: (message) => process.stderr.write(`gomodproxy: warning: ${message}\n`),
    log: on("access-log") ? jsonLogger((line) => process.stderr.write(line + "\n")) : undefined,
  });
  const server = await serve(proxy.handle, { hostname, port, tls, signals: true });
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
