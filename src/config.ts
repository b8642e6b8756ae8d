/**
 * The `gomodproxy serve` settings: one table that gives each setting its
 * flag, its environment variable (`GOMODPROXY_<NAME>`), its key in the JSON
 * config file and its help text. A flag beats the environment, which beats
 * the config file, which beats the default.
 */

/** Setting describes one option of `gomodproxy serve`. */
export interface Setting {
  /** flag is the long flag without dashes; the config key is its camelCase form. */
  flag: string;
  type: "string" | "boolean";
  arg?: string;
  help: string;
  default?: string;
}

export const SETTINGS: Setting[] = [
  { flag: "listen", type: "string", arg: "HOST:PORT", default: "127.0.0.1:8080", help: "address to listen on; port 0 picks a free port" },
  { flag: "base-path", type: "string", arg: "PATH", default: "/", help: "URL path the proxy is mounted under" },
  { flag: "root", type: "string", arg: "DIR", help: "serve the git repositories below DIR, laid out by module path (DIR/example.com/repo.git)" },
  { flag: "upstream", type: "string", arg: "URL", help: "serve modules from a git server over smart HTTP (URL/group/repo.git)" },
  { flag: "upstream-config", type: "string", arg: "FILE", help: "JSON { \"upstreams\": [{ \"prefix\", \"url\", \"authorizationEnv\"? }] } for URL templates and several upstreams" },
  { flag: "upstream-netrc", type: "string", arg: "FILE", help: "credentials for upstream git servers, in netrc format" },
  { flag: "refs-ttl", type: "string", arg: "SECONDS", default: "60", help: "with --upstream, how long a ref listing is trusted" },
  { flag: "cache-dir", type: "string", arg: "DIR", help: "keep built artifacts, pins and fetched objects in DIR (default: in memory)" },
  { flag: "tokens", type: "string", arg: "FILE", help: "tokens file: one 'TOKEN PATTERN[,PATTERN...] [NAME]' per line" },
  { flag: "private", type: "string", arg: "PATTERNS", help: "comma-separated module path globs that need a token (GOPRIVATE syntax)" },
  { flag: "auth-mode", type: "string", arg: "401|404", default: "401", help: "answer denied private requests 401/403, or 404 (GitLab-compatible)" },
  { flag: "tls-cert", type: "string", arg: "FILE", help: "PEM certificate: serve HTTPS (with --tls-key)" },
  { flag: "tls-key", type: "string", arg: "FILE", help: "PEM private key for --tls-cert" },
  { flag: "sync-reads", type: "boolean", default: "true", help: "with --root, read small pack ranges synchronously in 10 ms slices (faster cold zips); --no-sync-reads keeps reads asynchronous (fairer to other requests meanwhile)" },
  { flag: "metrics", type: "boolean", default: "true", help: "answer GET /metrics (Prometheus) and /healthz; --no-metrics turns them off" },
  { flag: "access-log", type: "boolean", default: "true", help: "write one JSON access-log line per request to stderr; --no-access-log turns it off" },
  { flag: "config", type: "string", arg: "FILE", help: "JSON file with any of these settings (camelCase keys) and \"mappings\"" },
];

/** envName is the environment variable of a flag: "cache-dir" → "GOMODPROXY_CACHE_DIR". */
export function envName(flag: string): string {
  return "GOMODPROXY_" + flag.toUpperCase().replaceAll("-", "_");
}

/** configKey is the config-file key of a flag: "cache-dir" → "cacheDir". */
export function configKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** ConfigFile is the JSON config file: settings by camelCase key, plus module path mappings. */
export interface ConfigFile {
  [key: string]: unknown;
  /** mappings maps a module path prefix to a repository directory (vanity paths). */
  mappings?: Record<string, string>;
}

/**
 * resolveSettings merges flags, environment and config file into one value
 * per setting (strings; booleans as "true"/"false").
 */
export function resolveSettings(
  flags: Record<string, string | boolean | undefined>,
  env: Record<string, string | undefined>,
  file: ConfigFile,
): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const s of SETTINGS) {
    const fromFile = file[configKey(s.flag)];
    if (fromFile !== undefined && typeof fromFile !== "string" && typeof fromFile !== "boolean" && typeof fromFile !== "number") {
      throw new Error(`config: ${configKey(s.flag)} must be a string, number or boolean`);
    }
    const value = flags[s.flag] ?? env[envName(s.flag)] ?? (fromFile === undefined ? undefined : String(fromFile)) ?? s.default;
    out.set(s.flag, value === undefined ? undefined : String(value));
  }
  return out;
}

/** helpText renders the flags table for --help. */
export function helpText(): string {
  const rows = SETTINGS.map((s) => {
    const left = s.type === "boolean" ? `  --no-${s.flag}` : `  --${s.flag}${s.arg ? " " + s.arg : ""}`;
    const def = s.default !== undefined ? ` (default ${s.default})` : "";
    return `${left.padEnd(28)} ${s.help}${def}\n${"".padEnd(29)}env ${envName(s.flag)}`;
  });
  return rows.join("\n");
}
