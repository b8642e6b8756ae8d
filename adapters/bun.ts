/** Bun adapter: `serve(handle, options)` over Bun.serve, shaped like `gomodproxy/node`. Bun speaks Request/Response, so nothing is translated. */
import type { ServeOptions, Server } from "./node.ts";
export type { ServeOptions, Server };
declare const Bun: { serve(options: object): { port: number; stop(force?: boolean): Promise<void> } };

/** serve starts Bun.serve for handle and resolves once it listens; port 0 picks a free port, `tls` takes PEM strings. */
export async function serve(handle: (request: Request) => Promise<Response>, options: ServeOptions = {}): Promise<Server> {
  const { hostname = "127.0.0.1", port = 8080, tls } = options;
  // idleTimeout: Bun's maximum, 255 s (default 10 s), so a slow first byte of a large zip is not cut off.
  const server = Bun.serve({ hostname, port, tls, idleTimeout: 255, fetch: (request: Request) => handle(request) });
  const close = async () => {
    process.off("SIGINT", close).off("SIGTERM", close);
    setTimeout(() => server.stop(true), 10_000).unref(); // stop() waits for requests in flight; at most 10 s
    await server.stop();
  };
  if (options.signals) process.once("SIGINT", close).once("SIGTERM", close);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { url: `${tls ? "https" : "http"}://${host}:${server.port}`, port: server.port, close };
}
