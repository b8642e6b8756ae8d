/** Deno adapter: `serve(handle, options)` over Deno.serve, shaped like `gomodproxy/node`. Deno speaks Request/Response, so nothing is translated. */
import type { ServeOptions, Server } from "./node.ts";
export type { ServeOptions, Server };
type Listen = (signal: "SIGINT" | "SIGTERM", f: () => void) => void;
type DenoServer = { addr: { port: number }; shutdown(): Promise<void> };
declare const Deno: { serve(o: object, h: (r: Request) => Promise<Response>): DenoServer; addSignalListener: Listen; removeSignalListener: Listen; unrefTimer(id: unknown): void };

/** serve starts Deno.serve for handle and resolves once it listens; port 0 picks a free port, `tls` takes PEM strings. */
export async function serve(handle: (request: Request) => Promise<Response>, options: ServeOptions = {}): Promise<Server> {
  const { hostname = "127.0.0.1", port = 8080, tls } = options;
  const signals = options.signals ? (["SIGINT", "SIGTERM"] as const) : [];
  const server = Deno.serve({ hostname, port, ...tls, onListen() {} }, (request) => handle(request)); // onListen: no banner of Deno's own
  const close = async () => {
    for (const s of signals) Deno.removeSignalListener(s, close);
    await Promise.race([server.shutdown(), new Promise((done) => Deno.unrefTimer(setTimeout(done, 10_000)))]); // at most 10 s
  };
  for (const s of signals) Deno.addSignalListener(s, close);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { url: `${tls ? "https" : "http"}://${host}:${server.addr.port}`, port: server.addr.port, close };
}
