/**
 * The go-get page: the HTML the go command reads to find where an import
 * path's module lives (go.dev/ref/mod#vcs-find).
 *
 * In direct mode (GOPROXY=direct, or GONOPROXY) the go command resolves an
 * import path it does not know, say `go.corp.example/kit/log`, by fetching
 * `https://go.corp.example/kit/log?go-get=1`: the host is the path's first
 * element and the URL path the rest (cmd/go/internal/vcs `urlForImportPath`).
 * So the import path is the request's host name plus its path, whatever
 * base path the proxy is mounted under.
 *
 * We answer `<meta name="go-import" content="<root> mod <proxy URL>">`. The
 * `mod` form sends the go command to `<proxy URL>` over the GOPROXY protocol
 * for the module path it is looking up (cmd/go/internal/modfetch
 * `lookupDirect`), so vanity import paths work with no GOPROXY setting.
 * `<root>` is the root module path of the repository that holds the import
 * path, the same for every package, nested module and `/vN` module in it:
 * when `<root>` is shorter than the import path, the go command fetches the
 * page for `<root>` too and insists on the same tag ("disagree about
 * go-import"), and it asks the proxy about the module path it wants, not
 * about `<root>`.
 *
 * The go command sends ~/.netrc credentials with this request as with any
 * other https request, so private paths get the same treatment as the
 * other endpoints: the handler authorizes the import path first.
 */

import { ModuleError, NotFoundError } from "./errors.ts";
import { decodeImportPath } from "./request.ts";
import type { RepoSource } from "./sources/source.ts";

/**
 * goGetImportPath returns the import path a `?go-get=1` request asks about:
 * its host name followed by its URL path, percent-decoded and checked.
 *
 * @example goGetImportPath(new URL("https://go.corp.example/kit/log?go-get=1")) === "go.corp.example/kit/log"
 * Edge case: the root path `/` asks about the bare host; the port is
 * ignored, since import paths have none.
 */
export function goGetImportPath(url: URL): string {
  return decodeImportPath(url.hostname + (url.pathname === "/" ? "" : url.pathname));
}

/**
 * goGetPage answers the go-import page for importPath, pointing at the proxy
 * at proxyURL, or throws a ModuleError wrapping NotFoundError when no
 * repository holds the path.
 *
 * @example await goGetPage(source, req, "go.corp.example/kit/v2/log", "https://go.corp.example")
 *   // <meta name="go-import" content="go.corp.example/kit mod https://go.corp.example">
 * Edge case: the body names `root`, not the package, as the page is the same for every path in the repository.
 */
export async function goGetPage(source: RepoSource, request: Request, importPath: string, proxyURL: string): Promise<Response> {
  const repo = await source.open(importPath, { request, signal: request.signal }).catch((err) => {
    if (err instanceof NotFoundError) throw new ModuleError(importPath, "", new NotFoundError("module not found"));
    throw err;
  });
  return new Response(goImportHTML(repo.root, proxyURL), { headers: { "content-type": "text/html; charset=utf-8" } });
}

/**
 * goImportHTML is the page for a repository root: one `mod` go-import tag.
 *
 * @example goImportHTML("go.corp.example/kit", "https://go.corp.example")
 * Edge case: both values are HTML-escaped, though checked module paths hold no markup.
 */
export function goImportHTML(root: string, proxyURL: string): string {
  const content = escapeHTML(`${root} mod ${proxyURL}`);
  return `<!DOCTYPE html>\n<html>\n<head>\n<meta name="go-import" content="${content}">\n</head>\n<body>\ngo get ${escapeHTML(root)}\n</body>\n</html>\n`;
}

function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
