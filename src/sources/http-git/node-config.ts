/**
 * The command line's view of HttpGitSource: flags and environment variables
 * → options, for `gomodproxy serve --upstream URL` on Node (files are read
 * with node:fs).
 *
 *   --upstream URL          a git server; repeatable. `https://git.example.com`
 *                           serves git.example.com/<repo path> from <URL>/<repo path>.git.
 *                           env GOMODPROXY_UPSTREAM (several separated by spaces or commas)
 *   --upstream-config FILE  JSON `{ "upstreams": [{ "prefix", "url", "authorizationEnv"?, "discovery"? }] }`
 *                           for URL templates (vanity paths, several hosts). env GOMODPROXY_UPSTREAM_CONFIG
 *   --upstream-netrc FILE   credentials per upstream host, in netrc format. env GOMODPROXY_UPSTREAM_NETRC
 *   --refs-ttl SECONDS      how long refs are reused (default 60). env GOMODPROXY_REFS_TTL
 *   --cache-dir DIR         keep fetched objects on disk under DIR/upstream-git (default: in memory).
 *                           env GOMODPROXY_CACHE_DIR
 *
 * Credentials never come from the command line itself (other users can
 * read it): a netrc file, or an environment variable named in the JSON
 * config. A user name and password inside an --upstream URL are refused.
 */

import { readFile } from "node:fs/promises";
import { type HttpGitSourceOptions, type Upstream, upstreamFromURL } from "../http.ts";
import { nodeRuntime } from "./node.ts";
import { NodeObjectStorage } from "./node-store.ts";

export interface HttpFlags {
  upstream?: string[];
  upstreamConfig?: string;
  upstreamNetrc?: string;
  refsTtl?: string;
  cacheDir?: string;
  /**
   * authChecked says the proxy authenticates its clients (the private-modules
   * options): their Authorization header is then the proxy's and is never
   * passed upstream.
   */
  authChecked: boolean;
}

/** UpstreamConfigEntry is one element of `--upstream-config`'s `upstreams`. */
interface UpstreamConfigEntry {
  prefix: string;
  url: string;
  /** authorizationEnv names an environment variable holding the whole Authorization header. */
  authorizationEnv?: string;
  discovery?: "probe" | "go-get";
}

/**
 * httpGitSourceOptions turns flags (falling back to `env`) into
 * HttpGitSource options, or returns undefined when no upstream is configured.
 *
 * @example await httpGitSourceOptions({ upstream: ["https://git.example.com"], authChecked: false })
 * Edge case: an upstream with credentials in its URL is refused, naming the flag to use instead.
 */
export async function httpGitSourceOptions(
  flags: HttpFlags,
  env: Record<string, string | undefined> = process.env,
): Promise<HttpGitSourceOptions | undefined> {
  const urls = flags.upstream?.length ? flags.upstream : (env.GOMODPROXY_UPSTREAM ?? "").split(/[\s,]+/).filter(Boolean);
  const upstreams: Upstream[] = urls.map((raw) => {
    const u = upstreamFromURL(raw);
    if (u.authorization) throw new Error(`--upstream ${new URL(raw).host}: put credentials in --upstream-netrc, not in the URL`);
    return u;
  });
  const configFile = flags.upstreamConfig ?? env.GOMODPROXY_UPSTREAM_CONFIG;
  if (configFile) {
    const config = JSON.parse(await readFile(configFile, "utf8")) as { upstreams?: UpstreamConfigEntry[] };
    for (const entry of config.upstreams ?? []) {
      if (typeof entry.prefix !== "string" || typeof entry.url !== "string") throw new Error(`${configFile}: every upstream needs a prefix and a url`);
      let authorization: string | undefined;
      if (entry.authorizationEnv) {
        authorization = env[entry.authorizationEnv];
        if (!authorization) throw new Error(`${configFile}: upstream ${entry.prefix}: $${entry.authorizationEnv} is not set`);
      }
      upstreams.push({ prefix: entry.prefix, url: entry.url, authorization, discovery: entry.discovery });
    }
  }
  if (upstreams.length === 0) return undefined;

  const netrcFile = flags.upstreamNetrc ?? env.GOMODPROXY_UPSTREAM_NETRC;
  if (netrcFile) {
    const machines = parseNetrc(await readFile(netrcFile, "utf8"));
    for (const u of upstreams) {
      if (u.authorization) continue;
      const m = machines.get(new URL(u.url.replaceAll("{path}", "x")).hostname) ?? machines.get("");
      if (m) u.authorization = `Basic ${btoa(`${m.login}:${m.password}`)}`;
    }
  }

  const ttl = flags.refsTtl ?? env.GOMODPROXY_REFS_TTL;
  const refsTtlSeconds = ttl === undefined ? undefined : Number(ttl);
  if (refsTtlSeconds !== undefined && !(Number.isFinite(refsTtlSeconds) && refsTtlSeconds >= 0)) {
    throw new Error(`--refs-ttl ${JSON.stringify(ttl)}: want a number of seconds`);
  }
  const cacheDir = flags.cacheDir ?? env.GOMODPROXY_CACHE_DIR;
  return {
    ...nodeRuntime,
    upstreams,
    refsTtlSeconds,
    passThroughCredentials: !flags.authChecked,
    storage: cacheDir ? new NodeObjectStorage(cacheDir) : undefined,
  };
}

/**
 * parseNetrc reads a netrc file (the format of ~/.netrc, which git and the
 * go command read): `machine HOST login USER password SECRET` entries, and
 * `default` (stored under ""). `macdef` bodies are skipped.
 *
 * @example parseNetrc("machine git.example.com login bot password t0ken").get("git.example.com") // { login: "bot", password: "t0ken" }
 * Edge case: the first entry for a host wins, as in curl.
 */
export function parseNetrc(text: string): Map<string, { login: string; password: string }> {
  const out = new Map<string, { login: string; password: string }>();
  const lines = text.split("\n");
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*macdef\s/.test(lines[i])) {
      while (i + 1 < lines.length && lines[i + 1].trim() !== "") i++; // a macro runs to the next empty line
      continue;
    }
    if (lines[i].trim().startsWith("#")) continue; // a comment line; "#" inside a password is a character
    tokens.push(...lines[i].split(/\s+/).filter(Boolean));
  }
  let machine: string | undefined;
  let entry = { login: "", password: "" };
  const flush = () => {
    if (machine !== undefined && !out.has(machine)) out.set(machine, entry);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "machine" || t === "default") {
      flush();
      machine = t === "default" ? "" : tokens[++i];
      entry = { login: "", password: "" };
    } else if (t === "login") entry.login = tokens[++i] ?? "";
    else if (t === "password") entry.password = tokens[++i] ?? "";
  }
  flush();
  return out;
}
