/**
 * goDownload asks the real go command to download one module version from
 * a `file://` GOPROXY laid out by hand (`list`, `.info`, `.mod`, `.zip`).
 * The go command hashes the zip it got (`Sum`), hashes the `.mod`
 * (`GoModSum`) and unzips with x/mod's checks, so it is the judge of both
 * our zip bytes and our hashes. Each call uses a fresh module cache and no
 * checksum database.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export const GO = process.env.GOMODPROXY_TEST_GO ?? "/usr/bin/go";

/** haveGo is false when the go command cannot run; tests that need it skip. */
export const haveGo = spawnSync(GO, ["version"]).status === 0;

export interface GoDownload {
  Sum?: string;
  GoModSum?: string;
  Error?: string;
  /** Dir is where the go command extracted the zip. */
  Dir?: string;
}

export async function goDownload(
  module: string,
  version: string,
  zip: Uint8Array,
  mod: Uint8Array,
  /** inspect runs before the temp dir is removed, e.g. to read the extracted files under Dir. */
  inspect?: (result: GoDownload) => Promise<void>,
): Promise<GoDownload> {
  if (/[A-Z]/.test(module + version)) throw new Error("goDownload: use lower-case paths (no ! escaping here)");
  const dir = await mkdtemp(join(tmpdir(), "gomodproxy-zip-"));
  try {
    const v = join(dir, "proxy", module, "@v");
    await mkdir(v, { recursive: true });
    await mkdir(join(dir, "work"));
    await writeFile(join(v, "list"), version + "\n");
    await writeFile(join(v, `${version}.info`), JSON.stringify({ Version: version, Time: "2020-01-01T00:00:00Z" }));
    await writeFile(join(v, `${version}.mod`), mod);
    await writeFile(join(v, `${version}.zip`), zip);
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: join(dir, "home"),
      GOPATH: join(dir, "gopath"),
      GOMODCACHE: join(dir, "gopath", "mod"),
      GOCACHE: join(dir, "gocache"),
      GOENV: "off",
      GOPROXY: `file://${join(dir, "proxy")}`,
      GOSUMDB: "off",
      GOFLAGS: "-mod=mod",
      GO111MODULE: "on",
      GOTOOLCHAIN: "local",
    };
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)(GO, ["mod", "download", "-json", `${module}@${version}`], {
        cwd: join(dir, "work"),
        env,
        maxBuffer: 64 << 20,
      }));
    } catch (err) {
      // A failed download exits 1 but still prints the JSON with Error.
      stdout = (err as { stdout?: string }).stdout ?? "";
      if (stdout === "") throw err;
    }
    const result = JSON.parse(stdout) as GoDownload;
    await inspect?.(result);
    return result;
  } finally {
    spawnSync("chmod", ["-R", "u+w", dir]);
    await rm(dir, { recursive: true, force: true });
  }
}
