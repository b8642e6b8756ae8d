/**
 * Same core, same answers, on every runtime. One set of repositories on disk
 * is served four ways at once, all over `FsGitSource`:
 *   node     the Node adapter, in this process
 *   deno     `deno run --allow-net --allow-read --allow-env examples/deno-proxy.ts`
 *            (the Deno adapter), exactly as the README runs it
 *   bun      `bun examples/bun-embed.ts`: the proxy under /goproxy/ of a Bun app
 *   bun-adapter  the Bun adapter (`adapters/bun.ts`)
 * and the real go command downloads the same module versions from each.
 * Their h1: sums must be identical, and so must every body (list, info, mod
 * and zip bytes), also against the in-memory source the fixture is written
 * from.
 *
 * The fixture is made to reach the parts that could differ between
 * runtimes: a 1.5 MiB blob (inflated off the event loop, streamed in
 * chunks), a second version of it stored as a git delta after `repack`, an
 * executable, a non-ASCII file name (the zip UTF-8 flag), `.gitattributes`
 * eol conversion, a symlink and a vendor directory (both left out of zips),
 * a nested module, a /v2 module in a subdirectory and an untagged commit
 * (a pseudo-version).
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Server, serve } from "../adapters/node.ts";
import { createProxy } from "../src/handler.ts";
import { sha256 } from "../src/hash/dirhash.ts";
import { FsGitSource } from "../src/sources/fs.ts";
import { type MemoryRepo, MemorySource } from "../src/sources/memory.ts";
import { BUN, type Child, DENO, ROOT, startChild } from "./adapters/child.ts";
import { git, writeRepos } from "./helpers/git-repo.ts";
import { createGoEnv, type Download, type DownloadRequest, type GoEnv, goModDownload, removeGoEnv } from "./helpers/go.ts";

/** noise is `n` deterministic pseudo-random bytes (xorshift32), incompressible like a real binary. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const blob = noise(1536 << 10, 2463534242);
const blob2 = blob.slice();
blob2.set(new TextEncoder().encode("a small change in the middle of a large file"), 700_000);

const M = "example.com/rt";
const FIXTURE: MemoryRepo = {
  root: M,
  commits: [
    {
      id: "c1",
      date: "2024-02-01T10:00:00Z",
      files: {
        "go.mod": `module ${M}\n\ngo 1.19\n`,
        "rt.go": "package rt\n\n// Version is the release.\nconst Version = \"1.0.0\"\n",
        "LICENSE": "MIT License\n\nCopyright (c) gomodproxy tests\n",
        ".gitattributes": "*.txt eol=crlf\n",
        "docs/notes.txt": "line one\nline two\n",
        "docs/ünïcode-näme.md": "# ü\n",
        "data/blob.bin": blob,
        "tools/gen.sh": { content: "#!/bin/sh\necho gen\n", executable: true },
        "current": { symlink: "rt.go" },
        "vendor/example.org/dep/dep.go": "package dep\n",
        "sub/go.mod": `module ${M}/sub\n\ngo 1.19\n`,
        "sub/sub.go": "package sub\n",
      },
    },
    {
      id: "c2",
      date: "2024-03-01T09:30:00+01:00",
      files: { "rt.go": "package rt\n\n// Version is the release.\nconst Version = \"1.1.0\"\n", "data/blob.bin": blob2 },
    },
    {
      id: "c3",
      date: "2024-04-01T08:00:00Z",
      files: { "v2/go.mod": `module ${M}/v2\n\ngo 1.19\n`, "v2/rt.go": "package rt\n\nconst Version = \"2.0.0\"\n" },
    },
    { id: "c4", date: "2024-05-01T12:00:00Z", files: { "rt.go": "package rt\n\nconst Version = \"1.2.0-dev\"\n" } },
  ],
  tags: {
    "v1.0.0": "c1",
    "v1.1.0": { commit: "c2", message: "v1.1.0\n" },
    "v2.0.0": "c3",
    "sub/v0.1.0": "c1",
  },
};

/** QUERIES are the `go mod download` targets compared across runtimes. */
const QUERIES: DownloadRequest[] = [
  { mod: M, query: "v1.0.0" },
  { mod: M, query: "v1.1.0" },
  { mod: M, query: "main" },
  { mod: `${M}/v2`, query: "v2.0.0" },
  { mod: `${M}/sub`, query: "v0.1.0" },
];

