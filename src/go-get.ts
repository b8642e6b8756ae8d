/**
 * The go-get page: `GET /<import path>?go-get=1` answers the HTML the go
 * command reads to find where a package's module lives
 * (go.dev/ref/mod#vcs-find). We answer the `mod` form,
 * `<meta name="go-import" content="<module root> mod <proxy URL>">`, which
 * sends the go command to this proxy over the GOPROXY protocol even in
 * direct mode (GOPROXY=direct), so vanity import paths work with no GOPROXY
 * setting at all.
 */
import { ModuleError, NotFoundError } from "./errors.ts";
import type { RepoSource } from "./sources/source.ts";

/** goGetPage answers the go-import page for importPath, or throws NotFoundError. */
export async function goGetPage(source: RepoSource, request: Request, importPath: string, proxyURL: string): Promise<Response> {
  const repo = await source.open(importPath, { request, signal: request.signal }).catch((err) => {
    if (err instanceof NotFoundError) throw new ModuleError(importPath, "", new NotFoundError("module not found"));
    throw err;
  });
  const content = `${repo.root} mod ${proxyURL}`;
  const html = `<!DOCTYPE html>\n<html>\n<head>\n<meta name="go-import" content="${escapeHTML(content)}">\n</head>\n<body>\ngo get ${escapeHTML(importPath)}\n</body>\n</html>\n`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}

function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
