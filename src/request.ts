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

import { InvalidRequestError } from "./errors.ts";
import { checkImportPath, unescapePath, unescapeVersion } from "./module/path.ts";

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
