/**
 * Private modules and the go-get page, judged by the real go command over
 * HTTPS.
 *
 * The test makes its own CA with openssl and a server certificate for
 * 127.0.0.1 and the vanity host; the go command trusts it through
 * SSL_CERT_FILE and reads credentials from the netrc file in NETRC (it sends
 * them over https only).
 *
 * For `GOPROXY=direct` the go command fetches `https://<import path>?go-get=1`,
 * on port 443 of the vanity host. Rather than editing /etc/hosts and taking
 * port 443 (which the conformance suite uses), the go command reaches the
 * vanity host through HTTPS_PROXY: a loopback CONNECT proxy that tunnels
 * only `VANITY:443` to our TLS server and refuses everything else. The go
 * command still resolves the vanity path exactly as in production: same
 * URL, same Host, same certificate check.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server as HttpServer } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Server, serve } from "../../adapters/node.ts";
import { tokenAuthorizer } from "../../src/auth/authorizer.ts";
import { createProxy } from "../../src/handler.ts";
import { hash1 } from "../../src/hash/dirhash.ts";
import { jsonLogger } from "../../src/log.ts";
import { type MemoryRepo, MemorySource } from "../../src/sources/memory.ts";
import { createGoEnv, GO, type GoEnv, type GoResult, removeGoEnv } from "../helpers/go.ts";

const VANITY = "vanity.gomodproxy-auth.test";
const TOKEN = "gmp_e2e_0123456789abcdefghijkl";
const WRONG = "gmp_e2e_wrong_0123456789abcdef";

const privateRepo: MemoryRepo = {
  root: "corp.example/secret",
  commits: [{
    id: "c1",
    date: "2024-02-01T10:00:00Z",
    files: {
      "go.mod": "module corp.example/secret\n\ngo 1.19\n",
      "secret.go": "package secret\n\n// Answer is private.\nconst Answer = 42\n",
    },
  }],
  tags: { "v1.0.0": "c1" },
};

const kitGo = (pkg: string, text: string) => `package ${pkg}\n\n// Say says it.\nfunc Say() string { return ${JSON.stringify(text)} }\n`;

/** kit is a vanity repository: a root module with a package in a subdirectory, a v2 subdirectory and a nested module. */
const kitRepo: MemoryRepo = {
  root: `${VANITY}/kit`,
  commits: [
    {
      id: "v1",
      date: "2024-03-01T10:00:00Z",
      files: {
        "go.mod": `module ${VANITY}/kit\n\ngo 1.19\n`,
        "kit.go": kitGo("kit", "kit v1"),
        "log/log.go": kitGo("log", "kit/log v1"),
        "tools/go.mod": `module ${VANITY}/kit/tools\n\ngo 1.19\n`,
        "tools/tools.go": kitGo("tools", "kit/tools v0.1"),
      },
    },
    {
      id: "v2",
      date: "2024-04-01T10:00:00Z",
      files: {
        "v2/go.mod": `module ${VANITY}/kit/v2\n\ngo 1.19\n`,
        "v2/log/log.go": kitGo("log", "kit/v2/log"),
      },
    },
  ],
  tags: { "v1.0.0": "v1", "tools/v0.1.0": "v1", "v2.0.0": "v2" },
};

/** vault is a private vanity repository. */
const vaultRepo: MemoryRepo = {
  root: `${VANITY}/vault`,
  commits: [{
    id: "c1",
    date: "2024-05-01T10:00:00Z",
    files: { "go.mod": `module ${VANITY}/vault\n\ngo 1.19\n`, "vault.go": kitGo("vault", "vault") },
  }],
  tags: { "v1.0.0": "c1" },
};

let dir: string;
let caFile: string;
let server: Server;
let tunnel: HttpServer;
let tunnelURL: string;
let env: GoEnv;
const logLines: string[] = [];

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd }, (err, _out, stderr) => (err ? reject(new Error(`${cmd} ${args.join(" ")}: ${stderr}`)) : resolve()))
  );
}

