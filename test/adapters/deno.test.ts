/** The Deno adapter, run by the `deno` npm package's binary: see adapter-suite.ts. */
import { adapterSuite } from "./adapter-suite.ts";

adapterSuite("deno");
