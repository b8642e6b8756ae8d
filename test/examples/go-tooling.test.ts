/**
 * Example: unit-testing your own Go tooling against modules that exist only
 * in memory. The tool under test, `outdated`, asks the go command which
 * requirements of a go.mod have newer releases. The test describes a module
 * and its releases as plain data (`MemorySource`: no git, no network),
 * serves it on a free port, and points GOPROXY at it.
 *
 * Copy this file into your project and import from the package instead:
 *   import { MemorySource, createProxy } from "gomodproxy";
 *   import { serve } from "gomodproxy/node";   // or "gomodproxy/deno", "gomodproxy/bun"
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type Server } from "../../adapters/node.ts";
import { createProxy, MemorySource } from "../../src/index.ts";

/** outdated is the tool under test: the requirements of the module in `dir` that have a newer release. */
async function outdated(dir: string, env: Record<string, string>): Promise<string[]> {
  const format = "{{if .Update}}{{.Path}} {{.Version}} -> {{.Update.Version}}{{end}}";
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile("go", ["list", "-m", "-u", "-f", format, "all"], { cwd: dir, env }, (err, out, stderr) => (err ? reject(new Error(stderr)) : resolve(out)))
  );
  return stdout.split("\n").filter(Boolean);
}

/** The module set: example.com/lib with two releases and a release candidate. */
const lib = (version: string) => `package lib\n\nconst Version = "${version}"\n`;
const source = new MemorySource([{
  root: "example.com/lib",
  commits: [
    { id: "one", date: "2024-01-10T09:00:00Z", files: { "go.mod": "module example.com/lib\n\ngo 1.19\n", "lib.go": lib("1.0.0") } },
    { id: "two", date: "2024-02-10T09:00:00Z", files: { "lib.go": lib("1.1.0") } },
    { id: "rc", date: "2024-03-10T09:00:00Z", files: { "lib.go": lib("1.2.0-rc.1") } },
  ],
  tags: { "v1.0.0": "one", "v1.1.0": "two", "v1.2.0-rc.1": "rc" },
}]);

let server: Server;
let tmp: string;

beforeAll(async () => {
  server = await serve(createProxy({ source }).handle, { hostname: "127.0.0.1", port: 0 });
  tmp = await mkdtemp(join(tmpdir(), "go-tooling-"));
});

afterAll(async () => {
  await server?.close();
  // The module cache is read-only; make it writable to delete it.
  await new Promise((resolve) => execFile("chmod", ["-R", "u+w", tmp], resolve));
  await rm(tmp, { recursive: true, force: true });
});

/** project writes a module that requires example.com/lib at `version` and returns its directory and go environment. */
async function project(name: string, version: string) {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "go.mod"), `module example.com/app\n\ngo 1.19\n\nrequire example.com/lib ${version}\n`);
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    GOPATH: join(dir, "gopath"), // a fresh module cache per project: nothing cached from elsewhere
    GOCACHE: join(tmp, "gocache"),
    GOENV: "off",
    GOFLAGS: "-mod=mod",
    GOPROXY: server.url, // only our proxy: a module we did not describe is an error, not a download
    GONOSUMDB: "example.com", // made-up modules are in no checksum database
    GOTOOLCHAIN: "local",
  };
  return { dir, env };
}

describe("outdated, tested against an in-memory module set", () => {
  it("reports the newest release of an old requirement, not the release candidate", async () => {
    const { dir, env } = await project("old", "v1.0.0");
    expect(await outdated(dir, env)).toEqual(["example.com/lib v1.0.0 -> v1.1.0"]);
  });

  it("reports nothing when every requirement is up to date", async () => {
    const { dir, env } = await project("current", "v1.1.0");
    expect(await outdated(dir, env)).toEqual([]);
  });

  it("fails loudly for a module the set does not have", async () => {
    const { dir, env } = await project("missing", "v1.0.0");
    await writeFile(join(dir, "go.mod"), "module example.com/app\n\ngo 1.19\n\nrequire example.com/nothere v1.0.0\n");
    await expect(outdated(dir, env)).rejects.toThrow(/example\.com\/nothere.*404 Not Found/s);
  });
});
