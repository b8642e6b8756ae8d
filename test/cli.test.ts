/**
 * `gomodproxy serve` as a user runs it: the CLI is bundled once with esbuild
 * (so the test never depends on a stale dist/), then started as a child
 * process with flags, environment variables and a config file.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemoryRepo } from "../src/sources/memory.ts";
import { writeRepo } from "./helpers/git-repo.ts";

let dir: string;
let cli: string;
const children: ChildProcess[] = [];

const repo: MemoryRepo = {
  root: "git.example.test/team/lib",
  commits: [{ id: "c1", date: "2024-02-02T02:02:02Z", files: { "go.mod": "module git.example.test/team/lib\n", "lib.go": "package lib\n" } }],
  tags: { "v1.0.0": "c1" },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gomodproxy-cli-"));
  // Inside node_modules/ so the bundle's package imports (itty-router) resolve.
  cli = join(process.cwd(), "node_modules", ".cache", "gomodproxy-test", `cli-${process.pid}.mjs`);
  execFileSync("node_modules/.bin/esbuild", ["src/cli.ts", "--bundle", "--platform=node", "--format=esm", "--packages=external", `--outfile=${cli}`, "--log-level=warning"]);
  await writeRepo(repo, join(dir, "repos", "git.example.test", "team", "lib.git"));
  await writeRepo({ ...repo, root: "vanity.test/lib" }, join(dir, "elsewhere", "lib.git"));
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  rmSync(cli, { force: true });
});

/** start runs `gomodproxy serve args…` and resolves with the URL from its first stdout line. */
function start(args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn("node", [cli, "serve", "--listen", "127.0.0.1:0", "--no-access-log", ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  setTimeout(() => child.kill("SIGKILL"), 60_000).unref();
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (m) resolve(m[1]);
        else reject(new Error(`unexpected first line ${JSON.stringify(line)}`));
      }
    });
    child.stderr!.on("data", (d) => (err += d));
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync("node", [cli, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { code: 0, stdout, stderr: "" };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("gomodproxy CLI", () => {
  it("--help documents every flag with its environment variable", () => {
    const { code, stdout } = run(["--help"]);
    expect(code).toBe(0);
    for (const flag of ["--listen", "--root", "--config", "--upstream", "--cache-dir", "--tokens", "--private", "--tls-cert", "--tls-key"]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain("GOMODPROXY_ROOT");
    expect(stdout).toContain("GOMODPROXY_LISTEN");
  });

  it("serve with no source runs the demo and prints the listening line first", async () => {
    const url = await start([]);
    expect(await (await fetch(`${url}/example.com/hello/@v/list`)).text()).toBe("v1.0.0\nv1.1.0\nv1.2.0-beta.1\n");
  });

  it("--root serves repositories laid out by module path", async () => {
    const url = await start(["--root", join(dir, "repos")]);
    expect(await (await fetch(`${url}/git.example.test/team/lib/@v/list`)).text()).toBe("v1.0.0\n");
    expect((await fetch(`${url}/git.example.test/team/other/@v/list`)).status).toBe(404);
  });

  it("--no-sync-reads and GOMODPROXY_SYNC_READS=false serve the same zip as the default", async () => {
    const path = "/git.example.test/team/lib/@v/v1.0.0.zip";
    const zips = [];
    for (const [args, env] of [[[], {}], [["--no-sync-reads"], {}], [[], { GOMODPROXY_SYNC_READS: "false" }]] as const) {
      const url = await start(["--root", join(dir, "repos"), ...args], env);
      const res = await fetch(url + path);
      expect(res.status).toBe(200);
      zips.push(Buffer.from(await res.arrayBuffer()));
    }
    expect(zips[1].equals(zips[0]) && zips[2].equals(zips[0])).toBe(true);
  });

  it("GOMODPROXY_ROOT works like --root", async () => {
    const url = await start([], { GOMODPROXY_ROOT: join(dir, "repos") });
    expect(await (await fetch(`${url}/git.example.test/team/lib/@v/v1.0.0.info`)).json()).toMatchObject({ Version: "v1.0.0" });
  });

  it("--config maps a vanity path to a repository directory", async () => {
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ mappings: { "vanity.test/lib": join(dir, "elsewhere", "lib.git") } }));
    const url = await start(["--config", config]);
    expect(await (await fetch(`${url}/vanity.test/lib/@v/list`)).text()).toBe("v1.0.0\n");
  });

  it("--cache-dir keeps served versions: after a restart they answer with the repository gone", async () => {
    const cacheDir = join(dir, "cache");
    const repos = join(dir, "cached-repos");
    await writeRepo(repo, join(repos, "git.example.test", "team", "lib.git"));
    const first = await start(["--root", repos, "--cache-dir", cacheDir]);
    const zip = new Uint8Array(await (await fetch(`${first}/git.example.test/team/lib/@v/v1.0.0.zip`)).arrayBuffer());
    const mod = await (await fetch(`${first}/git.example.test/team/lib/@v/v1.0.0.mod`)).text();
    for (const c of children.splice(0)) c.kill("SIGKILL");
    rmSync(repos, { recursive: true, force: true });
    const second = await start(["--root", repos, "--cache-dir", cacheDir]);
    const again = await fetch(`${second}/git.example.test/team/lib/@v/v1.0.0.zip`);
    expect(again.status).toBe(200);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(zip);
    expect(await (await fetch(`${second}/git.example.test/team/lib/@v/v1.0.0.mod`)).text()).toBe(mod);
  });

  it("/metrics answers Prometheus text by default", async () => {
    const url = await start([]);
    await fetch(`${url}/example.com/hello/@v/list`);
    const body = await (await fetch(`${url}/metrics`)).text();
    expect(body).toMatch(/^# (HELP|TYPE) /m);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it.each([
    [["serve", "--listen", "nonsense"], /invalid --listen "nonsense"/],
    [["serve", "--auth-mode", "500"], /invalid --auth-mode "500"/],
    [["serve", "--tls-cert", "x.pem"], /--tls-cert and --tls-key go together/],
    [["serve", "--root", "/tmp", "--upstream", "https://git.example.test"], /alternatives/],
    [["serve", "--config", "/nonexistent/config.json"], /ENOENT/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("%j fails with a clear message", (args, message) => {
    const { code, stderr } = run(args as string[]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
  });
});
