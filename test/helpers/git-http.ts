/**
 * git-http: a loopback git server for tests, as a code host would run it.
 *
 * One `node:http` server on 127.0.0.1 answers for every host name the test
 * maps to 127.0.0.1 (the `Host` header tells them apart) and does two jobs:
 *
 * - `GET /<path>?go-get=1` returns the go-import meta page the go command
 *   asks for in direct mode (go.dev/ref/mod#vcs-find): the repository is the
 *   longest prefix `<host>/<path>` (whole elements) that has a directory
 *   `<root>/<prefix>.git`, announced as `git http://<Host>/<prefix>.git`.
 *   No such prefix: 404, so cmd/go reports "unrecognized import path".
 * - every other request runs `git http-backend` (smart HTTP, protocol v2
 *   when the client sends `Git-Protocol`) as a CGI program with
 *   `GIT_PROJECT_ROOT=<root>`, streaming both bodies.
 *
 * The layout under `root` is what `writeRepos` writes. The server stops on
 * `close()`, and by itself after `lifetimeMs` in case a test forgets; it
 * never keeps the process alive.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** GIT_HTTP_BACKEND is where Debian's git installs the CGI program. */
export const GIT_HTTP_BACKEND = "/usr/lib/git-core/git-http-backend";

export interface GitServerOptions {
  /** root holds the repositories as `<host>/<path>.git`. */
  root: string;
  /** port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** hosts, if given, are the only `Host` names answered; others get 404. */
  hosts?: string[];
  /** lifetimeMs closes the server after this long (default 15 minutes). */
  lifetimeMs?: number;
}

export interface GitServer {
  /** url is `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** requests counts the requests answered, for tests of caching. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * startGitServer serves the repositories under `options.root`.
 *
 * ```ts
 * const server = await startGitServer({ root, port: 80, hosts: ["git.gomodproxy.test"] });
 * // go-import for git.gomodproxy.test/hello/sub → http://git.gomodproxy.test/hello.git
 * await server.close();
 * ```
 * A port already in use rejects with a message naming it.
 */
export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const children = new Set<ChildProcess>();
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handle(options, req, res, children).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`git test server: ${String(err)}\n`);
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE" || err.code === "EACCES") {
        reject(new Error(`git test server: cannot listen on 127.0.0.1:${options.port ?? 0} (${err.code}); ` +
          "is another server using the port, or are we not root?", { cause: err }));
      } else reject(err);
    });
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      for (const child of children) child.kill("SIGKILL");
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  const timer = setTimeout(close, options.lifetimeMs ?? 15 * 60_000);
  timer.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    close,
  };
}

async function handle(
  options: GitServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  children: Set<ChildProcess>,
): Promise<void> {
  const authority = req.headers.host ?? "";
  const hostname = authority.replace(/:\d+$/, "");
  const url = new URL(req.url ?? "/", "http://placeholder");
  if (options.hosts && !options.hosts.includes(hostname)) return notFound(res, `unknown host ${hostname}`);
  const path = decodeURIComponent(url.pathname).replace(/\/+$/, "");
  if (path.split("/").some((e) => e === ".." || e === ".")) return notFound(res, "unclean path");

  if (url.searchParams.get("go-get") === "1") {
    const prefix = await repoPrefix(options.root, hostname + path);
    if (!prefix) return notFound(res, `no repository for ${hostname}${path}`);
    const repoURL = `http://${authority}${prefix.slice(hostname.length)}.git`;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!DOCTYPE html>\n<html><head>\n` +
        `<meta name="go-import" content="${prefix} git ${repoURL}">\n` +
        `</head><body>go get ${prefix}</body></html>\n`,
    );
    return;
  }
  await runBackend(options.root, hostname, path, url, req, res, children);
}

/** repoPrefix finds the longest whole-element prefix of `importPath` with a repository directory. */
async function repoPrefix(root: string, importPath: string): Promise<string | undefined> {
  const elems = importPath.split("/");
  for (let n = elems.length; n > 0; n--) {
    const prefix = elems.slice(0, n).join("/");
    const isDir = await stat(join(root, `${prefix}.git`)).then((s) => s.isDirectory(), () => false);
    if (isDir) return prefix;
  }
  return undefined;
}

function notFound(res: ServerResponse, message: string): void {
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  res.end(message + "\n");
}

/** runBackend runs git http-backend as a CGI/1.1 program (RFC 3875) for one request. */
function runBackend(
  root: string,
  hostname: string,
  path: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  children: Set<ChildProcess>,
): Promise<void> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    HOME: "/nonexistent",
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: "gomodproxy-test",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: `/${hostname}${path}`,
    QUERY_STRING: url.search.replace(/^\?/, ""),
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
  };
  const h = req.headers;
  if (h["content-type"]) env.CONTENT_TYPE = h["content-type"];
  if (h["content-length"]) env.CONTENT_LENGTH = h["content-length"];
  if (h["content-encoding"]) env.HTTP_CONTENT_ENCODING = String(h["content-encoding"]);
  if (h["git-protocol"]) env.GIT_PROTOCOL = String(h["git-protocol"]);

  return new Promise((resolve, reject) => {
    const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    const stderr: Buffer[] = [];
    child.stderr.on("data", (b: Buffer) => stderr.push(b));
    child.on("error", reject);
    req.pipe(child.stdin);
    child.stdin.on("error", () => {}); // the backend may exit before reading a body it rejects

    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = headerEnd(head);
      if (end === undefined) return;
      headersDone = true;
      const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString("latin1"));
      res.writeHead(status, headers);
      const rest = head.subarray(end.at + end.length);
      if (rest.length > 0) res.write(rest);
    });
    child.on("close", (code) => {
      children.delete(child);
      if (!headersDone) {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`git http-backend exited ${code}: ${Buffer.concat(stderr)}\n`);
      } else res.end();
      resolve();
    });
  });
}

function headerEnd(buf: Buffer): { at: number; length: number } | undefined {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

/** parseCgiHeaders reads CGI response headers; `Status: 404 Not Found` sets the status. */
function parseCgiHeaders(text: string): { status: number; headers: Record<string, string | string[]> } {
  let status = 200;
  const headers: Record<string, string | string[]> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") {
      status = Number.parseInt(value, 10) || 500;
      continue;
    }
    const prev = headers[name];
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return { status, headers };
}
