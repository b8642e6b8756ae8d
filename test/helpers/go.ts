/**
 * go: run the real go command hermetically, as the judge of the suite.
 *
 * Every run gets its own GOPATH and module cache (`GOMODCACHE`), because the
 * go command never asks the network again for a version it has cached: a
 * shared cache would let an earlier query answer a later one and hide a
 * difference. The build cache is shared (downloads do not use it).
 *
 * With `shareVcs`, the runs of one environment share `cache/vcs`, the bare
 * clones direct mode keeps of each repository (symlinked into every fresh
 * cache). That saves most git fetches and changes no answer: every run still
 * lists the remote's refs afresh (`git ls-remote`), the objects a clone holds
 * are immutable, and cmd/go locks the clone (`<dir>.lock`) for concurrent
 * runs. Only `cache/download`, where resolved versions live, is never shared.
 * (One corner is cache-dependent in cmd/go itself: `RecentTag` accepts a tag
 * found in a shallow clone as final; with a full clone it sees all history,
 * as a proxy does.)
 *
 * Nothing of the user's environment leaks in: HOME is a temp dir, git reads
 * no system or global config, the checksum database is off, and module
 * hosts are GOINSECURE so direct mode may use `http://` after `https://`
 * fails.
 *
 * `goModDownload` returns what `go mod download -json` says plus what it
 * wrote: the `.info` Time from the cache file and the zip's file list. The
 * stage at which a download failed is read from which of the Info, GoMod
 * and Zip fields are set (cmd/go/internal/modcmd/download.go fills them in
 * that order and stops at the first error). Both it and `goListVersions`
 * take several module paths per go command, one query each, to save
 * process start-ups; the paths must differ (see `goModDownload`).
 */

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** GO is the go binary the suite trusts. */
export const GO = process.env.GOMODPROXY_TEST_GO ?? "/usr/bin/go";

export interface GoEnvOptions {
  /** proxy is `"direct"` or a proxy URL for GOPROXY. */
  proxy: string;
  /** insecureHosts become GOINSECURE (and GONOSUMDB). */
  insecureHosts: string[];
  /** dir holds the per-run GOPATHs; default a new temp dir. */
  dir?: string;
  /** shareVcs shares direct mode's git clones between runs (see the file comment). */
  shareVcs?: boolean;
}

/** GoEnv is one hermetic configuration of the go command. */
export interface GoEnv {
  proxy: string;
  dir: string;
  /** env is the base environment; each run adds its own GOPATH and GOMODCACHE. */
  env: Record<string, string>;
  /** runs counts runs, to name their cache directories. */
  runs: number;
  shareVcs: boolean;
}

/** createGoEnv prepares a hermetic environment; `removeGoEnv` deletes its files. */
export async function createGoEnv(options: GoEnvOptions): Promise<GoEnv> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "gomodproxy-go-")));
  await mkdir(join(dir, "home"), { recursive: true });
  await mkdir(join(dir, "work"), { recursive: true });
  const hosts = options.insecureHosts.join(",");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(dir, "home"),
    GOCACHE: join(dir, "gocache"),
    GOENV: "off",
    GOWORK: "off",
    GO111MODULE: "on",
    GOFLAGS: "-mod=mod",
    GOPROXY: options.proxy,
    GOSUMDB: "off",
    GONOSUMDB: hosts,
    GOINSECURE: hosts,
    GOPRIVATE: "",
    GONOPROXY: "",
    GOVCS: "*:all",
    GOTOOLCHAIN: "local",
    GODEBUG: "netdns=go",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ASKPASS: "/bin/false",
    GIT_SSH_COMMAND: "/bin/false",
    LC_ALL: "C",
  };
  if (options.shareVcs) await mkdir(join(dir, "vcs"), { recursive: true });
  return { proxy: options.proxy, dir, env, runs: 0, shareVcs: options.shareVcs ?? false };
}

export async function removeGoEnv(env: GoEnv): Promise<void> {
  await removeTree(env.dir);
}

/** removeTree deletes a directory the go command wrote (its module cache is read-only). */
async function removeTree(dir: string): Promise<void> {
  await new Promise<void>((resolve) => execFile("chmod", ["-R", "u+w", dir], () => resolve()));
  await rm(dir, { recursive: true, force: true });
}

export interface GoResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * runGo runs `go args…` with a fresh module cache, in a directory without
 * go.mod. The run's files stay until `removeGoEnv`.
 */
export async function runGo(env: GoEnv, args: string[]): Promise<GoResult & { gopath: string }> {
  const gopath = join(env.dir, "runs", String(++env.runs));
  const modcache = join(gopath, "pkg", "mod");
  await mkdir(join(modcache, "cache"), { recursive: true });
  if (env.shareVcs) await symlink(join(env.dir, "vcs"), join(modcache, "cache", "vcs"));
  const runEnv = { ...env.env, GOPATH: gopath, GOMODCACHE: modcache };
  return new Promise((resolve) => {
    execFile(GO, args, { cwd: join(env.dir, "work"), env: runEnv, maxBuffer: 16 << 20, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr, gopath });
      });
  });
}

