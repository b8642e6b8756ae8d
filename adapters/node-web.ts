/**
 * Lightweight `Request` and `Response` for the Node adapter.
 *
 * On Node 20 a `Request` with a signal costs about 100 µs to create and a
 * `Response` with a body about 90 µs (the web streams behind them are built
 * eagerly and made transferable), several times what answering a cached
 * `.info` costs. Hono's Node server meets the same cost the same way
 * (@hono/node-server `request.ts`, `response.ts`): objects that are
 * `instanceof Request` / `instanceof Response`, answer the properties the
 * proxy uses themselves, and build the real object only when anything else
 * is asked for. Code that reads them through the standard API cannot tell.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

const REAL = Symbol("real");

/** CREDENTIAL_HEADERS mark requests that get a real Request: see nodeRequest. */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];

/**
 * nodeRequest returns the Request for a node:http request: a NodeRequest,
 * or a real Request when the client sent credentials. The one thing a
 * NodeRequest cannot do is be copied with `new Request(request, init)`,
 * which undici refuses for any object it did not make; code that strips
 * credentials does exactly that (auth/credentials.ts `withoutCredentials`),
 * and an authorized request costs more than a real Request anyway.
 */
export function nodeRequest(req: IncomingMessage, res: ServerResponse, url: URL): Request {
  const light = new NodeRequest(req.method ?? "GET", url.href, req, res);
  if (!CREDENTIAL_HEADERS.some((name) => req.headers[name] !== undefined)) return light as unknown as Request;
  return light[REAL]();
}

/** NodeRequest is a GET/HEAD `Request` over node:http's request, built lazily. */
export class NodeRequest {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  #headers?: Headers;
  #signal?: AbortSignal;
  #real?: Request;

  constructor(readonly method: string, readonly url: string, req: IncomingMessage, res: ServerResponse) {
    this.#req = req;
    this.#res = res;
  }

  get headers(): Headers {
    this.#headers ??= new NodeHeaders(this.#req.headers);
    return this.#headers;
  }

  /** signal aborts when the client goes away (or once the answer is sent). */
  get signal(): AbortSignal {
    if (!this.#signal) {
      const abort = new AbortController();
      if (this.#res.closed) abort.abort();
      else this.#res.once("close", () => abort.abort());
      this.#signal = abort.signal;
    }
    return this.#signal;
  }

  [REAL](): Request {
    this.#real ??= new Request(this.url, { method: this.method, headers: this.headers, signal: this.signal });
    return this.#real;
  }
}

/**
 * NodeHeaders are a request's `Headers` that answer `get` and `has` from
 * node:http's header object, and copy it in on any other use: the proxy
 * reads two headers of most requests (`If-None-Match`, `If-Modified-Since`).
 * Repeated headers read as node:http joins them, with ", ".
 */
class NodeHeaders extends Headers {
  #raw?: IncomingHttpHeaders;

  constructor(raw: IncomingHttpHeaders) {
    super();
    this.#raw = raw;
  }

  override get(name: string): string | null {
    if (!this.#raw) return super.get(name);
    const value = this.#raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }

  override has(name: string): boolean {
    return this.#raw ? this.#raw[name.toLowerCase()] !== undefined : super.has(name);
  }

  /** #fill copies the raw headers in, once, before anything but get and has. */
  #fill(): void {
    const raw = this.#raw;
    if (!raw) return;
    this.#raw = undefined;
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) super.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
  }

  static {
    for (const name of ["append", "delete", "set", "forEach", "entries", "keys", "values", "getSetCookie", Symbol.iterator] as const) {
      const standard = Headers.prototype[name] as (...args: unknown[]) => unknown;
      Object.defineProperty(NodeHeaders.prototype, name, {
        value(this: NodeHeaders, ...args: unknown[]) {
          this.#fill();
          return standard.apply(this, args);
        },
      });
    }
  }
}

/** NodeResponse is a `Response` whose bytes the adapter writes without a stream. */
export class NodeResponse {
  #headers?: Headers;
  #real?: Response;

  constructor(readonly bytes: Uint8Array | null, readonly init: { status: number; headers: Record<string, string> }) {}

  get status(): number {
    return this.init.status;
  }
  get ok(): boolean {
    return this.init.status >= 200 && this.init.status < 300;
  }
  get headers(): Headers {
    this.#headers ??= new Headers(this.init.headers);
    return this.#headers;
  }

  [REAL](): Response {
    this.#real ??= new Response(this.bytes as Uint8Array<ArrayBuffer> | null, { status: this.init.status, headers: this.headers });
    return this.#real;
  }
}

// Everything else a Request or Response has is answered by the real object, built on first use.
delegate(NodeRequest, Request, ["body", "bodyUsed", "cache", "credentials", "destination", "duplex", "integrity", "keepalive", "mode", "redirect", "referrer", "referrerPolicy"], ["arrayBuffer", "blob", "bytes", "clone", "formData", "json", "text"]);
delegate(NodeResponse, Response, ["body", "bodyUsed", "redirected", "statusText", "type", "url"], ["arrayBuffer", "blob", "bytes", "clone", "formData", "json", "text"]);

function delegate(
  light: { prototype: object },
  standard: { prototype: object },
  getters: string[],
  methods: string[],
): void {
  Object.setPrototypeOf(light.prototype, standard.prototype);
  type Real = { [REAL](): Record<string, unknown> };
  for (const name of getters) {
    Object.defineProperty(light.prototype, name, {
      get(this: Real) {
        return this[REAL]()[name];
      },
    });
  }
  for (const name of methods) {
    Object.defineProperty(light.prototype, name, {
      value(this: Real, ...args: unknown[]) {
        const real = this[REAL]();
        return (real[name] as (...a: unknown[]) => unknown).apply(real, args);
      },
    });
  }
}
