/**
 * The shared smoke suite for the Deno and Bun adapters (Hono's
 * `common.case.test.ts` idea): the same cases run against each runtime, each
 * as a real child process serving the built-in demo through
 * `adapters/<runtime>.ts`, driven by fetch, raw sockets and the real go
 * command. The Node adapter's own tests live in `node.test.ts`.
 *
 * "Same answers" is checked against the core itself: every body must equal,
 * byte for byte, what `createProxy(...).handle(new Request(url))` answers
 * in-process on Node for the same URL.
 */

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoSource } from "../../src/demo.ts";
import { createProxy } from "../../src/handler.ts";
import { hashGoMod, hashZip } from "../../src/hash/dirhash.ts";
import { createGoEnv, type GoEnv, goModDownload, removeGoEnv } from "../helpers/go.ts";
import { type Child, ROOT, runtimeCommand, type RuntimeName, startChild } from "./child.ts";

/** adapterEntry is the script a child runs: the demo proxy through one adapter. */
export function adapterEntry(runtime: RuntimeName, options: { tls?: { cert: string; key: string }; basePath?: string } = {}): string {
  return `import { serve } from "${ROOT}/adapters/${runtime}.ts";
import { createProxy, demoSource } from "${ROOT}/src/index.ts";
const options = ${JSON.stringify(options)};
const proxy = createProxy({ source: demoSource(), basePath: options.basePath });
const server = await serve(proxy.handle, { hostname: "127.0.0.1", port: 0, tls: options.tls, signals: true });
console.log("listening on " + server.url);
`;
}

/** selfSignedCert makes a PEM certificate and key for 127.0.0.1 with openssl. */
export async function selfSignedCert(dir: string): Promise<{ cert: string; key: string; certFile: string }> {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  await promisify(execFile)("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", certFile,
  ]);
  return { cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8"), certFile };
}

/** Transport headers a runtime adds or changes on its own; everything else must match the core. */
const TRANSPORT_HEADERS = new Set(["date", "content-length", "transfer-encoding", "connection", "keep-alive", "vary", "content-encoding"]);

/**
 * headersOf lists the headers to compare. A list's Last-Modified may be the
 * time its source was created, which differs between two processes, so only
 * its presence is compared.
 */
function headersOf(response: Response): Record<string, string> {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => !TRANSPORT_HEADERS.has(name)));
  if (headers["last-modified"]) headers["last-modified"] = "(set)";
  return headers;
}

/** PATHS are the requests whose answers must match the core's, successes and failures alike. */
const PATHS = [
  "/example.com/hello/@v/list",
  "/example.com/hello/@latest",
  "/example.com/hello/@v/v1.0.0.info",
  "/example.com/hello/@v/v1.1.0.mod",
  "/example.com/hello/@v/v1.1.0.zip",
  "/example.com/hello/v2/@v/v2.0.0.zip",
  "/example.com/hello/@v/main.info",
  "/example.com/hello/@v/v9.9.9.info",
  "/example.com/nothere/@v/list",
  "/example.com/hello/@v/v1.0.0.zip/extra",
  "/Example.com/hello/@v/list",
  "/example.com/hello?go-get=1",
];

