/**
 * Access tokens: the tokens file, hashing, and a constant-time lookup.
 *
 * A token is a secret string a client sends as the HTTP basic-auth password
 * (what the go command sends from ~/.netrc) or as `Authorization: Bearer`.
 * Each token is scoped to module path patterns, written as GOPRIVATE is
 * (comma-separated globs matched against leading path elements,
 * `matchPrefixPatterns`): `corp.example/*` covers every module one element
 * below corp.example, `*.corp.example` every module on its subdomains.
 *
 * The tokens file has one token per line, `TOKEN PATTERN[,PATTERN…] [NAME]`,
 * fields separated by blanks; `#` starts a comment line and blank lines are
 * skipped. TOKEN is the secret itself (at least `MIN_TOKEN_LENGTH`
 * characters), or `sha256:` and the 64 hex digits of its SHA-256, so that the
 * file need not hold the secret. NAME identifies the token in the access log
 * (default `token-` and the first 8 hex digits of the SHA-256).
 *
 * Only SHA-256 digests are kept in memory. A presented token is hashed and
 * compared with every stored digest, each comparison in constant time, so the
 * time taken says nothing about how close a guess was. Everything here is
 * web-standard (`crypto.subtle`), for Node, Deno and Bun alike.
 */

import { fromHex, toHex } from "../git/object.ts";
import { pathMatch } from "../module/path.ts";

/** MIN_TOKEN_LENGTH is the shortest secret we accept: short tokens can be guessed. */
export const MIN_TOKEN_LENGTH = 16;

/** TokenSpec is one token as configured, from a tokens file or the API. */
export interface TokenSpec {
  /** token is the secret as clients send it, or `sha256:` and the 64 hex digits of its SHA-256. */
  token: string;
  /** patterns are the modules the token may read: comma-separated GOPRIVATE-style globs. */
  patterns: string;
  /** name names the token in the access log. Default: `token-` and 8 hex digits of its SHA-256. */
  name?: string;
}

/** TokenEntry is a token as stored: its digest, never the secret. */
export interface TokenEntry {
  digest: Uint8Array;
  patterns: string;
  name: string;
}

const HASHED = /^sha256:([0-9a-f]{64})$/;

/**
 * parseTokens reads a tokens file, checking every line; `file` names it in errors.
 *
 * @example parseTokens("# ci\n0123456789abcdef corp.example/* ci\n") // [{token: "0123456789abcdef", patterns: "corp.example/*", name: "ci"}]
 * Edge case: a malformed line throws an Error naming `file:line`, and never
 * quotes the token.
 */
export function parseTokens(text: string, file = "tokens"): TokenSpec[] {
  const specs: TokenSpec[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const where = `${file}:${i + 1}`;
    const fields = line.split(/[ \t]+/);
    if (fields.length < 2 || fields.length > 3) {
      throw new Error(`${where}: want TOKEN PATTERN[,PATTERN...] [NAME], found ${fields.length} fields`);
    }
    const [token, patterns, name] = fields as [string, string, string?];
    const spec: TokenSpec = name === undefined ? { token, patterns } : { token, patterns, name };
    const problem = tokenProblem(spec);
    if (problem) throw new Error(`${where}: ${problem}`);
    const earlier = seen.get(token);
    if (earlier !== undefined) throw new Error(`${where}: same token as line ${earlier}`);
    seen.set(token, i + 1);
    specs.push(spec);
  });
  return specs;
}

/**
 * checkTokenSpec throws an Error unless spec is a usable token: a long
 * enough secret or a well-formed `sha256:` digest, at least one well-formed
 * pattern, and a printable name.
 *
 * @example checkTokenSpec({ token: "short", patterns: "*" }) // throws "token too short: …"
 * Edge case: the message names the token by `name` or `index`, never by its secret.
 */
export function checkTokenSpec(spec: TokenSpec, index?: number): void {
  const problem = tokenProblem(spec);
  if (!problem) return;
  const label = spec.name ?? (index === undefined ? undefined : `#${index + 1}`);
  throw new Error(label === undefined ? problem : `token ${label}: ${problem}`);
}

/** tokenProblem says what is wrong with a spec, without quoting the secret, or returns undefined. */
function tokenProblem(spec: TokenSpec): string | undefined {
  const { token, patterns, name } = spec;
  if (/\s/.test(token)) return "token contains a blank";
  if (token.startsWith("sha256:")) {
    if (!HASHED.test(token)) return "want sha256: and 64 lowercase hex digits";
  } else if (token.length < MIN_TOKEN_LENGTH) {
    return `token too short: want at least ${MIN_TOKEN_LENGTH} characters`;
  }
  if (name !== undefined && !/^[\x21-\x7e]{1,64}$/.test(name)) return "name must be 1 to 64 printable ASCII characters";
  const globs = patterns.split(",").filter((g) => g !== "");
  if (globs.length === 0) return "no module pattern";
  for (const glob of globs) {
    try {
      pathMatch(glob.replace(/\/$/, ""), ""); // path.Match checks the whole pattern even when it fails
    } catch {
      return `malformed pattern ${JSON.stringify(glob)}`;
    }
  }
  return undefined;
}

/**
 * hashToken returns the form of a token that a tokens file may hold instead
 * of the secret: `sha256:` and the hex SHA-256 of its UTF-8 bytes.
 *
 * @example await hashToken("0123456789abcdef") // "sha256:9f9f5111…"
 * Edge case: an already hashed token is returned as it is.
 */
export async function hashToken(token: string): Promise<string> {
  if (HASHED.test(token)) return token;
  return "sha256:" + toHex(await digestOf(token));
}

/**
 * TokenSet holds token digests and finds the entry for a presented token.
 * Build it with `TokenSet.from`; a token listed twice (once as the secret,
 * once hashed) may read the union of its patterns.
 */
export class TokenSet {
  private constructor(readonly entries: readonly TokenEntry[]) {}

  /** from checks and hashes specs; it throws on a malformed spec, never quoting the token. */
  static async from(specs: readonly TokenSpec[]): Promise<TokenSet> {
    const byHex = new Map<string, TokenEntry>();
    for (const [i, spec] of specs.entries()) {
      checkTokenSpec(spec, i);
      const hashed = HASHED.exec(spec.token);
      const digest = hashed ? fromHex(hashed[1]!) : await digestOf(spec.token);
      const hex = toHex(digest);
      const earlier = byHex.get(hex);
      if (earlier) earlier.patterns += "," + spec.patterns;
      else byHex.set(hex, { digest, patterns: spec.patterns, name: spec.name ?? `token-${hex.slice(0, 8)}` });
    }
    return new TokenSet([...byHex.values()]);
  }

  /** find returns the entry whose digest is the presented token's, comparing with every entry in constant time. */
  async find(token: string): Promise<TokenEntry | undefined> {
    const digest = await digestOf(token);
    let found: TokenEntry | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) found = entry; // no early exit: every entry costs the same
    }
    return found;
  }
}

/**
 * timingSafeEqual reports whether a and b hold the same bytes, in time that
 * depends only on their lengths.
 *
 * @example timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])) === true
 * Edge case: different lengths return false at once; compare fixed-length
 * digests so that the length says nothing.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

async function digestOf(token: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
}