/** downloadAll runs every query, in go runs of distinct module paths (one query per path per run). */
async function downloadAll(env: GoEnv, queries: DownloadRequest[]): Promise<Download[]> {
  const batches: number[][] = [];
  for (const [i, q] of queries.entries()) {
    const batch = batches.find((b) => b.every((j) => queries[j].mod !== q.mod));
    if (batch) batch.push(i);
    else batches.push([i]);
  }
  const out: Download[] = [];
  await Promise.all(batches.map(async (batch) => {
    const got = await goModDownload(env, batch.map((i) => queries[i]));
    batch.forEach((i, k) => (out[i] = got[k]));
  }));
  return out;
}

type Runtime = "node" | "deno" | "bun" | "bun-adapter";
const RUNTIMES: Runtime[] = ["node", "deno", "bun", "bun-adapter"];

/** BUN_ADAPTER_ENTRY serves GOMODPROXY_ROOT through adapters/bun.ts. */
const BUN_ADAPTER_ENTRY = `import { serve } from "${ROOT}/adapters/bun.ts";
import { createProxy } from "${ROOT}/src/index.ts";
import { FsGitSource } from "${ROOT}/src/sources/fs.ts";
const proxy = createProxy({ source: new FsGitSource({ root: process.env.GOMODPROXY_ROOT }) });
const server = await serve(proxy.handle, { hostname: "127.0.0.1", port: 0, signals: true });
console.log("listening on " + server.url);
`;

let dir: string;
let node: Server;
let deno: Child;
let bun: Child;
let bunAdapter: Child;
const proxies = {} as Record<Runtime, string>;
const envs = {} as Record<Runtime, GoEnv>;
const downloads = {} as Record<Runtime, Download[]>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gomodproxy-runtimes-"));
  const root = join(dir, "repos");
  await writeRepos([FIXTURE], root);
  await git(join(root, `${M}.git`), ["repack", "-a", "-d", "-f", "--quiet"]); // one pack, with deltas
  await writeFile(join(dir, "bun-adapter.ts"), BUN_ADAPTER_ENTRY);
  const env = { GOMODPROXY_ROOT: root, PORT: "0" };
  [node, deno, bun, bunAdapter] = await Promise.all([
    serve(createProxy({ source: new FsGitSource({ root }) }).handle, { hostname: "127.0.0.1", port: 0 }),
    startChild([DENO, "run", "--allow-net", "--allow-read", "--allow-env", "examples/deno-proxy.ts"], { env }),
    startChild([BUN, "examples/bun-embed.ts"], { env }),
    startChild([BUN, join(dir, "bun-adapter.ts")], { env }),
  ]);
  proxies.node = node.url;
  proxies.deno = deno.url;
  proxies.bun = `${bun.url}/goproxy`;
  proxies["bun-adapter"] = bunAdapter.url;
  await Promise.all(RUNTIMES.map(async (rt) => {
    envs[rt] = await createGoEnv({ proxy: proxies[rt], insecureHosts: ["example.com"], dir: join(dir, `go-${rt}`) });
    downloads[rt] = await downloadAll(envs[rt], QUERIES);
  }));
}, 120_000);

