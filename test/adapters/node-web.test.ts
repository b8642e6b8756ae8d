/**
 * The Node adapter's lightweight Request and Response (adapters/node-web.ts)
 * must read like real ones through the standard API, and the adapter must
 * serve the same bytes and headers through them as the core answers.
 */
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Server, serve } from "../../adapters/node.ts";
import { nodeRequest, NodeResponse } from "../../adapters/node-web.ts";
import { withoutCredentials } from "../../src/auth/credentials.ts";
import { demoSource } from "../../src/demo.ts";
import { createProxy } from "../../src/handler.ts";

/** fakes stands in for node:http's request and response: headers, and a close event. */
function fakes(headers: Record<string, string>) {
  const req = { headers } as unknown as IncomingMessage;
  const res = Object.assign(new EventEmitter(), { closed: false }) as unknown as ServerResponse & { closed: boolean };
  return { req, res };
}

const URL_ = new URL("http://127.0.0.1:8080/example.com/hello/@v/list");

describe("NodeRequest", () => {
  it("answers method, url and headers, and is a Request", async () => {
    const { req, res } = fakes({ host: "127.0.0.1:8080", "if-none-match": '"a"' });
    const r = nodeRequest(Object.assign(req, { method: "GET" }), res, URL_);
    expect(r).toBeInstanceOf(Request);
    expect(r.method).toBe("GET");
    expect(r.url).toBe(URL_.href);
    expect(r.headers.get("if-none-match")).toBe('"a"');
    expect(r.bodyUsed).toBe(false);
    expect(await r.text()).toBe("");
    expect(r.clone()).toBeInstanceOf(Request);
  });

  it("headers read node:http's values, joined as it joins them, and copy into a Headers on iteration", () => {
    const { req, res } = fakes({ accept: "text/plain", "x-many": ["a", "b"] as unknown as string });
    const h = nodeRequest(req, res, URL_).headers;
    expect(h).toBeInstanceOf(Headers);
    expect(h.get("Accept")).toBe("text/plain");
    expect(h.get("x-many")).toBe("a, b");
    expect(h.has("if-none-match")).toBe(false);
    expect([...h]).toEqual([["accept", "text/plain"], ["x-many", "a, b"]]);
    h.set("accept", "*/*");
    expect(h.get("accept")).toBe("*/*");
    expect(Object.fromEntries(new Headers(h))).toEqual({ accept: "*/*", "x-many": "a, b" });
  });

  it("signal aborts when the response closes", () => {
    const { req, res } = fakes({});
    const r = nodeRequest(req, res, URL_);
    const signal = r.signal;
    expect(signal.aborted).toBe(false);
    res.emit("close");
    expect(signal.aborted).toBe(true);
  });

  it("a request with credentials is a real Request, so withoutCredentials can copy it", () => {
    const { req, res } = fakes({ authorization: "Bearer secret", accept: "*/*" });
    const r = nodeRequest(req, res, URL_);
    const stripped = withoutCredentials(r);
    expect(stripped.headers.get("authorization")).toBeNull();
    expect(stripped.headers.get("accept")).toBe("*/*");
  });
});

describe("NodeResponse", () => {
  it("reads like the Response it stands for", async () => {
    const bytes = new TextEncoder().encode("v1.0.0\n");
    const r = new NodeResponse(bytes, { status: 200, headers: { "content-type": "text/plain", etag: '"x"' } }) as unknown as Response;
    expect(r).toBeInstanceOf(Response);
    expect(r.status).toBe(200);
    expect(r.ok).toBe(true);
    expect(r.statusText).toBe("");
    expect(r.headers.get("etag")).toBe('"x"');
    expect(await r.clone().text()).toBe("v1.0.0\n");
    expect(new Uint8Array(await new Response(r.body, r).arrayBuffer())).toEqual(bytes);
  });

  it("a null body reads as empty", async () => {
    const r = new NodeResponse(null, { status: 304, headers: {} }) as unknown as Response;
    expect(r.body).toBeNull();
    expect(await r.text()).toBe("");
  });
});

describe("serve through the lightweight objects", () => {
  const core = createProxy({ source: demoSource() });
  let server: Server;
  beforeAll(async () => {
    server = await serve(createProxy({ source: demoSource() }).handle, { hostname: "127.0.0.1", port: 0 });
  });
  afterAll(() => server?.close());

  it.each([
    "/example.com/hello/@v/list",
    "/example.com/hello/@v/v1.0.0.info",
    "/example.com/hello/@v/v1.0.0.zip",
    "/example.com/hello/@v/v9.9.9.info",
  ])("GET %s: same status, headers and bytes as the core", async (path) => {
    const got = await fetch(server.url + path);
    const want = await core.handle(new Request(server.url + path));
    // A list's Last-Modified is when each proxy built it: compare its presence only.
    const headers = (r: Response) =>
      Object.fromEntries([...r.headers].filter(([k]) => !["date", "connection", "keep-alive", "transfer-encoding"].includes(k)).map(([k, v]) => [k, k === "last-modified" && path.endsWith("/list") ? "(set)" : v]));
    expect({ status: got.status, headers: headers(got) }).toEqual({ status: want.status, headers: headers(want) });
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(await want.arrayBuffer()))).toBe(true);
  });

  it("a conditional GET answers 304 with no body", async () => {
    const etag = (await fetch(server.url + "/example.com/hello/@v/v1.0.0.mod")).headers.get("etag")!;
    const res = await fetch(server.url + "/example.com/hello/@v/v1.0.0.mod", { headers: { "if-none-match": etag } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe("");
  });
});
