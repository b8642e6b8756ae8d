/**
 * The package as published, on npm and on JSR.
 *
 * npm: `npm pack --dry-run` lists what would be published. Every target of
 * package.json `exports`, `main`, `types` and `bin` must be in it, ESM and
 * .d.ts for the core and each adapter; the built modules must load in Node,
 * and a consumer file that imports every entry by its package name must
 * type-check against the .d.ts. `npm ci` builds dist/ (`prepare` → tsup),
 * so the pack runs with --ignore-scripts and the build runs here only when
 * a source is newer than dist/ (a rebuild costs 20–60 s).
 *
 * JSR / Deno: `deno check` type-checks the sources, adapters and examples as
 * Deno runs them (explicit .ts imports, deno.json import map), and
 * `deno publish --dry-run` checks that deno.json publishes as it is (no slow
 * types). Neither needs the network: npm packages come from node_modules.
 * `deno info` shows that the core, MemorySource, HttpGitSource and the Deno
 * and Bun adapters load no node: module and no npm package.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENO, QUIET_ENV, ROOT } from "./adapters/child.ts";

const run = promisify(execFile);
const options = { cwd: ROOT, env: { ...process.env, ...QUIET_ENV }, maxBuffer: 32 << 20, timeout: 170_000 };

interface PackageJson {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, { types: string; import: string }>;
}

/** newestSource is the latest modification time of what the build reads. */
async function newestSource(): Promise<number> {
  const times = await Promise.all(["src", "adapters"].map(async (dir) => {
    const names = await readdir(join(ROOT, dir), { recursive: true });
    return Promise.all(names.map(async (name) => (await stat(join(ROOT, dir, name))).mtimeMs));
  }));
  const configs = await Promise.all(["package.json", "tsup.config.ts"].map(async (f) => (await stat(join(ROOT, f))).mtimeMs));
  return Math.max(...times.flat(), ...configs);
}

/** builtAt is when dist/ was built, or 0 if it was not. */
async function builtAt(): Promise<number> {
  const times = await Promise.all(["dist/index.js", "dist/index.d.ts"].map((f) => stat(join(ROOT, f)).then((s) => s.mtimeMs, () => 0)));
  return Math.min(...times);
}

type Outcome = { stdout: string; stderr: string; code: number };
/** outcome runs a command to its end, failing or not. */
const outcome = (file: string, args: string[]): Promise<Outcome> =>
  run(file, args, options).then(
    ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
    (err: Outcome & { code: number | string }) => ({ stdout: err.stdout ?? "", stderr: err.stderr ?? String(err), code: Number(err.code) || -1 }),
  );

let pkg: PackageJson;
let packed: Set<string>;
let tmp: string;
// The three slow commands run side by side; each test awaits the one it reads.
let denoCheck: Promise<Outcome>;
let denoPublish: Promise<Outcome>;

