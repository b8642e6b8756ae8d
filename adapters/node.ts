/**
 * Node adapter: serves a `handle(Request) → Response` function over node:http.
 * It translates and streams; it decides nothing. Requests and in-memory
 * answers use the lightweight objects of node-web.ts, because Node 20's
 * web streams cost more than serving a cached answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { HandleContext } from "../src/handler.ts";
import { nodeRequest, NodeResponse } from "./node-web.ts";

/** nodeCacheFileSystem lets a `DirCache` write with node:fs: `new DirCache(dir, nodeCacheFileSystem)`. */
export { nodeCacheFileSystem } from "../src/cache/node-fs.ts";

export interface ServeOptions {
  /** hostname to listen on. Default "127.0.0.1". */
  hostname?: string;
  /** port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** tls: PEM certificate and key, to serve HTTPS. Default: plain HTTP. */
  tls?: { cert: string; key: string };
  /** signals: close gracefully on SIGINT and SIGTERM. Default false. */
  signals?: boolean;
}

export interface Server {
  /** url is the base URL the server answers on, e.g. "http://127.0.0.1:8080". */
  url: string;
  port: number;
  /** close stops accepting connections and waits (at most 10 s) for requests in flight. */
  close(): Promise<void>;
}

/** Handle is `Proxy.handle`, or any fetch-style handler, which may ignore the second argument. */
type Handle = (request: Request, context?: HandleContext) => Promise<Response>;

/** serve starts an HTTP server for handle and resolves once it listens. */
export function serve(handle: Handle, options: ServeOptions = {}): Promise<Server> {
  const hostname = options.hostname ?? "127.0.0.1";
  const scheme = options.tls ? "https" : "http";
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    respond(handle, req, res, `${scheme}://${hostOf(req) ?? hostname}`).catch((err) => res.destroy(err));
  };
  const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  server.headersTimeout = 30_000;
  server.requestTimeout = 300_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, hostname, () => {
      const port = (server.address() as AddressInfo).port;
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      const close = () =>
        new Promise<void>((done) => {
          process.off("SIGINT", close).off("SIGTERM", close);
          server.close(() => done());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 10_000).unref();
        });
      if (options.signals) process.once("SIGINT", close).once("SIGTERM", close);
      resolve({ url: `${scheme}://${host}:${port}`, port, close });
    });
  });
}

/** hostOf returns the Host header when it is a plain host[:port], for building the request URL. */
function hostOf(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  return host && /^[a-z0-9.-]+(:\d{1,5})?$/i.test(host) ? host : undefined;
}

const CONTEXT: HandleContext = { respond: (body, init) => new NodeResponse(body, init) as unknown as Response };

async function respond(handle: Handle, req: IncomingMessage, res: ServerResponse, origin: string) {
  const target = req.url ?? "/";
  // An absolute-form target ("GET http://x/p") keeps only its path; we never proxy elsewhere.
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "") || "/" : target;
  const url = path.startsWith("/") ? URL.parse(origin + path) : null;
  if (!url) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("malformed request target\n");
    return;
  }
  const request = nodeRequest(req, res, url);
  const response = await handle(request, CONTEXT);
  if (response instanceof NodeResponse) {
    res.writeHead(response.init.status, response.init.headers).end(response.bytes ?? undefined);
    return;
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  const signal = request.signal;
  signal.addEventListener("abort", () => reader.cancel().catch(() => {}), { once: true });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await drained(res);
    if (signal.aborted) return;
  }
  res.end();
}

/** drained resolves when res can take more data, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done).off("close", done);
      resolve();
    };
    res.on("drain", done).on("close", done);
  });
}
