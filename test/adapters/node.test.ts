/**
 * The Node adapter over raw sockets: what a `Request` object cannot express
 * (absolute-form targets, odd Host headers, huge headers, raw dot segments)
 * must still get a clean HTTP answer, never a crash or a hang.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Server, serve } from "../../adapters/node.ts";
import { demoSource } from "../../src/demo.ts";
import { createProxy } from "../../src/handler.ts";
import { serveCutZip } from "../helpers/memory-faults.ts";

let server: Server;

beforeAll(async () => {
  server = await serve(createProxy({ source: demoSource() }).handle, { hostname: "127.0.0.1", port: 0 });
});
afterAll(() => server?.close());

/** raw sends bytes on a fresh connection and returns everything the server wrote before closing. */
function raw(request: string, timeoutMs = 5000, port = server.port): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("timed out: the server neither answered nor closed"));
    }, timeoutMs);
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.write(request); // no half-close: real clients keep writing open until the answer
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

describe("node adapter over raw sockets", () => {
  const cases: [string, string, number][] = [
    ["a plain request", "GET /example.com/hello/@v/list HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 200],
    ["an absolute-form target", "GET http://evil.example/example.com/hello/@v/list HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200],
    ["an absolute-form target to another path", "GET http://evil.example/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404],
    ["an asterisk target", "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400],
    ["a Host header with a path", "GET /example.com/hello/@v/list HTTP/1.1\r\nHost: a/b@c\r\nConnection: close\r\n\r\n", 200],
    ["an empty Host header", "GET /example.com/hello/@v/list HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n", 200],
    ["two Host headers", "GET /example.com/hello/@v/list HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 200],
    ["raw dot segments resolved by URL parsing", "GET /example.com/x/../hello/@v/list HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200],
    ["raw dot segments above the root", "GET /../../../etc/passwd HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 404],
    ["a backslash path, read as a slash by URL parsing", "GET /example.com\\hello/@v/list HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200],
    ["a NUL byte in the target", "GET /example.com/hello/@v/v1.0.0\x00.info HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 400],
    ["a header over 16 KiB", `GET /example.com/hello/@v/list HTTP/1.1\r\nHost: a\r\nX-Big: ${"a".repeat(20000)}\r\nConnection: close\r\n\r\n`, 431],
    ["many headers", `GET /example.com/hello/@v/list HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join("\r\n")}\r\nConnection: close\r\n\r\n`, 431],
    ["a POST with a body", "POST /example.com/hello/@v/list HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", 405],
    ["garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", 400],
  ];

  it.each(cases)("%s answers %d", async (_name, request, status) => {
    expect(statusOf(await raw(request))).toBe(status);
  });

  it("a client that disconnects mid-download does not break the server", async () => {
    const socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((r) => socket.on("connect", () => r()));
    socket.write("GET /example.com/hello/@v/v1.0.0.zip HTTP/1.1\r\nHost: a\r\n\r\n");
    socket.destroy();
    const res = await fetch(`${server.url}/example.com/hello/@v/v1.0.0.info`);
    expect(res.status).toBe(200);
  });

  it("a HEAD request answers headers only", async () => {
    const response = await raw("HEAD /example.com/hello/@v/v1.0.0.info HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    expect(statusOf(response)).toBe(200);
    expect(response.endsWith("\r\n\r\n")).toBe(true);
  });
});

describe("node adapter lifecycle", () => {
  it("serve on port 0 picks a free port and close stops listening", async () => {
    const s = await serve(createProxy({ source: demoSource() }).handle, { hostname: "127.0.0.1", port: 0 });
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect((await fetch(`${s.url}/example.com/hello/@v/list`)).status).toBe(200);
    await s.close();
    await expect(fetch(`${s.url}/example.com/hello/@v/list`)).rejects.toThrow();
  });
});

describe("node adapter and a zip that fails while streaming", () => {
  it("the client sees a cut download, never a complete zip, and the server goes on serving", async () => {
    const cut = await serveCutZip();
    try {
      const answer = await raw(`GET /example.com/cut/@v/v1.0.0.zip HTTP/1.1\r\nHost: x\r\n\r\n`, 5000, cut.port);
      // The connection closes without a complete answer: before its first byte (the server had sent
      // only the headers and a.txt's local header, not yet flushed) or within the chunked body.
      if (answer !== "") {
        expect(statusOf(answer)).toBe(200);
        expect(answer).toMatch(/transfer-encoding: chunked/i);
        expect(answer.endsWith("\r\n0\r\n\r\n")).toBe(false); // no last chunk: the client knows the body is incomplete
      }
      const list = await fetch(`${cut.url}/example.com/cut/@v/list`);
      expect(await list.text()).toBe("v1.0.0\n");
    } finally {
      await cut.close();
    }
  });
});
