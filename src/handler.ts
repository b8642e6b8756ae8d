/**
 * createProxy: the GOPROXY protocol as one function, `handle(Request): Promise<Response>`.
 *
 * Endpoints (go.dev/ref/mod#goproxy-protocol), under `basePath`:
 *   <module>/@v/list              tagged versions, one per line
 *   <module>/@v/<version>.info    {"Version","Time","Origin"} for a version or query
 *   <module>/@v/<version>.mod     the go.mod of a canonical version
 *   <module>/@v/<version>.zip     the module zip of a canonical version
 *   <module>/@latest              .info of the latest version
 *   metrics, healthz              with `metrics: true` only (Prometheus text; "ok")
 * GET and HEAD only (HEAD runs GET and drops the body); anything else 405.
 * Answers carry HTTP caching headers (http-cache.ts) and a matching
 * `If-None-Match` or `If-Modified-Since` gets 304, decided here once for
 * every endpoint. Canonical versions are cached and pinned, so they never
 * change once served (cache/artifacts.ts).
 * The handler answers only successes; every failure is a typed error that
 * `toResponse` in errors.ts turns into a status.
 */

import { withoutCredentials } from "./auth/credentials.ts";
import { type Answer, Artifacts, MAX_SHARED_ZIP_BYTES } from "./cache/artifacts.ts";
import type { Cache, CacheEntry } from "./cache/cache.ts";
import { MemoryCache } from "./cache/memory.ts";
import { InvalidRequestError, MethodNotAllowedError, ModuleError, NotFoundError, toResponse } from "./errors.ts";
import { goGetImportPath, goGetPage } from "./go-get.ts";
import { cacheControl, DEFAULT_QUERY_TTL, httpDate, isNotModified, NOT_MODIFIED_HEADERS } from "./http-cache.ts";
import { METRICS_CONTENT_TYPE, ProxyMetrics } from "./metrics.ts";
import { checkRawPath, type Endpoint, endpointOf, parseRoute, type Route } from "./request.ts";
import { CodeRepo, type ModuleInfo } from "./resolve/code-repo.ts";
import { GitView } from "./resolve/git.ts";
import { buildModuleZip } from "./zip/build.ts";
import type { RepoSource } from "./sources/source.ts";

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
   * source or the cache is asked anything, so a denial reads the same whether
   * or not the module exists. Throw `UnauthorizedError` (401) or
   * `ForbiddenError` (403) to deny; return a user name (for the access log)
   * or nothing to allow. When set, answers are `Cache-Control: private`.
   * Default: every request is allowed.
   */
  authorize?: (request: Request, module: string) => Promise<string | void> | string | void;
  /**
   * log receives one entry per request, after the response is chosen.
   * Default: nothing is logged. Entries never hold credentials.
   */
  log?: (entry: AccessLogEntry) => void;
  /**
   * cache keeps built answers and the pins of served versions. Default: a
   * `MemoryCache` of 256 MiB. For pins and zips that survive restarts use
   * `new MemoryCache({ next: new DirCache(dir, nodeCacheFileSystem) })`.
   */
  cache?: Cache;
  /**
   * onTagMoved decides what happens when a served version's tag moved or
   * disappeared and its cached bytes are gone: "serve" (default) warns and
   * rebuilds from the pinned commit, "refuse" answers 404. Cached bytes are
   * served either way; different bytes never are.
   */
  onTagMoved?: "serve" | "refuse";
  /**
   * queryTTL is how long, in seconds, `list`, `@latest` and `.info` of
   * branches, hashes and other queries are cached, here and by clients
   * (`max-age`). Default 60; 0 caches none of them.
   */
  queryTTL?: number;
  /**
   * metrics makes `GET <basePath>metrics` answer the Prometheus text format
   * and `GET <basePath>healthz` answer "ok". Default false; counting happens
   * either way (`Proxy.metrics`). They hold no module names, and are not
   * authorized: expose them only where that is fine.
   */
  metrics?: boolean;
  /**
   * warn receives operational warnings: a moved tag, a rebuilt artifact that
   * disagrees with its pin, and the cause of every 5xx answer (which the
   * client never sees). Messages may name local paths. Default `console.warn`.
   */
  warn?: (message: string) => void;
}

