/**
 * Errors and the one place where an error becomes an HTTP status.
 *
 * Every failure is a typed error with a stable `code`; `toResponse` walks the
 * `cause` chain with `instanceof` (never message text) and picks the status.
 *
 * Statuses follow what the go command does with them (go.dev/ref/mod#goproxy-protocol,
 * cmd/go/internal/web/api.go `HTTPError.Is`): only 404 and 410 let the client
 * move on to the next entry of a comma-separated GOPROXY list, so 404 is used
 * for "no such module or version here" and for malformed requests, while a
 * broken repository (5xx) or an upstream outage (502/504) stops the client.
 *
 * Messages are in Go's style because the go command prints them next to its
 * own: lowercase, no final period, `path@version: reason`.
 */

/** GoProxyError is the base of every error gomodproxy answers with. */
export class GoProxyError extends Error {
  /** code is stable across releases: match on it, not on the message. */
  readonly code: string = "internal";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** NotFoundError says a module, version, ref, file or object does not exist. */
export class NotFoundError extends GoProxyError {
  override readonly code = "not_found";
}

/** GoneError says a thing existed once and was removed on purpose (410). */
export class GoneError extends GoProxyError {
  override readonly code = "gone";
}

/**
 * InvalidRequestError is the client's mistake: a malformed path or version.
 * It answers 404, as proxy.golang.org does, so that the go command reports it
 * and may try the next proxy.
 */
export class InvalidRequestError extends GoProxyError {
  override readonly code = "invalid_request";
}

/**
 * InvalidPathError is x/mod's `module.InvalidPathError`: a module, import or
 * file path that breaks Go's rules. `kind` is "module", "import" or "file".
 */
export class InvalidPathError extends GoProxyError {
  override readonly code = "invalid_path";
  constructor(
    readonly kind: "module" | "import" | "file",
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`malformed ${kind} path ${JSON.stringify(path)}: ${reason}`, options);
  }
}

/**
 * InvalidVersionError is x/mod's `module.InvalidVersionError`: a version that
 * is not valid for the module. With `pseudo` the message says
 * "invalid pseudo-version".
 */
export class InvalidVersionError extends GoProxyError {
  override readonly code = "invalid_version";
  constructor(
    readonly version: string,
    readonly reason: string,
    readonly pseudo = false,
    options?: { cause?: unknown },
  ) {
    super(`${pseudo ? "invalid pseudo-version" : "invalid version"}: ${reason}`, options);
  }
}

/**
 * ModuleError is x/mod's `module.ModuleError`: an error about one module,
 * printed as `path@version: reason` (or `path: reason`).
 */
export class ModuleError extends GoProxyError {
  override readonly code: string;
  constructor(
    readonly path: string,
    readonly version: string,
    cause: Error,
  ) {
    super(moduleErrorMessage(path, version, cause), { cause });
    this.code = cause instanceof GoProxyError ? cause.code : "internal";
  }
}

function moduleErrorMessage(path: string, version: string, cause: Error): string {
  if (cause instanceof InvalidVersionError && version !== "" && cause.version === version) {
    return `${path}@${version}: ${cause.message}`;
  }
  return version === "" ? `${path}: ${cause.message}` : `${path}@${version}: ${cause.message}`;
}

/**
 * ZipError says the module's files cannot form a valid module zip (a bad
 * file name, a case collision, a size limit). Only `.zip` fails; `.info` and
 * `.mod` of the same version still work, as in the go command. The version
 * cannot be served by anyone, so the answer is 404 with the reason.
 */
export class ZipError extends GoProxyError {
  override readonly code = "invalid_zip";
}

/** MethodNotAllowedError answers 405 with an `Allow` header. */
export class MethodNotAllowedError extends GoProxyError {
  override readonly code = "method_not_allowed";
}

/**
 * UnauthorizedError answers 401 with `WWW-Authenticate`. Like 403, it stops
 * the go command instead of falling through to the next proxy.
 */
export class UnauthorizedError extends GoProxyError {
  override readonly code = "unauthorized";
  constructor(
    message: string,
    readonly realm = "gomodproxy",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** ForbiddenError answers 403. */
export class ForbiddenError extends GoProxyError {
  override readonly code = "forbidden";
}

/**
 * RepositoryError says a repository is broken (corrupt pack, missing object
 * that a commit or tree refers to, unreadable directory). It is the server's
 * problem, never the client's: 500, and the message stays in the logs.
 */
export class RepositoryError extends GoProxyError {
  override readonly code = "repository";
}

/** UpstreamError says an upstream git server failed or was unreachable (502). */
export class UpstreamError extends GoProxyError {
  override readonly code = "upstream";
  constructor(
    message: string,
    /** status is the status to answer: 502, 504, or an upstream 401/403. */
    readonly status: 401 | 403 | 502 | 504 = 502,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** findCause returns the first error in err's cause chain that is an instance of type. */
export function findCause<T extends Error>(
  err: unknown,
  type: abstract new (...args: never[]) => T,
): T | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof type) return e;
  }
  return undefined;
}

const TEXT = "text/plain; charset=utf-8";

/** Longest error text we send; the go command shows at most 8 lines of 81 bytes. */
const MAX_MESSAGE_BYTES = 640;

/**
 * toResponse turns any thrown value into the response the client sees. It is
 * the only place in gomodproxy where an error status is chosen.
 *
 * Internal errors answer a fixed text: their messages may hold paths or
 * credentials and are for the server's log only.
 */
export function toResponse(err: unknown): Response {
  const upstream = findCause(err, UpstreamError);
  if (upstream) {
    const message = upstream.status === 502 || upstream.status === 504
      ? "upstream git server unavailable"
      : upstream.status === 401
      ? "upstream git server refused the credentials"
      : "upstream git server denied access";
    return text(upstream.status, message, { "cache-control": "no-store" });
  }
  if (findCause(err, RepositoryError) || !(err instanceof GoProxyError)) {
    return text(500, "internal server error", { "cache-control": "no-store" });
  }
  const message = (err as Error).message;
  if (findCause(err, MethodNotAllowedError)) {
    return text(405, message, { allow: "GET, HEAD" });
  }
  const unauthorized = findCause(err, UnauthorizedError);
  if (unauthorized) {
    return text(401, message, {
      "www-authenticate": `Basic realm="${unauthorized.realm}"`,
      "cache-control": "no-store",
    });
  }
  if (findCause(err, ForbiddenError)) return text(403, message, { "cache-control": "no-store" });
  if (findCause(err, GoneError)) return text(410, message);
  return text(404, message, { "cache-control": "no-store" });
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(clip(message) + "\n", {
    status,
    headers: { "content-type": TEXT, ...headers },
  });
}

/** clip keeps a message short, printable and on at most a few lines. */
function clip(message: string): string {
  // deno-lint-ignore no-control-regex
  let s = message.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "?");
  if (s.length > MAX_MESSAGE_BYTES) s = s.slice(0, MAX_MESSAGE_BYTES - 3) + "...";
  return s;
}