/** adapterSuite registers the shared cases for one runtime. */
export function adapterSuite(runtime: RuntimeName): void {
  const core = createProxy({ source: demoSource() });
  let dir: string;
  let child: Child;
  let tlsChild: Child;
  let certFile: string;
  let env: GoEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `gomodproxy-${runtime}-`));
    const tls = await selfSignedCert(dir);
    certFile = tls.certFile;
    await writeFile(join(dir, "plain.ts"), adapterEntry(runtime));
    await writeFile(join(dir, "tls.ts"), adapterEntry(runtime, { tls: { cert: tls.cert, key: tls.key } }));
    [child, tlsChild] = await Promise.all([
      startChild(runtimeCommand(runtime, join(dir, "plain.ts"))),
      startChild(runtimeCommand(runtime, join(dir, "tls.ts"))),
    ]);
    env = await createGoEnv({ proxy: child.url, insecureHosts: ["example.com"], dir: join(dir, "go") });
  });

  afterAll(async () => {
    await Promise.all([child?.stop(), tlsChild?.stop()]);
    if (env) await removeGoEnv(env);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe(`${runtime} adapter`, () => {
    it("serve on port 0 prints the real port of 127.0.0.1", () => {
      expect(child.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(child.url).not.toMatch(/:0$/);
    });

    it.each(PATHS)("GET %s answers as the core does, byte for byte", async (path) => {
      const got = await fetch(child.url + path);
      const want = await core.handle(new Request(child.url + path));
      expect({ status: got.status, headers: headersOf(got) }).toEqual({ status: want.status, headers: headersOf(want) });
      expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(await want.arrayBuffer()))).toBe(true);
    });

    it.each(["/example.com/hello/@v/v1.0.0.info", "/example.com/hello/@v/v1.0.0.zip"])("a conditional GET %s with the ETag answers as the core does", async (path) => {
      const etag = (await core.handle(new Request(child.url + path))).headers.get("etag");
      const headers: Record<string, string> = etag ? { "if-none-match": etag } : {};
      const got = await fetch(child.url + path, { headers });
      const want = await core.handle(new Request(child.url + path, { headers }));
      expect({ status: got.status, headers: headersOf(got) }).toEqual({ status: want.status, headers: headersOf(want) });
      expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(await want.arrayBuffer()))).toBe(true);
    });

    it("HEAD answers GET's status and headers with no body", async () => {
      const got = await fetch(child.url + "/example.com/hello/@v/v1.0.0.zip", { method: "HEAD" });
      expect(got.status).toBe(200);
      expect(got.headers.get("content-type")).toBe("application/zip");
      expect((await got.arrayBuffer()).byteLength).toBe(0);
    });

    it("POST answers 405", async () => {
      const got = await fetch(child.url + "/example.com/hello/@v/list", { method: "POST", body: "x" });
      expect(got.status).toBe(405);
    });

    it("go mod download gives the h1: sums of the core's zip and go.mod", async () => {
      const requests = [{ mod: "example.com/hello", query: "v1.1.0" }, { mod: "example.com/hello/v2", query: "v2.0.0" }];
      const downloads = await goModDownload(env, requests);
      for (const [i, { mod: module, query: version }] of requests.entries()) {
        const base = `${child.url}/${module}/@v/${version}`;
        const zip = new Uint8Array(await (await core.handle(new Request(base + ".zip"))).arrayBuffer());
        const mod = new Uint8Array(await (await core.handle(new Request(base + ".mod"))).arrayBuffer());
        expect(downloads[i].error).toBeUndefined();
        expect(downloads[i].sum).toBe(await hashZip(zip));
        expect(downloads[i].goModSum).toBe(await hashGoMod(mod));
      }
    });

    it("a client that disconnects mid-request leaves the server serving", async () => {
      const { port } = new URL(child.url);
      const socket = connect(Number(port), "127.0.0.1");
      await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
      socket.write("GET /example.com/hello/@v/v1.0.0.zip HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      socket.destroy();
      expect((await fetch(child.url + "/example.com/hello/@v/v1.0.0.info")).status).toBe(200);
    });

    it("tls: PEM strings serve HTTPS that the go command trusts through SSL_CERT_FILE", async () => {
      expect(tlsChild.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const tlsEnv = await createGoEnv({ proxy: tlsChild.url, insecureHosts: ["example.com"], dir: join(dir, "go-tls") });
      tlsEnv.env.SSL_CERT_FILE = certFile;
      try {
        const [d] = await goModDownload(tlsEnv, [{ mod: "example.com/hello", query: "v1.0.0" }]);
        expect(d.error).toBeUndefined();
        expect(d.version).toBe("v1.0.0");
      } finally {
        await removeGoEnv(tlsEnv);
      }
    });

    it("signals: SIGTERM closes the server and the process exits 0", async () => {
      const one = await startChild(runtimeCommand(runtime, join(dir, "plain.ts")));
      expect(await one.stop("SIGTERM")).toBe(0);
      await expect(fetch(one.url + "/example.com/hello/@v/list")).rejects.toThrow();
    });
  });
}