/** AccessLogEntry is one request, as the `log` option receives it. */
export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
  /** durationMs is the time to build or find the answer, before its body is sent. */
  durationMs: number;
  /** user is the name `authorize` returned, if any. */
  user?: string;
}

/** HandleContext is what a runtime adapter may pass to `handle` besides the request. */
export interface HandleContext {
  /**
   * respond makes the Response for a status, headers and a body held in
   * memory. The Node adapter passes one that skips web streams, whose
   * creation alone costs more on Node 20 than serving a cached answer.
   * Default: `new Response(body, init)`.
   */
  respond?: (body: Uint8Array | null, init: { status: number; headers: Record<string, string> }) => Response;
}

export interface Proxy {
  /** handle answers one GOPROXY request. It never throws. */
  handle(request: Request, context?: HandleContext): Promise<Response>;
  /** metrics are the proxy's counters, whether or not `/metrics` is served. */
  readonly metrics: ProxyMetrics;
}

const TEXT = "text/plain; charset=utf-8";
const CONTENT_TYPES: Record<Endpoint, string> = {
  list: TEXT,
  latest: "application/json",
  query: "application/json",
  info: "application/json",
  mod: TEXT,
  zip: "application/zip",
};

/** MAX_REMEMBERED_ROUTES bounds the decoded request targets kept. */
const MAX_REMEMBERED_ROUTES = 10_000;

