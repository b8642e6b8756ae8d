/**
 * createProxy: the GOPROXY protocol as one function, `handle(Request): Promise<Response>`.
 *
 * Endpoints (go.dev/ref/mod#goproxy-protocol), under `basePath`:
 *   <module>/@v/list              tagged versions, one per line
 *   <module>/@v/<version>.info    {"Version","Time","Origin"} for a version or query
 *   <module>/@v/<version>.mod     the go.mod of a canonical version
 *   <module>/@v/<version>.zip     the module zip of a canonical version
 *   <module>/@latest              .info of the latest version
 * GET and HEAD only (HEAD runs GET and drops the body); anything else 405.
 * The handler answers only successes; every failure is a typed error that
 * `toResponse` in errors.ts turns into a status.
 */

import { Router } from "itty-router";
import { InvalidRequestError, MethodNotAllowedError, ModuleError, NotFoundError, toResponse } from "./errors.ts";
import { canonicalVersion, check } from "./module/path.ts";
import { goGetPage } from "./go-get.ts";
import { checkRawPath, decodeImportPath, decodeModulePath, decodeVersion } from "./request.ts";
import { CodeRepo, type ModuleInfo } from "./resolve/code-repo.ts";
import { GitView } from "./resolve/git.ts";
import type { RepoSource } from "./sources/source.ts";
import { buildModuleZip } from "./zip/build.ts";

export interface ProxyOptions {
  /** source finds git repositories for module paths. Required. */
  source: RepoSource;
  /**
   * basePath is where the proxy is mounted, e.g. "/goproxy/". Default "/".
   * GOPROXY is then `https://host/goproxy`.
   */
  basePath?: string;
  /**
   * authorize decides whether a request may see a module. It runs before the
   * source is asked anything, so a denial reads the same whether or not the
   * module exists. Throw `UnauthorizedError` (401) or `ForbiddenError` (403)
   * to deny; return a user name (for the access log) or nothing to allow.
   * Default: every request is allowed.
   */
  authorize?: (request: Request, module: string) => Promise<string | void> | string | void;
  /**
   * log receives one entry per request, after the response is chosen.
   * Default: nothing is logged. Entries never hold credentials.
   */
  log?: (entry: AccessLogEntry) => void;
}

/** AccessLogEntry is one request, as the `log` option receives it. */
export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
  /** durationMs is the time to choose the response (zip bodies stream on afterwards). */
  durationMs: number;
  /** user is the name `authorize` returned, if any. */
  user?: string;
}

export interface Proxy {
  /** handle answers one GOPROXY request. It never throws. */
  handle(request: Request): Promise<Response>;
}

const TEXT = "text/plain; charset=utf-8";

/** createProxy builds the request handler for a source. */
export function createProxy(options: ProxyOptions): Proxy {
  const { source } = options;
  const base = normalizeBase(options.basePath ?? "/");

  const users = new WeakMap<Request, string>();
  const authorize = async (req: Request, module: string) => {
    const user = await options.authorize?.(req, module);
    if (typeof user === "string") users.set(req, user);
  };

  const open = async (req: Request, module: string) => {
    await authorize(req, module);
    const repo = await source.open(module, { request: req, signal: req.signal }).catch((err) => {
      if (err instanceof NotFoundError) throw new ModuleError(module, "", new NotFoundError("module not found"));
      throw err;
    });
    const view = await GitView.open(repo);
    return { repo, code: new CodeRepo(view, repo.root, module) };
  };

  const router = Router({ base: base === "/" ? "" : base.slice(0, -1) });
  router
    .get("/:module+/@v/list", async (req) => {
      const module = decodeModulePath(req.params.module);
      const { code } = await open(req, module);
      const list = await code.versions();
      return new Response(list.map((v) => v + "\n").join(""), { headers: { "content-type": TEXT } });
    })
    .get("/:module+/@latest", async (req) => {
      const module = decodeModulePath(req.params.module);
      const { repo, code } = await open(req, module);
      return infoResponse(await code.queryLatest(), repo.url);
    })
    .get("/:module+/@v/:version.info", async (req) => {
      const module = decodeModulePath(req.params.module);
      const version = decodeVersion(req.params.version);
      const { repo, code } = await open(req, module);
      return infoResponse(await code.stat(version), repo.url);
    })
    .get("/:module+/@v/:version.mod", async (req) => {
      const { module, version } = downloadTarget(req.params.module, req.params.version);
      const { code } = await open(req, module);
      return new Response((await code.goMod(version)) as Uint8Array<ArrayBuffer>, { headers: { "content-type": TEXT } });
    })
    .get("/:module+/@v/:version.zip", async (req) => {
      const { module, version } = downloadTarget(req.params.module, req.params.version);
      const { code } = await open(req, module);
      const zip = await buildModuleZip(code, version);
      return new Response(zip.stream, { headers: { "content-type": "application/zip" } });
    })
    .all("*", () => {
      throw new InvalidRequestError("not found");
    });

  async function answer(request: Request): Promise<Response> {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") throw new MethodNotAllowedError(`method ${method} not allowed`);
    const url = new URL(request.url);
    checkRawPath(url.pathname);
    if (!url.pathname.startsWith(base)) throw new InvalidRequestError("not found");
    const get = method === "HEAD" ? new Request(request, { method: "GET" }) : request;
    if (url.searchParams.get("go-get") === "1") {
      const module = decodeImportPath(url.pathname.slice(base.length));
      await authorize(request, module);
      return goGetPage(source, get, module, url.origin + base.slice(0, -1));
    }
    return await router.fetch(get);
  }

  async function handle(request: Request): Promise<Response> {
    const start = performance.now();
    let response = await answer(request).catch(toResponse);
    if (request.method === "HEAD") {
      await response.body?.cancel();
      response = new Response(null, { status: response.status, headers: response.headers });
    }
    options.log?.({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      durationMs: Math.round((performance.now() - start) * 10) / 10,
      user: users.get(request),
    });
    return response;
  }

  return { handle };
}

/** downloadTarget decodes and checks a `.mod`/`.zip` request: canonical versions only. */
function downloadTarget(rawModule: string, rawVersion: string): { module: string; version: string } {
  const module = decodeModulePath(rawModule);
  const version = decodeVersion(rawVersion);
  if (version !== canonicalVersion(version)) {
    throw new ModuleError(module, version, new InvalidRequestError(`version ${version} is not canonical`));
  }
  check(module, version); // throws x/mod's own ModuleError
  return { module, version };
}

function infoResponse(info: ModuleInfo, url: string | undefined): Response {
  const origin: Record<string, string> = { VCS: "git" };
  if (url) origin.URL = url;
  if (info.subdir) origin.Subdir = info.subdir;
  origin.Hash = info.commit;
  if (info.ref) origin.Ref = info.ref;
  const body = { Version: info.version, Time: formatTime(info.time), Origin: origin };
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
}

/** formatTime writes seconds as Go's time.Time JSON: RFC 3339 in UTC, no fraction. */
export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

function normalizeBase(base: string): string {
  let b = base.startsWith("/") ? base : "/" + base;
  if (!b.endsWith("/")) b += "/";
  return b;
}
