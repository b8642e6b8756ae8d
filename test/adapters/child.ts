/**
 * child: run a script under Deno or Bun, the binaries of the `deno` and `bun`
 * npm packages, as a child process serving HTTP.
 *
 * `startChild` resolves once the child's first stdout line is
 * `listening on URL` (the line the CLI and the examples print). Children are
 * started under `timeout -s KILL`, so they stop by themselves even if the
 * test runner dies; `stop` sends SIGTERM and waits for the exit. Deno never
 * asks the network for updates (DENO_NO_UPDATE_CHECK) and resolves npm
 * packages from the checkout's node_modules (deno.json `nodeModulesDir`).
 */

import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** ROOT is the checkout. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
export const DENO = join(ROOT, "node_modules/.bin/deno");
export const BUN = join(ROOT, "node_modules/.bin/bun");

export type RuntimeName = "deno" | "bun";

/** runtimeCommand is the command line that runs script under runtime, with the permissions the README gives. */
export function runtimeCommand(runtime: RuntimeName, script: string): string[] {
  return runtime === "deno"
    ? [DENO, "run", "--config", join(ROOT, "deno.json"), "--allow-net", "--allow-read", "--allow-env", script]
    : [BUN, script];
}

/** QUIET_ENV keeps runtimes from printing colours or calling home. */
export const QUIET_ENV: Record<string, string> = { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DO_NOT_TRACK: "1" };

export interface Child {
  /** url is what the child printed after `listening on `. */
  url: string;
  /** stop sends SIGTERM (or SIGINT) and resolves with the exit status (128 + signal number if the signal killed it). */
  stop(signal?: "SIGTERM" | "SIGINT"): Promise<number | string>;
  /** exited resolves like `stop` once the child exits by itself. */
  exited: Promise<number | string>;
  /** output is everything the child wrote so far, for failure messages. */
  output(): string;
}

export interface ChildOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** lifetimeSeconds after which the child is killed whatever happens. Default 120. */
  lifetimeSeconds?: number;
  /** startSeconds to wait for the `listening on` line. Default 30. */
  startSeconds?: number;
}

/** startChild runs argv and resolves once it prints `listening on URL`. */
export function startChild(argv: string[], options: ChildOptions = {}): Promise<Child> {
  const lifetime = String(options.lifetimeSeconds ?? 120);
  const child = spawn("timeout", ["-s", "KILL", lifetime, ...argv], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...QUIET_ENV, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const output = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  // timeout(1) passes the signal on to the runtime. Never SIGKILL timeout itself: the runtime would outlive it.
  const stop = (signal: "SIGTERM" | "SIGINT" = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  child.stderr.on("data", (b: Buffer) => (stderr += b));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${argv.join(" ")}: no "listening on" line in ${options.startSeconds ?? 30} s\n${output()}`));
    }, (options.startSeconds ?? 30) * 1000);
    child.stdout.on("data", (b: Buffer) => {
      stdout += b;
      const m = /^listening on (\S+)\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop, exited, output });
      } else if (stdout.includes("\n")) {
        clearTimeout(timer);
        void stop();
        reject(new Error(`${argv.join(" ")}: first line is not "listening on URL"\n${output()}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(" ")}: exited (${code}) before listening\n${output()}`));
    });
  });
}
