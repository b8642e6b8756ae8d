/**
 * Upstreams: which repository URL may hold a module path, and whose
 * credentials a lookup uses.
 *
 * An upstream serves the module paths under its `prefix`. Its `url` is a
 * template where `{path}` is the repository path below the prefix; the
 * candidates for a module path are its prefixes with at least one element
 * below `prefix`, longest first, because a repository's root is the
 * longest path the server knows (cmd/go asks the `?go-get=1` page for the
 * same answer, go.dev/ref/mod#vcs-find). A template without `{path}` is one
 * repository, rooted at the prefix (vanity paths).
 *
 * Elements that are empty, start with a dot, or hold `\`, NUL, `?`, `#` or
 * `%` never reach a URL: they could leave the template's path or query.
 */

import { toHex } from "../../git/object.ts";
import { sha256Sync } from "../../hash/sha256.ts";

/** Upstream is one git server, or one repository, and the module paths it serves. */
export interface Upstream {
  /** prefix is the module path prefix served, e.g. "git.example.com" or "go.example.org/tool". */
  prefix: string;
  /**
   * url is the repository URL template: `{path}` is the repository's path
   * below `prefix` ("https://git.example.com/{path}.git"); without `{path}`
   * the URL is the one repository serving `prefix`. No credentials in it.
   */
  url: string;
  /** authorization is the Authorization header for this upstream ("Basic …", "Bearer …"). Default: none. */
  authorization?: string;
  /** discovery finds the repository by probing `info/refs` (default) or by the `?go-get=1` page. */
  discovery?: "probe" | "go-get";
}

/** Candidate is a repository that may hold a module: its root module path and URL. */
export interface Candidate {
  root: string;
  url: string;
}

/**
 * upstreamFromURL turns `--upstream URL` into an Upstream: credentials in
 * the URL become its `authorization`, and the prefix is the URL's host and path.
 *
 * @example upstreamFromURL("https://git.example.com").url === "https://git.example.com/{path}.git"
 * Edge case: a port is dropped from the prefix, as module paths have none.
 */
export function upstreamFromURL(raw: string): Upstream {
  const u = new URL(raw);
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error(`upstream ${raw}: want an http or https URL`);
  let authorization: string | undefined;
  if (u.username || u.password) {
    authorization = `Basic ${btoa(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`)}`;
    u.username = "";
    u.password = "";
  }
  const path = u.pathname.replace(/\/+$/, "");
  return { prefix: u.hostname + path, url: `${u.origin}${path}/{path}.git`, authorization };
}

/**
 * candidatesFor lists the repositories that may hold modulePath, longest
 * first, or undefined when the path cannot be one of the upstream's.
 *
 * @example candidatesFor({ prefix: "h.example", url: "https://h.example/{path}.git" }, "h.example/a/b")
 *   // [{ root: "h.example/a/b", url: "https://h.example/a/b.git" }, { root: "h.example/a", url: "https://h.example/a.git" }]
 * Edge case: the prefix alone has no candidate under a `{path}` template.
 */
export function candidatesFor(upstream: Upstream, modulePath: string): Candidate[] | undefined {
  if (!upstream.url.includes("{path}")) return [{ root: upstream.prefix, url: upstream.url }];
  const rest = modulePath.slice(upstream.prefix.length + 1);
  const elems = rest === "" ? [] : rest.split("/");
  if (elems.some((e) => e === "" || e.startsWith(".") || /[\\\0?#%]/.test(e))) return undefined;
  const out: Candidate[] = [];
  for (let n = elems.length; n > 0; n--) {
    const path = elems.slice(0, n).join("/");
    out.push({ root: `${upstream.prefix}/${path}`, url: upstream.url.replaceAll("{path}", path) });
  }
  return out;
}

/**
 * goGetURL is the `?go-get=1` page for modulePath on the upstream's origin,
 * or undefined when the module path's host is not the upstream's.
 */
export function goGetURL(upstream: Upstream, modulePath: string): string | undefined {
  const base = new URL(upstream.url.replaceAll("{path}", "x"));
  const [host, ...path] = modulePath.split("/");
  if (host !== base.hostname) return undefined;
  return `${base.origin}/${path.map(encodeURIComponent).join("/")}?go-get=1`;
}

/**
 * chooseGoImport picks, from a go-get page, the git repository whose prefix
 * is the longest that covers modulePath and lies under the upstream's
 * prefix. Only a repository on the upstream's own origin is taken: it is
 * the only one that may receive the upstream's credentials.
 */
export function chooseGoImport(html: string, upstream: Upstream, modulePath: string): Candidate | undefined {
  const origin = new URL(upstream.url.replaceAll("{path}", "x")).origin;
  let found: Candidate | undefined;
  for (const meta of goImports(html)) {
    const under = meta.prefix === upstream.prefix || meta.prefix.startsWith(upstream.prefix + "/");
    const covers = modulePath === meta.prefix || modulePath.startsWith(meta.prefix + "/");
    if (meta.vcs !== "git" || !under || !covers || !sameOrigin(meta.url, origin)) continue;
    if (!found || meta.prefix.length > found.root.length) found = { root: meta.prefix, url: meta.url };
  }
  return found;
}

/** goImports reads `<meta name="go-import" content="prefix vcs url">` tags (cmd/go `parseMetaGoImports`). */
export function goImports(html: string): { prefix: string; vcs: string; url: string }[] {
  const out: { prefix: string; vcs: string; url: string }[] = [];
  for (const tag of html.match(/<meta\s[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, "i").exec(tag);
    const name = attr("name");
    const content = attr("content");
    if (!name || (name[2] ?? name[3]) !== "go-import" || !content) continue;
    const fields = (content[2] ?? content[3]).trim().split(/\s+/);
    if (fields.length === 3) out.push({ prefix: fields[0], vcs: fields[1], url: fields[2] });
  }
  return out;
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/**
 * partitionOf names the credential a request uses upstream: "public", or
 * "c" and 32 hex digits of a SHA-256 of the header, stable across restarts
 * (the on-disk store's directories) and never the credential itself.
 */
export function partitionOf(authorization: string | undefined): string {
  if (authorization === undefined) return "public";
  return "c" + toHex(sha256Sync(new TextEncoder().encode(`gomodproxy upstream credential\0${authorization}`))).slice(0, 32);
}

/** urlId is a file-name-safe name for a repository URL. */
export function urlId(url: string): string {
  return toHex(sha256Sync(new TextEncoder().encode(url))).slice(0, 32);
}

/** wantsFresh reports whether a request asks for revalidation (`Cache-Control: no-cache` or `max-age=0`). */
export function wantsFresh(request?: Request): boolean {
  const cc = request?.headers.get("cache-control") ?? "";
  return /(^|,)\s*(no-cache|max-age=0)\s*(,|$)/i.test(cc) || /no-cache/i.test(request?.headers.get("pragma") ?? "");
}

/** remember sets key to value as the most recent entry, dropping the oldest beyond max. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