beforeAll(async () => {
  denoCheck = outcome(DENO, ["check", "src/", "adapters/", "examples/"]);
  // --no-check: deno check above type-checks; publish still checks for slow types.
  denoPublish = outcome(DENO, ["publish", "--dry-run", "--allow-dirty", "--no-check"]);
  pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as PackageJson;
  tmp = await mkdtemp(join(tmpdir(), "gomodproxy-package-"));
  if ((await newestSource()) > (await builtAt())) {
    const build = await outcome("npm", ["run", "build"]);
    if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  }
  const pack = await outcome("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]);
  if (pack.code !== 0) throw new Error(`npm pack --dry-run failed:\n${pack.stdout}\n${pack.stderr}`);
  const [report] = JSON.parse(pack.stdout) as { files: { path: string }[] }[];
  packed = new Set(report.files.map((f) => f.path));
}, 180_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const rel = (p: string) => p.replace(/^\.\//, "");

describe("npm pack", () => {
  it("holds ESM and .d.ts for the core and each adapter", () => {
    expect(Object.keys(pkg.exports).sort()).toEqual([".", "./bun", "./deno", "./fs", "./node"]);
    for (const [entry, target] of Object.entries(pkg.exports)) {
      expect(packed, `${entry} import`).toContain(rel(target.import));
      expect(packed, `${entry} types`).toContain(rel(target.types));
      expect(target.import).toMatch(/\.js$/);
      expect(target.types).toMatch(/\.d\.ts$/);
    }
    expect(packed).toContain(rel(pkg.main));
    expect(packed).toContain(rel(pkg.types));
    for (const bin of Object.values(pkg.bin)) expect(packed).toContain(rel(bin));
  });

  it("holds no tests, examples or benchmarks", () => {
    expect([...packed].filter((p) => /^(test|examples|bench)\//.test(p))).toEqual([]);
  });

  it("the built modules load in Node and serve the demo", async () => {
    const entries = Object.fromEntries(Object.entries(pkg.exports).map(([entry, target]) => [entry, join(ROOT, rel(target.import))]));
    const script = `
      const entries = ${JSON.stringify(entries)};
      const core = await import(entries["."]);
      for (const a of ["./node", "./deno", "./bun"]) {
        if (typeof (await import(entries[a])).serve !== "function") throw new Error(a + ": no serve");
      }
      const res = await core.createProxy({ source: core.demoSource() }).handle(new Request("http://x/example.com/hello/@v/list"));
      process.stdout.write(res.status + " " + await res.text());
    `;
    const { stdout } = await run("node", ["--input-type=module", "-e", script], options);
    expect(stdout).toBe("200 v1.0.0\nv1.1.0\nv1.2.0-beta.1\n");
  });

  it("a consumer importing every entry by package name type-checks against the .d.ts", async () => {
    await mkdir(join(tmp, "node_modules"), { recursive: true });
    await symlink(ROOT, join(tmp, "node_modules", "gomodproxy"));
    await writeFile(join(tmp, "consumer.ts"), `
import { createProxy, MemorySource, type Proxy } from "gomodproxy";
import { serve as serveNode, type Server } from "gomodproxy/node";
import { serve as serveDeno } from "gomodproxy/deno";
import { serve as serveBun } from "gomodproxy/bun";
const proxy: Proxy = createProxy({ source: new MemorySource([]), basePath: "/goproxy/" });
const servers: Promise<Server>[] = [serveNode, serveDeno, serveBun].map((serve) =>
  serve(proxy.handle, { hostname: "127.0.0.1", port: 0, tls: { cert: "PEM", key: "PEM" }, signals: true }));
// The adapters' types are real, not any: a wrong option is an error.
// @ts-expect-error port is a number
serveDeno(proxy.handle, { port: "8080" });
// @ts-expect-error port is a number
serveBun(proxy.handle, { port: "8080" });
// @ts-expect-error port is a number
serveNode(proxy.handle, { port: "8080" });
export { servers };
`);
    await writeFile(join(tmp, "tsconfig.json"), JSON.stringify({
      // skipLibCheck: the .d.ts files must resolve and type the consumer; checking their insides (and lib.dom) again is tsc's job upstream.
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, lib: ["ES2023", "DOM"], types: [] },
      files: ["consumer.ts"],
    }));
    await writeFile(join(tmp, "package.json"), JSON.stringify({ type: "module" }));
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const result = await outcome("node", [tsc, "-p", tmp]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });
});

/**
 * runtimeImports lists the `node:` modules and npm packages that `entry`
 * loads when it runs (type-only imports excluded), from `deno info --json`.
 */
async function runtimeImports(entry: string): Promise<string[]> {
  const { stdout } = await run(DENO, ["info", "--json", entry], options);
  type Module = { specifier: string; dependencies?: { code?: { specifier: string } }[] };
  const info = JSON.parse(stdout) as { roots: string[]; modules: Module[] };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const external = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    if (/^(node|npm):|\/node_modules\//.test(specifier)) external.add(specifier);
    else for (const d of modules.get(specifier)?.dependencies ?? []) if (d.code) stack.push(d.code.specifier);
  }
  return [...external].sort();
}

describe("runtime independence", () => {
  // What needs a file system gets it injected (FsGitSource's `fs`), so these
  // run where there is none: Deno Deploy, workers, a browser. The one npm
  // package allowed is itty-router, which dispatches requests and is itself
  // web-standard.
  it.each(["src/index.ts", "src/sources/memory.ts", "src/sources/http.ts", "adapters/deno.ts", "adapters/bun.ts"])(
    "%s loads no node: module and no npm package but itty-router",
    async (entry) => {
      expect((await runtimeImports(entry)).filter((s) => !/itty-router/.test(s))).toEqual([]);
    },
  );
});

describe("deno", () => {
  it("deno.json has package.json's version, exports and npm dependencies", async () => {
    const deno = JSON.parse(await readFile(join(ROOT, "deno.json"), "utf8")) as { version: string; exports: Record<string, string>; imports: Record<string, string> };
    expect(deno.version).toBe(pkg.version);
    expect(Object.keys(deno.exports).sort()).toEqual(Object.keys(pkg.exports).sort());
    const npm = Object.fromEntries(Object.entries(pkg.dependencies).map(([name, range]) => [name, `npm:${name}@${range}`]));
    expect(deno.imports).toEqual(npm);
  });

  it("deno check passes on the sources, adapters and examples", async () => {
    const { stderr, code } = await denoCheck;
    expect(stderr.split("\n").filter((l) => l && !l.startsWith("Check ")).join("\n")).toBe("");
    expect(code).toBe(0);
  });

  it("deno.json publishes as it is (deno publish --dry-run)", async () => {
    const { stdout, stderr, code } = await denoPublish;
    expect(code, stderr).toBe(0);
    expect(stdout + stderr).toContain("Dry run complete");
    expect(stdout + stderr).toContain("adapters/deno.ts");
    expect(stdout + stderr).not.toContain("examples/");
  });
});
