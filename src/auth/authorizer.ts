/**
 * tokenAuthorizer: built-in token authentication for the `authorize` option.
 *
 * Modules whose paths match the `private` patterns (GOPRIVATE-style globs)
 * need a token scoped to them; every other module is public. The rules, in
 * order, for a request about module M:
 *
 *   no Authorization header, M public          allowed, anonymous
 *   no Authorization header, M private         401 "authentication required"
 *   a header that is not a known token         401 "invalid token" (public or private:
 *                                              bad credentials are always reported)
 *   a known token, M private, not in its scope 403
 *   a known token otherwise                    allowed; the token's name is logged
 *
 * The decision reads only the header, M and the configuration, never the
 * source, and the handler calls it before asking the source anything; the
 * answer's text names neither M nor the token. So a denial is byte for byte
 * the same whether or not M exists: nobody can probe for private module
 * names.
 *
 * 401 and 403 stop the go command (cmd/go/internal/web `HTTPError.Is`: only
 * 404 and 410 fall through to the next GOPROXY entry), and the go command
 * prints the body, so it says what to put in ~/.netrc. Mode "404" answers
 * every denial with 404 instead, as GitLab does: the go command then moves on
 * to the next GOPROXY entry (which sees the module path).
 */

import { ForbiddenError, NotFoundError, UnauthorizedError } from "../errors.ts";
import { matchPrefixPatterns, pathMatch } from "../module/path.ts";
import { parseAuthorization } from "./credentials.ts";
import { checkTokenSpec, TokenSet, type TokenSpec } from "./tokens.ts";

/** AuthMode is how denials are answered: "401" (401 or 403) or "404" (GitLab-compatible). */
export type AuthMode = "401" | "404";

export interface TokenAuthorizerOptions {
  /** tokens and their scopes, e.g. from `parseTokens`. Default none. */
  tokens?: readonly TokenSpec[];
  /** private lists the private modules: comma-separated GOPRIVATE-style globs. Default "": all public. */
  private?: string;
  /** mode is "401" (default: 401 without valid credentials, 403 outside the token's scope) or "404". */
  mode?: AuthMode;
  /** realm is the basic-auth realm in `WWW-Authenticate`. Default "gomodproxy". */
  realm?: string;
}

/** Authorize is the shape of `ProxyOptions.authorize`. */
export type Authorize = (request: Request, module: string) => Promise<string | undefined>;

/**
 * tokenAuthorizer returns an `authorize` function for `createProxy` that
 * checks tokens against their module scopes.
 *
 * @example createProxy({ source, authorize: tokenAuthorizer({ tokens: parseTokens(text), private: "corp.example/*" }) })
 * Edge case: it throws at once on a malformed token or pattern, never at
 * request time; with no tokens every private module is denied.
 */
export function tokenAuthorizer(options: TokenAuthorizerOptions): Authorize {
  const tokens = options.tokens ?? [];
  tokens.forEach((spec, i) => checkTokenSpec(spec, i));
  const privatePatterns = options.private ?? "";
  checkPatterns(privatePatterns);
  const mode = options.mode ?? "401";
  if (mode !== "401" && mode !== "404") throw new Error(`invalid auth mode ${JSON.stringify(mode)}: want "401" or "404"`);
  const realm = options.realm ?? "gomodproxy";
  if (!/^[\x20-\x7e]*$/.test(realm) || realm.includes('"') || realm.includes("\\")) throw new Error("invalid realm");
  const set = TokenSet.from(tokens);
  set.catch(() => {}); // reported by the first request instead of as an unhandled rejection

  return async (request, module) => {
    const header = request.headers.get("authorization");
    const isPrivate = matchPrefixPatterns(privatePatterns, module);
    if (header === null) {
      if (!isPrivate) return undefined;
      throw deny(mode, realm, "unauthorized", hostOf(request));
    }
    const token = parseAuthorization(header);
    const entry = token === undefined ? undefined : await (await set).find(token);
    if (!entry) throw deny(mode, realm, "invalid", hostOf(request));
    if (isPrivate && !matchPrefixPatterns(entry.patterns, module)) throw deny(mode, realm, "forbidden", hostOf(request));
    return entry.name;
  };
}

function checkPatterns(globs: string): void {
  for (const glob of globs.split(",")) {
    if (glob === "") continue;
    try {
      pathMatch(glob.replace(/\/$/, ""), "");
    } catch {
      throw new Error(`malformed private pattern ${JSON.stringify(glob)}`);
    }
  }
}

function hostOf(request: Request): string {
  return new URL(request.url).hostname;
}

type Denial = "unauthorized" | "invalid" | "forbidden";

/**
 * deny builds the error for a denial. Its text depends only on the host name
 * the client used, never on the module path, so denials for every module on
 * a host are byte for byte the same. The go command prints it below its own
 * line, which names the URL: "reading <url>: 401 Unauthorized".
 */
function deny(mode: AuthMode, realm: string, why: Denial, host: string): Error {
  const netrc = `machine ${host} login token password <token>`;
  if (mode === "404") {
    return new NotFoundError(
      `not found or access denied\nfor a private module, put your token in ~/.netrc (sent over https only):\n${netrc}`,
    );
  }
  switch (why) {
    case "unauthorized":
      return new UnauthorizedError(
        `private module: authentication required\nput your token in ~/.netrc (the go command sends it over https only):\n${netrc}`,
        realm,
      );
    case "invalid":
      return new UnauthorizedError(
        `invalid token\ncheck the password for ${host} in ~/.netrc (or the file $NETRC names):\n${netrc}`,
        realm,
      );
    case "forbidden":
      return new ForbiddenError("private module: your token does not cover it\nask for a token whose patterns match this module");
  }
}
