/**
 * fault-proxy: an HTTP proxy on 127.0.0.1 that sits between gomodproxy
 * and a git server and misbehaves on request, for fault-injection tests.
 *
 * Requests are classified as `refs` (GET info/refs), `ls-refs` and
 * `fetch` (POSTs to git-upload-pack, told apart by their `command=` line;
 * a version 1 POST is a `fetch`), or `other`. A fault applies to the
 * requests it `matches` (default every request) and stays until `clear()`:
 *
 * - `drop`: close the connection without answering;
 * - `hang`: never answer (the connection stays open until cleared);
 * - `status`: answer this status with a short body;
 * - `cut`: forward the answer's headers and first `after` body bytes,
 *   then reset the connection;
 * - `truncate`: forward the first `after` body bytes, then end the answer
 *   cleanly, as a proxy that lost the rest would;
 * - `stall`: forward the first `after` body bytes, then send nothing more;
 * - `corrupt`: forward everything with the byte at body offset `at`
 *   XOR-ed with 0x01;
 * - `replace`: answer with these bytes instead, 200, with the upstream's headers.
 * `auth` (independent of faults) makes every request without exactly that
 * Authorization header answer 401, as a private repository host does.
 *
 * The proxy counts requests and answer bytes per kind. It stops on `close()`, and by itself
 * after `lifetimeMs`, and never keeps the process alive.
 */

import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type RequestKind = "refs" | "ls-refs" | "fetch" | "other";

export type Fault =
  | { kind: "drop" }
  | { kind: "hang" }
  | { kind: "status"; status: number }
  | { kind: "cut"; after: number }
  | { kind: "truncate"; after: number }
  | { kind: "stall"; after: number }
  | { kind: "corrupt"; at: number }
  | { kind: "replace"; body: Uint8Array };

export interface FaultProxy {
  url: string;
  /** set makes matching requests fail this way until `clear`. */
  set(fault: Fault, matches?: RequestKind[]): void;
  clear(): void;
  /** auth requires this Authorization header value (undefined: none required). */
  auth: string | undefined;
  /** counts of requests by kind, faulty or not. */
  readonly counts: Record<RequestKind, number>;
  /** bytes of answer bodies forwarded, by request kind. */
  readonly bytes: Record<RequestKind, number>;
  /** authorizations lists the Authorization header of every request (undefined when absent). */
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** startFaultProxy forwards to `target` (an http://127.0.0.1:port URL). */
export async function startFaultProxy(target: string, lifetimeMs = 10 * 60_000): Promise<FaultProxy> {
  const upstream = new URL(target);
  let fault: { fault: Fault; matches?: RequestKind[] } | undefined;
  const counts: Record<RequestKind, number> = { refs: 0, "ls-refs": 0, fetch: 0, other: 0 };
  const bytes: Record<RequestKind, number> = { refs: 0, "ls-refs": 0, fetch: 0, other: 0 };
  const authorizations: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  /** held are the connections of hanging and stalled answers, ended by `clear`. */
  const held = new Set<Socket>();
  const state = { auth: undefined as string | undefined };

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const kind = classify(req, body);
    counts[kind]++;
    authorizations.push(req.headers.authorization);
    if (state.auth !== undefined && req.headers.authorization !== state.auth) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="git"', "content-type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    const active = fault && (!fault.matches || fault.matches.includes(kind)) ? fault.fault : undefined;
    if (active?.kind === "drop") return req.socket.destroy();
    if (active?.kind === "hang") {
      held.add(req.socket);
      return;
    }
    if (active?.kind === "status") {
      res.writeHead(active.status, { "content-type": "text/plain" });
      res.end(`fault-proxy: status ${active.status}\n`);
      return;
    }
    forward(req, body, res, active, kind);
  });

  function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, active: Fault | undefined, kind: RequestKind): void {
    const headers = { ...req.headers, host: upstream.host };
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (up) => {
        const responseHeaders = { ...up.headers };
        delete responseHeaders["content-length"];
        if (active?.kind === "replace") {
          up.resume();
          res.writeHead(200, responseHeaders);
          res.end(active.body);
          return;
        }
        res.writeHead(up.statusCode ?? 502, responseHeaders);
        let sent = 0;
        let stopped = false;
        up.on("data", (chunk: Buffer) => {
          if (stopped) return;
          if (active?.kind === "corrupt" && active.at >= sent && active.at < sent + chunk.length) {
            chunk = Buffer.from(chunk);
            chunk[active.at - sent] ^= 0x01;
          }
          if (active && (active.kind === "cut" || active.kind === "truncate" || active.kind === "stall") && sent + chunk.length > active.after) {
            res.write(chunk.subarray(0, Math.max(0, active.after - sent)));
            stopped = true;
            up.destroy();
            if (active.kind === "cut") res.socket?.destroy();
            if (active.kind === "truncate") res.end();
            if (active.kind === "stall" && res.socket) held.add(res.socket);
            return;
          }
          sent += chunk.length;
          bytes[kind] += chunk.length;
          res.write(chunk);
        });
        up.on("end", () => {
          if (!stopped) res.end();
        });
        up.on("error", () => res.socket?.destroy());
      },
    );
    out.on("error", () => res.socket?.destroy());
    out.end(body);
  }

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  server.unref();
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
    return closed;
  };
  const timer = setTimeout(close, lifetimeMs);
  timer.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(f, matches) {
      fault = { fault: f, matches };
    },
    clear() {
      fault = undefined;
      // Hanging and stalled answers end now, as a recovered upstream's would.
      for (const s of held) s.destroy();
      held.clear();
    },
    get auth() {
      return state.auth;
    },
    set auth(value) {
      state.auth = value;
    },
    counts,
    bytes,
    authorizations,
    close,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (b: Buffer) => parts.push(b));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function classify(req: IncomingMessage, body: Buffer): RequestKind {
  const path = (req.url ?? "").split("?")[0];
  if (req.method === "GET" && path.endsWith("/info/refs")) return "refs";
  if (req.method === "POST" && path.endsWith("/git-upload-pack")) {
    return body.subarray(0, 64).toString("latin1").includes("command=ls-refs") ? "ls-refs" : "fetch";
  }
  return "other";
}
