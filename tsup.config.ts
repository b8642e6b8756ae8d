import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    cli: "src/cli.ts",
    "adapters/node": "adapters/node.ts",
  },
  format: ["esm"],
  target: "node20",
  platform: "neutral",
  dts: { entry: { index: "src/index.ts", "adapters/node": "adapters/node.ts" } },
  clean: true,
  sourcemap: false,
  splitting: true,
  external: [/^node:/],
});
