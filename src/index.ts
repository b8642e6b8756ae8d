/**
 * gomodproxy: a Go module proxy (the GOPROXY protocol) that serves modules
 * straight from git repositories, as a web-standard `handle(Request)`.
 *
 * ```ts
 * import { createProxy, MemorySource } from "gomodproxy";
 * const proxy = createProxy({ source: new MemorySource([...]) });
 * const res = await proxy.handle(new Request("http://proxy/example.com/hello/@v/list"));
 * ```
 * Runtime adapters live in `gomodproxy/node`, `gomodproxy/deno` and `gomodproxy/bun`.
 */
export { createProxy, type Proxy, type ProxyOptions } from "./handler.ts";
export type { Ref, Refs, RepoSource, Repository, SourceContext } from "./sources/source.ts";
export {
  DEFAULT_IDENTITY,
  type MemoryCommit,
  type MemoryFile,
  type MemoryRepo,
  MemoryRepository,
  MemorySource,
  type MemoryTag,
} from "./sources/memory.ts";
export { demoSource } from "./demo.ts";
export * from "./errors.ts";
