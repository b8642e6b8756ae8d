/**
 * `gomodproxy serve --upstream …` flags and environment variables → HttpGitSource options.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpGitSourceOptions, parseNetrc } from "../../src/sources/http-git/node-config.ts";
import { NodeObjectStorage } from "../../src/sources/http-git/node-store.ts";

let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "gomodproxy-http-config-"));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("parseNetrc", () => {
  it.for([
    { text: "machine git.example.com login bot password t0ken", host: "git.example.com", want: { login: "bot", password: "t0ken" } },
    { text: "machine a login x password 1\nmachine a login y password 2", host: "a", want: { login: "x", password: "1" } },
    { text: "# comment\nmachine a\n  login x\n  password p#ss", host: "a", want: { login: "x", password: "p#ss" } },
    { text: "macdef init\ncd /\n\nmachine a login x password y", host: "a", want: { login: "x", password: "y" } },
    { text: "machine a login x password y\ndefault login anon password none", host: "", want: { login: "anon", password: "none" } },
  ])("parseNetrc($text) for $host", ({ text, host, want }) => {
    expect(parseNetrc(text).get(host)).toEqual(want);
  });
});

describe("httpGitSourceOptions", () => {
  it("no upstream: no HTTP source", async () => {
    expect(await httpGitSourceOptions({ authChecked: false }, {})).toBeUndefined();
  });

  it("--upstream, --upstream-netrc, --refs-ttl, --cache-dir", async () => {
    const netrc = join(tmp, "netrc");
    await writeFile(netrc, "machine git.example.com login bot password t0ken\n");
    const o = await httpGitSourceOptions({
      upstream: ["https://git.example.com", "https://other.example.org/git"],
      upstreamNetrc: netrc,
      refsTtl: "30",
      cacheDir: tmp,
      authChecked: false,
    }, {});
    expect(o?.upstreams).toEqual([
      { prefix: "git.example.com", url: "https://git.example.com/{path}.git", authorization: `Basic ${btoa("bot:t0ken")}` },
      { prefix: "other.example.org/git", url: "https://other.example.org/git/{path}.git", authorization: undefined },
    ]);
    expect(o?.refsTtlSeconds).toBe(30);
    expect(o?.passThroughCredentials).toBe(true);
    expect(o?.storage).toBeInstanceOf(NodeObjectStorage);
  });

  it("environment variables, a JSON config with a credential from the environment, and a proxy that checks tokens", async () => {
    const config = join(tmp, "upstreams.json");
    await writeFile(config, JSON.stringify({
      upstreams: [{ prefix: "go.example.org/tool", url: "https://git.example.com/tools/tool.git", authorizationEnv: "TOOL_AUTH", discovery: "probe" }],
    }));
    const o = await httpGitSourceOptions({ authChecked: true }, {
      GOMODPROXY_UPSTREAM: "https://git.example.com, https://b.example.com",
      GOMODPROXY_UPSTREAM_CONFIG: config,
      GOMODPROXY_REFS_TTL: "0",
      TOOL_AUTH: "Bearer abc",
    });
    expect(o?.upstreams.map((u) => [u.prefix, u.url, u.authorization])).toEqual([
      ["git.example.com", "https://git.example.com/{path}.git", undefined],
      ["b.example.com", "https://b.example.com/{path}.git", undefined],
      ["go.example.org/tool", "https://git.example.com/tools/tool.git", "Bearer abc"],
    ]);
    expect(o?.refsTtlSeconds).toBe(0);
    expect(o?.passThroughCredentials).toBe(false);
    expect(o?.storage).toBeUndefined();
  });

  it.for([
    { name: "credentials in the URL", flags: { upstream: ["https://u:p@git.example.com"] }, message: "--upstream git.example.com: put credentials in --upstream-netrc, not in the URL" },
    { name: "a bad --refs-ttl", flags: { upstream: ["https://git.example.com"], refsTtl: "soon" }, message: '--refs-ttl "soon": want a number of seconds' },
    { name: "a URL that is not http", flags: { upstream: ["ssh://git.example.com"] }, message: "upstream ssh://git.example.com: want an http or https URL" },
  ])("$name is refused", async ({ flags, message }) => {
    await expect(httpGitSourceOptions({ ...flags, authChecked: false }, {})).rejects.toThrow(message);
  });
});
