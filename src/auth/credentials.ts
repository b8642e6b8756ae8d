/**
 * Credentials in a request: the token a client presents, and the request
 * without its credentials.
 *
 * The go command sends the `login` and `password` of the ~/.netrc (or
 * $NETRC) entry whose `machine` is the URL's host name as HTTP basic auth,
 * and only over https (cmd/go/internal/auth, cmd/go/internal/web). So the
 * token is the basic-auth password (RFC 7617, UTF-8) and the user name is
 * ignored, as GitLab does for personal access tokens; a netrc entry with
 * only a `login` sends the token as the user name, which we accept too.
 * Other clients may send `Authorization: Bearer <token>` (RFC 6750).
 *
 * Once gomodproxy authenticates clients itself, their credentials are meant
 * for gomodproxy alone and must never reach an upstream git server:
 * `withoutCredentials` gives sources a request without them.
 */

/**
 * parseAuthorization returns the token in an `Authorization` header value,
 * or undefined when the header is malformed or holds no token.
 *
 * @example parseAuthorization("Basic " + btoa("me:s3cret-token")) === "s3cret-token"
 * Edge case: the scheme is case-insensitive (RFC 9110 §11.1); `Basic` with
 * an empty password yields the user name; other schemes yield undefined.
 */
export function parseAuthorization(header: string): string | undefined {
  const m = /^([A-Za-z]+) +(\S+) *$/.exec(header);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const value = m[2]!;
  if (scheme === "bearer") return value;
  if (scheme !== "basic") return undefined;
  let decoded: string;
  try {
    const binary = atob(value);
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return password || user || undefined;
}

/** CREDENTIAL_HEADERS are the request headers that carry a client's credentials. */
export const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"] as const;

/**
 * withoutCredentials returns request without its credential headers, for
 * passing to sources once gomodproxy has authenticated the client itself.
 *
 * @example withoutCredentials(req).headers.get("authorization") === null
 * Edge case: a request without credentials is returned as it is; the copy
 * keeps the original's URL, method and abort signal.
 */
export function withoutCredentials(request: Request): Request {
  if (!CREDENTIAL_HEADERS.some((name) => request.headers.has(name))) return request;
  const headers = new Headers(request.headers);
  for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  return new Request(request, { headers });
}