/** makeCA writes a throwaway CA and a server certificate for the given names, signed by it. */
async function makeCA(at: string, ip: string, dns: string): Promise<{ ca: string; cert: string; key: string }> {
  await run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
    "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=gomodproxy test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ], at);
  await run("openssl", [
    "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=gomodproxy test server",
  ], at);
  await writeFile(join(at, "server.ext"), `subjectAltName=IP:${ip},DNS:${dns}\nextendedKeyUsage=serverAuth\n`);
  await run("openssl", [
    "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
    "-days", "1", "-extfile", "server.ext", "-out", "server.pem",
  ], at);
  return {
    ca: join(at, "ca.pem"),
    cert: await readFile(join(at, "server.pem"), "utf8"),
    key: await readFile(join(at, "server.key"), "utf8"),
  };
}

/** refused lists the `host:port` targets the tunnel refused: where the go command tried to go instead. */
const refused: string[] = [];

/** startTunnel is an HTTP CONNECT proxy that tunnels `host:443` to 127.0.0.1:port and refuses all else. */
function startTunnel(host: string, port: number): Promise<HttpServer> {
  const sockets = new Set<Socket>();
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  proxy.on("connect", (req, client: Socket, head: Buffer) => {
    if (req.url !== `${host}:443`) {
      refused.push(req.url ?? "");
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  proxy.once("close", () => sockets.forEach((s) => s.destroy()));
  return new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => resolve(proxy)));
}

beforeAll(async () => {
  env = await createGoEnv({ proxy: "off", insecureHosts: [] });
  dir = env.dir;
  const tls = await makeCA(dir, "127.0.0.1", VANITY);
  caFile = tls.ca;
  const proxy = createProxy({
    source: new MemorySource([privateRepo, kitRepo, vaultRepo]),
    authorize: tokenAuthorizer({
      tokens: [{ token: TOKEN, patterns: `corp.example,${VANITY}/vault`, name: "e2e" }],
      private: `corp.example,${VANITY}/vault`,
    }),
    log: jsonLogger((line) => logLines.push(line)),
  });
  server = await serve(proxy.handle, { hostname: "127.0.0.1", port: 0, tls: { cert: tls.cert, key: tls.key } });
  tunnel = await startTunnel(VANITY, server.port);
  const address = tunnel.address();
  tunnelURL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(async () => {
  await server?.close();
  await new Promise((r) => (tunnel ? tunnel.close(r) : r(undefined)));
  if (env) await removeGoEnv(env);
});

let runs = 0;

/** goIn runs the go command in cwd with a fresh module cache and the given settings. */
async function goIn(cwd: string, args: string[], settings: Record<string, string>): Promise<GoResult> {
  const gopath = join(dir, "gopath", String(++runs));
  await mkdir(gopath, { recursive: true });
  const runEnv = {
    ...env.env,
    GOPATH: gopath,
    GOMODCACHE: join(gopath, "pkg", "mod"),
    SSL_CERT_FILE: caFile,
    SSL_CERT_DIR: "/nonexistent",
    NETRC: join(dir, "no-such-netrc"),
    HTTPS_PROXY: tunnelURL,
    NO_PROXY: "",
    ...settings,
  };
  const result = await new Promise<GoResult>((resolve) =>
    execFile(GO, args, { cwd, env: runEnv, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }))
  );
  await new Promise((r) => execFile("chmod", ["-R", "u+w", gopath], r));
  return result;
}

async function netrc(name: string, machine: string, token: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `machine ${machine}\nlogin gopher\npassword ${token}\n`, { mode: 0o600 });
  return file;
}

/** newModule writes an empty main module for `go get` and returns its directory. */
async function newModule(name: string): Promise<string> {
  const at = join(dir, "mods", name);
  await mkdir(at, { recursive: true });
  await writeFile(join(at, "go.mod"), `module example.com/${name}\n\ngo 1.19\n`);
  return at;
}

describe("private modules over HTTPS with ~/.netrc", () => {
  const work = () => join(dir, "work");

  it("downloads a private module with the right token in NETRC", async () => {
    const r = await goIn(work(), ["mod", "download", "-json", "corp.example/secret@v1.0.0"], {
      GOPROXY: server.url,
      NETRC: await netrc("netrc-right", "127.0.0.1", TOKEN),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { Version: string; Sum: string };
    expect(out.Version).toBe("v1.0.0");
    const enc = new TextEncoder();
    const files = privateRepo.commits[0]!.files as Record<string, string>;
    expect(out.Sum).toBe(await hash1(Object.entries(files).map(([name, text]) => ({
      name: `corp.example/secret@v1.0.0/${name}`,
      open: () => enc.encode(text),
    }))));
  });

  it("without a netrc, fails with 401 and says what to put in ~/.netrc", async () => {
    const r = await goIn(work(), ["mod", "download", "-json", "corp.example/secret@v1.0.0"], { GOPROXY: server.url });
    expect(r.code).not.toBe(0);
    const out = JSON.parse(r.stdout) as { Error: string };
    expect(out.Error).toBe(
      `corp.example/secret@v1.0.0: reading ${server.url}/corp.example/secret/@v/v1.0.0.info: 401 Unauthorized\n` +
        "\tserver response:\n" +
        "\tprivate module: authentication required\n" +
        "\tput your token in ~/.netrc (the go command sends it over https only):\n" +
        "\tmachine 127.0.0.1 login token password <token>",
    );
  });

  it("with a wrong token, fails with 401 invalid token", async () => {
    const r = await goIn(work(), ["mod", "download", "-json", "corp.example/secret@v1.0.0"], {
      GOPROXY: server.url,
      NETRC: await netrc("netrc-wrong", "127.0.0.1", WRONG),
    });
    expect(r.code).not.toBe(0);
    const out = JSON.parse(r.stdout) as { Error: string };
    expect(out.Error).toContain("401 Unauthorized\n\tserver response:\n\tinvalid token\n");
  });

  it("a 401 stops the go command: it does not fall through to the next GOPROXY entry", async () => {
    const r = await goIn(work(), ["mod", "download", "-json", "corp.example/secret@v1.0.0"], {
      GOPROXY: `${server.url},https://proxy.invalid`,
    });
    expect(r.code).not.toBe(0);
    expect((JSON.parse(r.stdout) as { Error: string }).Error).toContain("401 Unauthorized");
    expect(r.stdout + r.stderr).not.toContain("proxy.invalid");
  });

  it("without GONOSUMDB, the go command asks sum.golang.org about the private module and fails", async () => {
    refused.length = 0;
    const r = await goIn(work(), ["mod", "download", "-json", "corp.example/secret@v1.0.0"], {
      GOPROXY: server.url,
      GOSUMDB: "sum.golang.org",
      NETRC: await netrc("netrc-sumdb", "127.0.0.1", TOKEN),
    });
    expect(r.code).not.toBe(0);
    // The lookup itself tells sum.golang.org the private module path.
    expect((JSON.parse(r.stdout) as { Error: string }).Error).toContain('verifying go.mod: corp.example/secret@v1.0.0/go.mod: Get "https://sum.golang.org/lookup/corp.example/secret@v1.0.0"');
    expect(refused).toContain("sum.golang.org:443");
  });

  const noSumDB: Record<string, string>[] = [{ GONOSUMDB: "corp.example" }, { GOPRIVATE: "corp.example", GONOPROXY: "none" }];
  for (const settings of noSumDB) {
    it(`with ${new URLSearchParams(settings)}, the private module comes from the proxy and skips the checksum database`, async () => {
      refused.length = 0;
      const r = await goIn(work(), ["mod", "download", "-json", "corp.example/secret@v1.0.0"], {
        GOPROXY: server.url,
        GOSUMDB: "sum.golang.org",
        NETRC: await netrc("netrc-nosumdb", "127.0.0.1", TOKEN),
        ...settings,
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(refused).toEqual([]);
    });
  }

  it("GOPRIVATE alone bypasses the proxy: the go command goes direct to the module's host", async () => {
    refused.length = 0;
    const r = await goIn(work(), ["mod", "download", "-json", "corp.example/secret@v1.0.0"], {
      GOPROXY: server.url,
      GOPRIVATE: "corp.example",
      NETRC: await netrc("netrc-goprivate", "127.0.0.1", TOKEN),
    });
    expect(r.code).not.toBe(0);
    expect((JSON.parse(r.stdout) as { Error: string }).Error).toContain("https://corp.example/secret?go-get=1");
    expect(refused).toContain("corp.example:443");
  });

  it("the access log names the token, never holds it", () => {
    const text = logLines.join("\n");
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(Object.keys(JSON.parse(line) as object)).toEqual(expect.arrayContaining(["time", "method", "path", "status", "durationMs"]));
    expect(text).toContain(`"path":"/corp.example/secret/@v/v1.0.0.zip","status":200`);
    expect(text).toContain(`"user":"e2e"`);
    expect(text).toContain(`"status":401`);
    for (const secret of [TOKEN, WRONG, btoa(`gopher:${TOKEN}`), btoa(`gopher:${WRONG}`), "Basic ", "authorization"]) {
      expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });
});

describe("vanity import paths through the go-get page, GOPROXY=direct", () => {
  const direct = { GOPROXY: "direct", GONOSUMDB: VANITY, GOPRIVATE: "" };

  it("go get resolves a package in a subdirectory, a /v2 module and a nested module, then builds", async () => {
    const at = await newModule("vanity");
    const get = await goIn(at, ["get", `${VANITY}/kit/log@v1.0.0`, `${VANITY}/kit/v2/log@v2.0.0`, `${VANITY}/kit/tools@v0.1.0`], direct);
    expect(get.stderr).not.toMatch(/error|disagree|unrecognized/i);
    expect(get.code).toBe(0);
    const mod = await readFile(join(at, "go.mod"), "utf8");
    expect(mod).toContain(`${VANITY}/kit v1.0.0`);
    expect(mod).toContain(`${VANITY}/kit/v2 v2.0.0`);
    expect(mod).toContain(`${VANITY}/kit/tools v0.1.0`);
    await writeFile(join(at, "main.go"), [
      "package main",
      "",
      "import (",
      '\t"fmt"',
      "",
      `\tlog1 "${VANITY}/kit/log"`,
      `\t"${VANITY}/kit/tools"`,
      `\tlog2 "${VANITY}/kit/v2/log"`,
      ")",
      "",
      "func main() { fmt.Println(log1.Say(), log2.Say(), tools.Say()) }",
      "",
    ].join("\n"));
    const out = await goIn(at, ["run", "."], direct); // a fresh module cache: it downloads again, through the page
    expect(out.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("go: downloading "))).toEqual([]);
    expect(out.stdout).toBe("kit/log v1 kit/v2/log kit/tools v0.1\n");
  });

  it("go get @latest of a vanity module picks the highest release", async () => {
    const at = await newModule("latest");
    const get = await goIn(at, ["get", `${VANITY}/kit@latest`], direct);
    expect(get.code).toBe(0);
    expect(await readFile(join(at, "go.mod"), "utf8")).toContain(`${VANITY}/kit v1.0.0`);
  });

  it("a private vanity path needs the token for the vanity host in NETRC", async () => {
    const denied = await goIn(await newModule("vault-denied"), ["get", `${VANITY}/vault@v1.0.0`], direct);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(`reading https://${VANITY}/vault?go-get=1: 401 Unauthorized`);
    expect(denied.stderr).toContain("\tprivate module: authentication required\n");
    expect(denied.stderr).toContain(`machine ${VANITY} login token password <token>`);

    const at = await newModule("vault");
    const ok = await goIn(at, ["get", `${VANITY}/vault@v1.0.0`], { ...direct, NETRC: await netrc("netrc-vanity", VANITY, TOKEN) });
    expect(ok.stderr).not.toMatch(/error|401|403/);
    expect(ok.code).toBe(0);
    expect(await readFile(join(at, "go.mod"), "utf8")).toContain(`${VANITY}/vault v1.0.0`);
  });
});
