/**
 * HTTP caching: the headers that let clients, CDNs and shared caches keep
 * gomodproxy's answers, and conditional requests (RFC 9111, RFC 9110 §13).
 *
 * Lifetimes, one per endpoint, as proxy.golang.org and goproxy do:
 * - `.info`, `.mod`, `.zip` of a canonical version never change once
 *   served (pinning), so they are `max-age=31536000, immutable`;
 * - `list`, `@latest` and `.info` of a query (branch, hash, `v1`) change
 *   when someone pushes, so they live `queryTTL` seconds (default 60);
 * - errors are decided in errors.ts: outages are `no-store`.
 * `public` lets a CDN keep answers; when the proxy authorizes requests the
 * answers say `private` instead, so no shared cache hands one user's module
 * to another.
 *
 * Validators: a strong `ETag` (the SHA-256 of the body, so equal bytes have
 * equal tags across restarts and replicas) and `Last-Modified` (the commit
 * time for canonical versions). `If-None-Match` wins over
 * `If-Modified-Since`, as RFC 9110 §13.2.2 orders them; a match answers
 * 304 with the validators and the lifetime, and no body.
 */

import { sha256 } from "./hash/dirhash.ts";

/** IMMUTABLE_MAX_AGE is one year in seconds, the longest max-age caches honor. */
export const IMMUTABLE_MAX_AGE = 31_536_000;

/** DEFAULT_QUERY_TTL is how long list, @latest and query answers live, in seconds. */
export const DEFAULT_QUERY_TTL = 60;

/**
 * cacheControl returns the Cache-Control value for an answer.
 *
 * @example cacheControl(true, 60, false) === "public, max-age=31536000, immutable"
 * Edge case: a TTL of 0 gives "no-cache": stored, but revalidated on every use.
 */
export function cacheControl(immutable: boolean, ttlSeconds: number, isPrivate: boolean): string {
  const scope = isPrivate ? "private" : "public";
  if (immutable) return `${scope}, max-age=${IMMUTABLE_MAX_AGE}, immutable`;
  if (ttlSeconds <= 0) return `${scope}, no-cache`;
  return `${scope}, max-age=${Math.floor(ttlSeconds)}`;
}

/**
 * strongETag returns the entity tag of a body: `"` + base64url(SHA-256) + `"`.
 *
 * @example await strongETag(new Uint8Array()) === '"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"'
 */
export async function strongETag(body: Uint8Array): Promise<string> {
  let s = "";
  for (const b of await sha256(body)) s += String.fromCharCode(b);
  return `"${btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}"`;
}

/**
 * httpDate formats milliseconds since the epoch as an IMF-fixdate, whole seconds.
 *
 * @example httpDate(0) === "Thu, 01 Jan 1970 00:00:00 GMT"
 */
export function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

/**
 * isNotModified reports whether a GET or HEAD with these request headers
 * may be answered 304 for a response with these validators (RFC 9110
 * §13.1.2 weak comparison for If-None-Match; §13.1.3 If-Modified-Since is
 * ignored when If-None-Match is present).
 *
 * @example isNotModified(new Headers({ "if-none-match": 'W/"a", "b"' }), '"a"', undefined) === true
 * Edge case: `If-None-Match: *` matches any response that has a tag.
 */
export function isNotModified(request: Headers, etag: string | null, lastModified: string | null): boolean {
  const inm = request.get("if-none-match");
  if (inm !== null) {
    if (!etag) return false;
    const opaque = etag.replace(/^W\//, "");
    return inm.split(",").some((t) => {
      const tag = t.trim();
      return tag === "*" || tag.replace(/^W\//, "") === opaque;
    });
  }
  const ims = request.get("if-modified-since");
  if (ims === null || !lastModified) return false;
  const since = Date.parse(ims);
  const modified = Date.parse(lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

/** NOT_MODIFIED_HEADERS are the headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5). */
export const NOT_MODIFIED_HEADERS = ["cache-control", "etag", "expires", "last-modified", "vary", "content-location", "date"];