afterAll(async () => {
  await Promise.all([node?.close(), deno?.stop(), bun?.stop(), bunAdapter?.stop()]);
  await Promise.all(Object.values(envs).map(removeGoEnv));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the same modules served by Node, Deno and Bun", () => {
  it.each(QUERIES.map(({ mod, query }, i) => [mod, query, i] as const))("go mod download %s@%s: same version and h1: sums everywhere", (_mod, _query, i) => {
    const node = downloads.node[i];
    expect(node.error).toBeUndefined();
    expect(node.sum).toMatch(/^h1:/);
    expect(node.goModSum).toMatch(/^h1:/);
    const comparable = (d: Download) => ({ version: d.version, time: d.time, sum: d.sum, goModSum: d.goModSum, files: d.files, error: d.error });
    for (const rt of RUNTIMES) expect({ rt, ...comparable(downloads[rt][i]) }).toEqual({ rt, ...comparable(node) });
  });

  it("the fixture's pack stores the changed 1.5 MiB blob as a delta", async () => {
    const objects = await git(join(dir, "repos", `${M}.git`), ["cat-file", "--batch-all-objects", "--batch-check=%(objectsize) %(deltabase)"]);
    expect(objects.split("\n")).toContainEqual(expect.stringMatching(new RegExp(`^${blob.length} (?!0{40})[0-9a-f]{40}$`)));
  });

  it("the main query resolves to a pseudo-version of the untagged commit", () => {
    expect(downloads.node[2].version).toMatch(/^v1\.1\.1-0\.20240501120000-[0-9a-f]{12}$/);
  });

  it("the zip holds what Go's rules keep", () => {
    expect([...(downloads.node[0].files ?? [])].sort()).toEqual([
      `${M}@v1.0.0/.gitattributes`,
      `${M}@v1.0.0/LICENSE`,
      `${M}@v1.0.0/data/blob.bin`,
      `${M}@v1.0.0/docs/notes.txt`,
      `${M}@v1.0.0/docs/ünïcode-näme.md`,
      `${M}@v1.0.0/go.mod`,
      `${M}@v1.0.0/rt.go`,
      `${M}@v1.0.0/tools/gen.sh`,
    ]);
  });

  it("every body is the same bytes everywhere and from the in-memory source", async () => {
    const memory = createProxy({ source: new MemorySource([FIXTURE]) });
    const paths = [`/${M}/@v/list`, `/${M}/@latest`, `/${M}/v2/@v/list`];
    for (const [i, { mod }] of QUERIES.entries()) {
      for (const ext of ["info", "mod", "zip"]) paths.push(`/${mod}/@v/${downloads.node[i].version}.${ext}`);
    }
    const digest = async (body: ArrayBuffer) => Buffer.from(await sha256(new Uint8Array(body))).toString("hex");
    for (const path of paths) {
      const want = await memory.handle(new Request(`http://memory${path}`));
      expect(want.status, path).toBe(200);
      const wantDigest = await digest(await want.arrayBuffer());
      for (const rt of RUNTIMES) {
        const got = await fetch(proxies[rt] + path);
        expect(`${rt} ${path} ${got.status} ${await digest(await got.arrayBuffer())}`).toBe(`${rt} ${path} 200 ${wantDigest}`);
      }
    }
  });
});

describe("examples/bun-embed.ts", () => {
  it("answers its own routes beside the proxy", async () => {
    expect(await (await fetch(`${bun.url}/healthz`)).text()).toBe("ok\n");
    expect((await fetch(`${bun.url}/`)).status).toBe(200);
    expect((await fetch(`${bun.url}/${M}/@v/list`)).status).toBe(404); // outside /goproxy/
  });
});

describe("examples/deno-proxy.ts", () => {
  it("defaults GOMODPROXY_ROOT to ./repos", async () => {
    const child = await startChild([DENO, "run", "--allow-net", "--allow-read", "--allow-env", join(process.cwd(), "examples/deno-proxy.ts")], {
      cwd: dir,
      env: { PORT: "0", GOMODPROXY_ROOT: "" },
    });
    try {
      expect(await (await fetch(`${child.url}/${M}/@v/list`)).text()).toBe("v1.0.0\nv1.1.0\n");
    } finally {
      await child.stop();
    }
  });
});
