/**
 * From a request URL to a module path and version, decoded once.
 *
 * The go command builds proxy URLs as `$base/<escaped path>/@v/<escaped
 * version>.<ext>` (go.dev/ref/mod#goproxy-protocol), where "escaped" is Go's
 * case-encoding (`!x` for `X`, x/mod `module.EscapePath`) and the result is
 * then percent-encoded as a URL path (so `!` arrives as `%21`).
 *
 * We undo the percent-encoding exactly once, then the case-encoding, and
 * validate with Go's own rules (`unescapePath` runs `checkPath`;
 * `unescapeVersion` the file-name rules). Anything unclean that reaches us
 * is the client's mistake and answers 404: a doubled or trailing slash,
 * an encoded slash or dot segment, a bad percent or `!` escape. Dot segments
 * that URL parsing already resolved are fine.
 */

import { type IRequest, Router } from "itty-router";
import { InvalidRequestError, ModuleError } from "./errors.ts";
import { canonicalVersion, check, checkImportPath, unescapePath, unescapeVersion } from "./module/path.ts";

/** MAX_PATH_BYTES bounds the URL path we look at; longer is not a module. */
export const MAX_PATH_BYTES = 4096;

/** checkRawPath rejects request paths that no go command sends. */
export function checkRawPath(pathname: string): void {
  if (pathname.length > MAX_PATH_BYTES) throw new InvalidRequestError("request path too long");
  if (pathname.includes("//")) throw new InvalidRequestError("malformed request path: empty path element");
  if (pathname.length > 1 && pathname.endsWith("/")) throw new InvalidRequestError("malformed request path: trailing slash");
  if (/%2f|%5c|%00/i.test(pathname)) throw new InvalidRequestError("malformed request path: encoded separator or NUL");
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(pathname)) throw new InvalidRequestError("malformed request path: dot segment");
}

/** decodeModulePath turns the escaped module path from a URL into a checked module path. */
export function decodeModulePath(raw: string): string {
  return unescapePath(percentDecode(raw));
}

/** decodeImportPath turns a `?go-get=1` request path (a package import path, not escaped) into a checked import path. */
export function decodeImportPath(raw: string): string {
  const path = percentDecode(raw);
  checkImportPath(path);
  return path;
}

/** decodeVersion turns the escaped version from a URL into a checked version or query. */
export function decodeVersion(raw: string): string {
  return unescapeVersion(percentDecode(raw));
}

function percentDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InvalidRequestError(`malformed request path: bad escape in ${JSON.stringify(raw.slice(0, 100))}`);
  }
}

/**
 * Endpoint names what a request asks for: `.info` of a canonical version is
 * "info" (immutable), of any other query (a branch, a hash) "query".
 */
export type Endpoint = "list" | "latest" | "info" | "query" | "mod" | "zip";

/** Route is a GOPROXY request target, decoded and checked. */
export interface Route {
  endpoint: Endpoint;
  module: string;
  /** version is the version or query; "" for list and latest. */
  version: string;
}

/**
 * ROUTES dispatches a path with itty-router. It only matches: every value is
 * decoded and checked by us. It is given a plain `{ method, url }` object,
 * never the caller's Request, because itty writes `params` onto what it
 * routes (Bun's route requests have a read-only `params`).
 */
const ROUTES = Router<IRequest, [], Route>()
  .get("/:module+/@v/list", ({ params }) => ({ endpoint: "list", module: decodeModulePath(params.module), version: "" }))
  .get("/:module+/@latest", ({ params }) => ({ endpoint: "latest", module: decodeModulePath(params.module), version: "" }))
  .get("/:module+/@v/:version.info", ({ params }) => versionRoute("info", params.module, params.version))
  .get("/:module+/@v/:version.mod", ({ params }) => versionRoute("mod", params.module, params.version))
  .get("/:module+/@v/:version.zip", ({ params }) => versionRoute("zip", params.module, params.version));

function versionRoute(ext: "info" | "mod" | "zip", rawModule: string, rawVersion: string): Route {
  const module = decodeModulePath(rawModule);
  const version = decodeVersion(rawVersion);
  const canonical = version === canonicalVersion(version);
  if (ext === "info") return { endpoint: canonical ? "info" : "query", module, version };
  if (!canonical) throw new ModuleError(module, version, new InvalidRequestError(`version ${version} is not canonical`));
  check(module, version); // throws x/mod's own ModuleError
  return { endpoint: ext, module, version };
}

/**
 * parseRoute decodes the path below the proxy's base path (with its leading
 * "/") into an endpoint, a module path and a version, or throws.
 *
 * @example await parseRoute("/example.com/!m/@v/v1.0.0.zip") // { endpoint: "zip", module: "example.com/M", version: "v1.0.0" }
 * Edge case: `.mod` and `.zip` of a non-canonical version (`v1.0`, `latest`) throw: only `.info` resolves queries.
 */
export async function parseRoute(rest: string): Promise<Route> {
  // A path with "/" after "@v/" is no endpoint; itty's trailing-slash tolerance must not make it one.
  if (rest.endsWith("/")) throw new InvalidRequestError("not found");
  const route = await ROUTES.fetch({ method: "GET", url: "http://route" + rest } as unknown as IRequest);
  if (!route) throw new InvalidRequestError("not found");
  return route;
}

/**
 * endpointOf names a request's endpoint for metrics from its URL alone, even
 * when the path is malformed: also "go-get", "metrics", "healthz" or "other".
 *
 * @example endpointOf(new URL("http://p/x.com/m/@v/main.info"), "/") === "query"
 */
export function endpointOf(url: URL, base: string): Endpoint | "go-get" | "metrics" | "healthz" | "other" {
  if (url.search !== "" && url.searchParams.get("go-get") === "1") return "go-get";
  const path = url.pathname;
  if (path.endsWith("/@v/list")) return "list";
  if (path.endsWith("/@latest")) return "latest";
  const m = /\/@v\/([^/]+)\.(info|mod|zip)$/.exec(path);
  if (m) return m[2] === "info" && m[1] !== canonicalVersion(m[1]) ? "query" : m[2] as Endpoint;
  if (path === base + "metrics") return "metrics";
  if (path === base + "healthz") return "healthz";
  return "other";
}
