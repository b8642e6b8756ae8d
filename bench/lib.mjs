// Helpers shared by the benchmark scripts in this folder.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** REPO_ROOT is the project checkout these scripts measure. */
export const REPO_ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..");

/**
 * bundle compiles `source` (TypeScript re-exports, paths relative to the
 * repository root) into one ES module at outfile that Node, Deno and Bun
 * can import, and returns outfile.
 */
export async function bundle(outfile, source) {
  const esbuild = await import("esbuild");
  await esbuild.build({
    stdin: { contents: source, resolveDir: REPO_ROOT, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

/** median is the middle value (the upper one of an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** flag reads `--name value` from argv: the value, true for a bare flag, or fallback. */
export function flag(argv, name, fallback) {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = argv[i + 1];
  return v === undefined || v.startsWith("--") ? true : v;
}