/** createProxy builds the request handler for a source. */
export function createProxy(options: ProxyOptions): Proxy {
  const { source } = options;
  const base = normalizeBase(options.basePath ?? "/");
  const metrics = new ProxyMetrics();
  const queryTTL = options.queryTTL ?? DEFAULT_QUERY_TTL;
  const isPrivate = options.authorize !== undefined;
  const warn = options.warn ?? ((message: string) => console.warn(`gomodproxy: ${message}`));

  const users = new WeakMap<Request, string>();
  const authorize = async (req: Request, module: string) => {
    const user = await options.authorize?.(req, module);
    if (typeof user === "string") users.set(req, user);
  };

  // Once gomodproxy authenticates clients itself, their credentials are for it alone, never for upstream git servers.
  const forSource = (req: Request) => (options.authorize ? withoutCredentials(req) : req);

  const openRepo = async (req: Request, module: string) => {
    const repo = await source.open(module, { request: forSource(req) }).catch((err) => {
      if (err instanceof NotFoundError) throw new ModuleError(module, "", new NotFoundError("module not found"));
      throw err;
    });
    const view = await GitView.open(repo);
    return { repo, code: new CodeRepo(view, repo.root, module) };
  };
  const artifacts = new Artifacts({
    cache: options.cache ?? new MemoryCache(),
    metrics,
    onTagMoved: options.onTagMoved ?? "serve",
    maxSharedZipBytes: MAX_SHARED_ZIP_BYTES,
    queryTTL,
    warn,
    infoBody,
    // A build is shared by every request waiting for it, so it is not tied to one client's signal.
    open: openRepo,
  });

  // One Reply per cache entry: its headers are computed once, not per request.
  const replies = new WeakMap<CacheEntry, Reply>();
  const reply = (endpoint: Endpoint, answer: Answer): Reply => {
    if ("stream" in answer) {
      // A zip being built streams, without a Content-Length: only its ETag and date are known yet.
      return {
        status: 200,
        body: answer.stream,
        headers: {
          "content-type": CONTENT_TYPES[endpoint],
          "cache-control": cacheControl(true, queryTTL, isPrivate),
          etag: answer.etag,
          "last-modified": httpDate(answer.modified),
        },
      };
    }
    const { entry, immutable } = answer;
    let r = replies.get(entry);
    if (!r) {
      r = {
        status: 200,
        body: entry.body,
        headers: {
          "content-type": CONTENT_TYPES[endpoint],
          "cache-control": cacheControl(immutable, queryTTL, isPrivate),
          "content-length": String(entry.body.length),
          etag: entry.etag,
          "last-modified": httpDate(entry.modified),
        },
      };
      replies.set(entry, r);
    }
    return r;
  };

  // Decoding and checking a module path costs more than answering from the cache, so targets are remembered.
  const routes = new Map<string, Route>();
  const routeOf = async (rest: string): Promise<Route> => {
    let r = routes.get(rest);
    if (!r) {
      r = await parseRoute(rest);
      if (routes.size >= MAX_REMEMBERED_ROUTES) routes.clear();
      routes.set(rest, r);
    }
    return r;
  };

  /**
   * personal answers a request whose credentials no `authorize` checked: a
   * source may pass them upstream, so what it reads is that client's alone.
   * It skips the shared cache, the pins and the shared builds, and answers
   * `private, no-store`, so nothing fetched with one user's credentials
   * reaches another user or a shared cache.
   */
  async function personal(request: Request, { endpoint, module, version }: Route): Promise<Reply> {
    const { repo, code } = await openRepo(request, module);
    const headers: Record<string, string> = { "content-type": CONTENT_TYPES[endpoint], "cache-control": "private, no-store", vary: "Authorization" };
    if (endpoint === "zip") {
      const { stream } = await buildModuleZip(code, version);
      return { status: 200, body: stream, headers };
    }
    let body: Uint8Array;
    if (endpoint === "info" || endpoint === "query") body = infoBody(await code.stat(version), repo.url);
    else if (endpoint === "latest") body = infoBody(await code.queryLatest(), repo.url);
    else if (endpoint === "mod") body = await code.goMod(version);
    else body = new TextEncoder().encode((await code.versions()).map((v) => v + "\n").join(""));
    return { status: 200, body, headers: { ...headers, "content-length": String(body.length) } };
  }

  // Every route authorizes before the cache or the source is asked anything.
  async function route(request: Request, target: Route): Promise<Reply> {
    const { endpoint, module, version } = target;
    if (options.authorize) await authorize(request, module);
    else if (request.headers.has("authorization")) return personal(request, target);
    switch (endpoint) {
      case "info":
      case "mod":
      case "zip":
        return reply(endpoint, await artifacts.canonical(request, endpoint, module, version));
      case "query":
        return reply(endpoint, await artifacts.query(request, "query", module, version, async ({ repo, code }) => infoBody(await code.stat(version), repo.url)));
      case "latest":
        return reply(endpoint, await artifacts.query(request, "latest", module, "", async ({ repo, code }) => infoBody(await code.queryLatest(), repo.url)));
      case "list":
        return reply(endpoint, await artifacts.query(request, "list", module, "", async ({ code }) => {
          const list = await code.versions();
          return new TextEncoder().encode(list.map((v) => v + "\n").join(""));
        }));
    }
  }

  async function answer(request: Request, url: URL): Promise<Response | Reply> {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") throw new MethodNotAllowedError(`method ${method} not allowed`);
    checkRawPath(url.pathname);
    if (url.search !== "" && url.searchParams.get("go-get") === "1") {
      // The import path is the host name plus the path, wherever the proxy is mounted (go-get.ts).
      const module = goGetImportPath(url);
      await authorize(request, module);
      return goGetPage(source, forSource(request), module, url.origin + base.slice(0, -1));
    }
    if (!url.pathname.startsWith(base)) throw new InvalidRequestError("not found");
    if (options.metrics && url.pathname === base + "metrics") {
      const body = new TextEncoder().encode(metrics.render());
      return { status: 200, body, headers: { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store", "content-length": String(body.length) } };
    }
    if (options.metrics && url.pathname === base + "healthz") {
      return { status: 200, body: new TextEncoder().encode("ok\n"), headers: { "content-type": TEXT, "cache-control": "no-store", "content-length": "3" } };
    }
    return route(request, await routeOf(url.pathname.slice(base.length - 1)));
  }

  async function handle(request: Request, context?: HandleContext): Promise<Response> {
    const start = performance.now();
    // A path seen before passed every check in answer() then: go straight to its route, without parsing a URL.
    const method = request.method;
    const path = method === "GET" || method === "HEAD" ? plainPath(request.url) : undefined;
    const known = path?.startsWith(base) ? routes.get(path.slice(base.length - 1)) : undefined;
    const url = known ? undefined : new URL(request.url);
    const pathname = path ?? url!.pathname;
    const endpoint = known?.endpoint ?? endpointOf(url!, base);
    let out: Reply;
    try {
      const answered = known ? await route(request, known) : await answer(request, url!);
      out = answered instanceof Response ? await toReply(answered) : answered;
    } catch (err) {
      out = await toReply(toResponse(err));
      if (out.status >= 500) warn(`${method} ${pathname}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const respond = context?.respond ?? defaultRespond;
    let response: Response;
    let bytes = 0;
    if (out.status === 200 && isNotModified(request.headers, out.headers.etag ?? null, out.headers["last-modified"] ?? null)) {
      const headers: Record<string, string> = {};
      for (const name of NOT_MODIFIED_HEADERS) if (out.headers[name] !== undefined) headers[name] = out.headers[name];
      response = respond(null, { status: 304, headers });
    } else if (method === "HEAD") {
      response = respond(null, { status: out.status, headers: out.headers });
    } else if (out.body instanceof Uint8Array) {
      if (out.status === 200) bytes = out.body.length;
      response = respond(out.body, { status: out.status, headers: out.headers });
    } else {
      const counted = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          metrics.bytes.inc([endpoint], chunk.length);
          controller.enqueue(chunk);
        },
      });
      response = new Response(out.body.pipeThrough(counted), { status: out.status, headers: out.headers });
    }
    // A zip being built goes on for the cache and other clients; a request that does not read it leaves it.
    if (out.body instanceof ReadableStream && (method === "HEAD" || response.status === 304)) out.body.cancel().catch(() => {});
    const durationMs = performance.now() - start;
    if (bytes > 0) metrics.bytes.inc([endpoint], bytes);
    metrics.requests.inc([endpoint, String(response.status)]);
    metrics.duration.observe([endpoint], durationMs / 1000);
    options.log?.({
      method,
      path: pathname,
      status: response.status,
      durationMs: Math.round(durationMs * 10) / 10,
      user: users.get(request),
    });
    return response;
  }

  return { handle, metrics };
}

/**
 * Reply is an answer before it becomes a Response, so that HEAD and 304 are
 * decided once, in handle(). Its body is held in memory (with a
 * Content-Length), or is a zip being built: a stream, cancelled when the
 * body is not sent.
 */
interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | ReadableStream<Uint8Array>;
}

/**
 * plainPath returns the path of a request URL that has no query or
 * fragment, else undefined. Request URLs are already parsed and serialized
 * (percent-encoding normalized), so the path is everything from the first
 * "/" after the host.
 */
function plainPath(href: string): string | undefined {
  if (href.includes("?") || href.includes("#")) return undefined;
  const slash = href.indexOf("/", href.indexOf("//") + 2);
  return slash < 0 ? "/" : href.slice(slash);
}

/** toReply reads a Response made elsewhere (an error, the go-get page) into a Reply. */
async function toReply(response: Response): Promise<Reply> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headers = Object.fromEntries(response.headers);
  headers["content-length"] = String(body.length);
  return { status: response.status, headers, body };
}

function defaultRespond(body: Uint8Array | null, init: { status: number; headers: Record<string, string> }): Response {
  return new Response(body as Uint8Array<ArrayBuffer> | null, init);
}

/** infoBody is the `.info` JSON of a resolved version. */
function infoBody(info: ModuleInfo, url: string | undefined): Uint8Array {
  const origin: Record<string, string> = { VCS: "git" };
  if (url) origin.URL = url;
  if (info.subdir) origin.Subdir = info.subdir;
  origin.Hash = info.commit;
  if (info.ref) origin.Ref = info.ref;
  const body = { Version: info.version, Time: formatTime(info.time), Origin: origin };
  return new TextEncoder().encode(JSON.stringify(body));
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
