/**
 * The loopback git server: go-import pages for the longest repository
 * prefix, 404 otherwise, and a real clone over smart HTTP (git
 * http-backend) that yields the commits `buildRepo` computes.
 */

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type MemoryRepo } from "../../src/sources/memory.ts";
import { type GitServer, startGitServer } from "./git-http.ts";
import { GIT_ENV, writeRepos } from "./git-repo.ts";

const run = promisify(execFile);

// The server tells hosts apart by the Host header; a plain loopback request
// says "127.0.0.1:<port>", so the fixtures live under the host 127.0.0.1.
const spec: MemoryRepo = {
  root: "127.0.0.1/team/tool",
  commits: [
    { id: "c1", date: "2022-01-01T00:00:00Z", files: { "go.mod": "module 127.0.0.1/team/tool\n" } },
    { id: "c2", date: "2022-01-02T00:00:00+02:00", files: { "a.go": "package tool\n" } },
  ],
  tags: { "v1.0.0": "c1", "v1.1.0": { commit: "c2", message: "v1.1.0\n" } },
  branches: { main: "c2", dev: "c1" },
};

let dir = "";
let server: GitServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gomodproxy-git-http-"));
  await writeRepos([spec], join(dir, "repos"));
  server = await startGitServer({ root: join(dir, "repos") });
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("startGitServer ?go-get=1", () => {
  it.for([
    ["/team/tool", "127.0.0.1/team/tool"],
    ["/team/tool/sub/pkg", "127.0.0.1/team/tool"],
    ["/team/tool/v2/", "127.0.0.1/team/tool"],
  ])("GET %s?go-get=1 announces %s", async ([path, root]) => {
    const res = await fetch(`${server.url}${path}?go-get=1`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(`<meta name="go-import" content="${root} git ${server.url}/team/tool.git">`);
  });

  it.for(["/team", "/team/toolbox", "/other/tool"])("GET %s?go-get=1 is 404", async (path) => {
    const res = await fetch(`${server.url}${path}?go-get=1`);
    expect(res.status).toBe(404);
  });

  it("answers only the hosts it was given", async () => {
    const only = await startGitServer({ root: join(dir, "repos"), hosts: ["example.test"] });
    try {
      expect((await fetch(`${only.url}/team/tool?go-get=1`)).status).toBe(404);
    } finally {
      await only.close();
    }
  });
});

describe("startGitServer smart HTTP", () => {
  it.for(["0", "2"])("git ls-remote and clone with protocol.version=%s see buildRepo's objects", async (version) => {
    const built = await buildRepo(spec);
    const url = `${server.url}/team/tool.git`;
    const env = { ...GIT_ENV, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "protocol.version", GIT_CONFIG_VALUE_0: version };
    const { stdout } = await run("git", ["ls-remote", url], { env });
    const remote = Object.fromEntries(stdout.trim().split("\n").map((l) => l.split("\t").reverse()));
    for (const [name, ref] of built.refMap) expect(remote[name], name).toBe(ref.oid);
    expect(remote["HEAD"]).toBe(built.refMap.get("refs/heads/main")!.oid);

    const clone = join(dir, `clone-v${version}`);
    await run("git", ["clone", "--quiet", "--bare", url, clone], { env });
    const { stdout: head } = await run("git", ["rev-parse", "v1.1.0^{commit}"], { cwd: clone, env });
    expect(head.trim()).toBe(built.commitIds.get("c2"));
  });

  it("404s for a repository that does not exist", async () => {
    const res = await fetch(`${server.url}/team/nothing.git/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(404);
  });
});
