import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    cli: "src/cli.ts",
    "adapters/node": "adapters/node.ts",
    "adapters/deno": "adapters/deno.ts",
    "adapters/bun": "adapters/bun.ts",
    fs: "src/sources/fs.ts",
  },
  format: ["esm"],
  target: "node20",
  platform: "neutral",
  dts: {
    entry: {
      index: "src/index.ts",
      "adapters/node": "adapters/node.ts",
      "adapters/deno": "adapters/deno.ts",
      "adapters/bun": "adapters/bun.ts",
      fs: "src/sources/fs.ts",
    },
  },
  clean: true,
  sourcemap: false,
  splitting: true,
  external: [/^node:/],
});