/** Stage names where a download stops, in order; "ok" when nothing failed. */
export type Stage = "info" | "mod" | "zip" | "extract" | "command" | "ok";

/** Download is the comparable outcome of one `go mod download -json mod@query`. */
export interface Download {
  /** stage is where it failed, or "ok". */
  stage: Stage;
  version?: string;
  /** time is the `.info` file's Time, as written. */
  time?: string;
  sum?: string;
  goModSum?: string;
  /** files is the zip's entry list, in stored order. */
  files?: string[];
  /** goMod is the `.mod` file's text, for messages. */
  goMod?: string;
  error?: string;
}

interface DownloadJSON {
  Path?: string;
  Version?: string;
  Error?: string;
  Info?: string;
  GoMod?: string;
  Zip?: string;
  Sum?: string;
  GoModSum?: string;
}

/** DownloadRequest is one `<mod>@<query>` argument. */
export interface DownloadRequest {
  mod: string;
  query: string;
}

/**
 * goModDownload runs `go mod download -json <mod>@<query>…` in one fresh
 * cache and reads back the files it wrote, one `Download` per request.
 *
 * The module paths of one call must differ: the go command keeps one answer
 * per path and version, so two queries of one module in one run could
 * answer each other. Different paths share nothing that decides an answer.
 * A request missing from the output (the go command stopped early) is run
 * again on its own.
 */
export async function goModDownload(env: GoEnv, requests: DownloadRequest[]): Promise<Download[]> {
  if (new Set(requests.map((r) => r.mod)).size !== requests.length) throw new Error("goModDownload: one query per module path");
  const r = await runGo(env, ["mod", "download", "-json", ...requests.map((q) => `${q.mod}@${q.query}`)]);
  const byPath = new Map<string, DownloadJSON>();
  for (const j of parseJSONStream(r.stdout) as DownloadJSON[]) if (j.Path) byPath.set(j.Path, j);
  return Promise.all(requests.map(async (q) => {
    const j = byPath.get(q.mod);
    if (j) return readDownload(j);
    if (requests.length > 1) return (await goModDownload(env, [q]))[0];
    return { stage: "command", error: r.stderr.trim() || `exit ${r.code}` } satisfies Download;
  }));
}

async function readDownload(j: DownloadJSON): Promise<Download> {
  const out: Download = { stage: "ok", version: j.Version, error: j.Error };
  if (j.Info) out.time = (JSON.parse(await readFile(j.Info, "utf8")) as { Time?: string }).Time;
  if (j.GoMod) out.goMod = await readFile(j.GoMod, "utf8");
  out.goModSum = j.GoModSum;
  out.sum = j.Sum;
  if (j.Zip) out.files = zipNames(await readFile(j.Zip));
  if (j.Error) out.stage = !j.Info ? "info" : !j.GoMod || !j.GoModSum ? "mod" : !j.Zip ? "zip" : "extract";
  return out;
}

/** VersionList is the outcome of `go list -m -versions` for one module. */
export interface VersionList {
  versions?: string[];
  error?: string;
}

/**
 * goListVersions runs `go list -m -e -json -versions [-retracted] <mod>…`
 * in a fresh cache, one `VersionList` per module path.
 */
export async function goListVersions(env: GoEnv, mods: string[], options: { retracted?: boolean } = {}): Promise<VersionList[]> {
  const args = ["list", "-m", "-e", "-json", "-versions", ...(options.retracted ? ["-retracted"] : []), ...mods];
  const r = await runGo(env, args);
  const byPath = new Map<string, { Path?: string; Versions?: string[]; Error?: { Err: string } }>();
  for (const j of parseJSONStream(r.stdout) as { Path?: string }[]) if (j.Path) byPath.set(j.Path, j);
  return Promise.all(mods.map(async (mod) => {
    const j = byPath.get(mod);
    if (!j) {
      if (mods.length > 1) return (await goListVersions(env, [mod], options))[0];
      return { error: r.stderr.trim() || `exit ${r.code}` };
    }
    return j.Error ? { error: j.Error.Err } : { versions: j.Versions ?? [] };
  }));
}

/** parseJSONStream splits the concatenated JSON values the go command prints with -json. */
export function parseJSONStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") {
      if (depth++ === 0) start = i;
    } else if (ch === "}" && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

/**
 * zipNames lists a zip's entry names from its central directory
 * (APPNOTE.TXT 4.3.12, 4.3.16); enough for the zips cmd/go writes.
 */
export function zipNames(zip: Uint8Array): string[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("zip: no end of central directory record");
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const names: string[] = [];
  const utf8 = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("zip: bad central directory entry");
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    names.push(utf8.decode(zip.subarray(at + 46, at + 46 + nameLen)));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** limit runs async tasks with at most `n` at a time. */
export function limit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= n) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task().then(resolve, reject).finally(() => {
          active--;
          next();
        });
      });
      next();
    });
}
