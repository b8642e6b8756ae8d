/**
 * The real go command against the Node server serving the built-in demo:
 * downloads, version lists and a build, with sums checked against our own
 * dirhash of the demo's files.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Server, serve } from "../../adapters/node.ts";
import { demoSource } from "../../src/demo.ts";
import { createProxy } from "../../src/handler.ts";
import { hash1, hashGoMod } from "../../src/hash/dirhash.ts";
import { serveCutZip } from "../helpers/memory-faults.ts";
import { createGoEnv, GO, type GoEnv, goListVersions, goModDownload, removeGoEnv } from "../helpers/go.ts";

let server: Server;
let env: GoEnv;

beforeAll(async () => {
  server = await serve(createProxy({ source: demoSource() }).handle, { hostname: "127.0.0.1", port: 0 });
  env = await createGoEnv({ proxy: server.url, insecureHosts: ["example.com"] });
});

afterAll(async () => {
  await server?.close();
  if (env) await removeGoEnv(env);
});

/** expectedSum is the h1: of the given files under module@version/. */
async function expectedSum(module: string, version: string, files: Record<string, string>): Promise<string> {
  const enc = new TextEncoder();
  return hash1(Object.entries(files).map(([name, text]) => ({ name: `${module}@${version}/${name}`, open: () => enc.encode(text) })));
}

const helloGo = (greeting: string) =>
  `// Package hello says hello.\npackage hello\n\n// Hello returns a greeting.\nfunc Hello() string {\n\treturn "${greeting}"\n}\n`;
const goMod = "module example.com/hello\n\ngo 1.19\n";
const license = "Demo module for gomodproxy. Use it freely.\n";

describe("go command through the Node server", () => {
  it("go mod download example.com/hello@v1.0.0 matches our h1: sums", async () => {
    const d = (await goModDownload(env, [{ mod: "example.com/hello", query: "v1.0.0" }]))[0];
    expect(d.error).toBeUndefined();
    expect(d.version).toBe("v1.0.0");
    expect(d.time).toBe("2024-01-15T10:00:00Z");
    expect(d.sum).toBe(await expectedSum("example.com/hello", "v1.0.0", { "go.mod": goMod, "hello.go": helloGo("Hello, world."), LICENSE: license }));
    expect(d.goModSum).toBe(await hashGoMod(new TextEncoder().encode(goMod)));
  });

  it("latest is the highest release, not the pre-release", async () => {
    const d = (await goModDownload(env, [{ mod: "example.com/hello", query: "latest" }]))[0];
    expect(d.version).toBe("v1.1.0");
    expect(d.sum).toBe(await expectedSum("example.com/hello", "v1.1.0", { "go.mod": goMod, "hello.go": helloGo("Hello, gopher!"), LICENSE: license }));
  });

  it("the v2 module comes from the v2/ directory, with the root LICENSE added", async () => {
    const d = (await goModDownload(env, [{ mod: "example.com/hello/v2", query: "v2.0.0" }]))[0];
    expect(d.error).toBeUndefined();
    expect([...(d.files ?? [])].sort()).toEqual(["example.com/hello/v2@v2.0.0/go.mod", "example.com/hello/v2@v2.0.0/hello.go", "example.com/hello/v2@v2.0.0/LICENSE"].sort());
  });

  it("go list -m -versions shows what @v/list lists", async () => {
    const [list] = await goListVersions(env, ["example.com/hello"]);
    expect(list.versions).toEqual(["v1.0.0", "v1.1.0", "v1.2.0-beta.1"]);
    const body = await (await fetch(`${server.url}/example.com/hello/@v/list`)).text();
    expect(body.trim().split("\n")).toEqual(list.versions);
  });

  it("a Go program builds and runs against the module", async () => {
    const dir = join(env.dir, "app");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "go.mod"), "module example.com/app\n\ngo 1.19\n\nrequire example.com/hello v1.1.0\n");
    await writeFile(join(dir, "main.go"), 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/hello"\n)\n\nfunc main() { fmt.Println(hello.Hello()) }\n');
    const gopath = join(env.dir, "app-gopath");
    const out = await new Promise<string>((resolve, reject) =>
      execFile(GO, ["run", "."], { cwd: dir, env: { ...env.env, GOPATH: gopath, GOMODCACHE: join(gopath, "pkg/mod") } }, (err, stdout, stderr) =>
        err ? reject(new Error(stderr)) : resolve(stdout))
    );
    expect(out).toBe("Hello, gopher!\n");
    await new Promise((r) => execFile("chmod", ["-R", "u+w", gopath], r));
  });
});

describe("go command and a zip that fails while it streams", () => {
  it("go mod download fails at the zip and keeps nothing, while .info and .mod were fine", async () => {
    const cut = await serveCutZip();
    const cutEnv = await createGoEnv({ proxy: cut.url, insecureHosts: ["example.com"] });
    try {
      const [d] = await goModDownload(cutEnv, [{ mod: "example.com/cut", query: "v1.0.0" }]);
      expect(d.stage).toBe("zip");
      expect(d.error).toMatch(/example\.com\/cut@v1\.0\.0: .*(unexpected EOF|connection reset|EOF)/);
      expect(d.sum).toBeUndefined();
    } finally {
      await cut.close();
      await removeGoEnv(cutEnv);
    }
  });
});

