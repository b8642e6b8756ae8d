import { describe, expect, it } from "vitest";
import { createProxy } from "../src/handler.ts";
import { Counter, Histogram, METRICS_CONTENT_TYPE } from "../src/metrics.ts";
import { type MemoryRepo, MemorySource } from "../src/sources/memory.ts";

const fixture: MemoryRepo = {
  root: "example.com/m",
  commits: [{ id: "c1", date: "2024-01-02T03:04:05Z", files: { "go.mod": "module example.com/m\n", "m.go": "package m\n" } }],
  tags: { "v1.0.0": "c1" },
};

describe("Prometheus text format", () => {
  it("Counter.render writes HELP, TYPE and one line per label set", () => {
    const c = new Counter("x_total", "Things.", ["endpoint", "status"]);
    c.inc(["zip", "200"]);
    c.inc(["zip", "200"], 2);
    c.inc(["list", "404"]);
    expect(c.render()).toBe(
      '# HELP x_total Things.\n# TYPE x_total counter\nx_total{endpoint="zip",status="200"} 3\nx_total{endpoint="list",status="404"} 1\n',
    );
  });

  it("Counter.render escapes backslash, quote and newline in label values", () => {
    const c = new Counter("x_total", "Things.", ["v"]);
    c.inc(['a\\b"c\nd']);
    expect(c.render()).toContain('x_total{v="a\\\\b\\"c\\nd"} 1\n');
  });

  it("Histogram.render writes cumulative buckets, +Inf, sum and count", () => {
    const h = new Histogram("d_seconds", "Durations.", ["endpoint"], [0.1, 1]);
    h.observe(["zip"], 0.05);
    h.observe(["zip"], 0.5);
    h.observe(["zip"], 5);
    expect(h.render()).toBe(
      [
        "# HELP d_seconds Durations.",
        "# TYPE d_seconds histogram",
        'd_seconds_bucket{endpoint="zip",le="0.1"} 1',
        'd_seconds_bucket{endpoint="zip",le="1"} 2',
        'd_seconds_bucket{endpoint="zip",le="+Inf"} 3',
        'd_seconds_sum{endpoint="zip"} 5.55',
        'd_seconds_count{endpoint="zip"} 3',
        "",
      ].join("\n"),
    );
  });
});

describe("/metrics and /healthz", () => {
  it("answer only when metrics is on", async () => {
    const off = createProxy({ source: new MemorySource([fixture]) });
    expect((await off.handle(new Request("http://p/metrics"))).status).toBe(404);
    expect((await off.handle(new Request("http://p/healthz"))).status).toBe(404);
  });

  it("healthz answers ok, not cached", async () => {
    const proxy = createProxy({ source: new MemorySource([fixture]), metrics: true });
    const res = await proxy.handle(new Request("http://p/healthz"));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toBe("ok\n");
  });

  it("metrics count requests by endpoint and status, cache hits and misses, builds and bytes", async () => {
    const proxy = createProxy({ source: new MemorySource([fixture]), metrics: true });
    const get = (path: string) => proxy.handle(new Request(`http://p${path}`));
    const zip = await get("/example.com/m/@v/v1.0.0.zip");
    const size = (await zip.arrayBuffer()).byteLength;
    await get("/example.com/m/@v/v1.0.0.zip");
    await get("/example.com/m/@v/v1.0.0.info");
    await get("/example.com/m/@v/main.info");
    await get("/example.com/m/@v/v9.9.9.info");
    await get("/example.com/m/@v/list");
    await get("/example.com/m/@latest");
    const res = await get("/metrics");
    expect(res.headers.get("content-type")).toBe(METRICS_CONTENT_TYPE);
    const text = await res.text();
    for (
      const line of [
        'gomodproxy_requests_total{endpoint="zip",status="200"} 2',
        'gomodproxy_requests_total{endpoint="info",status="200"} 1',
        'gomodproxy_requests_total{endpoint="info",status="404"} 1',
        'gomodproxy_requests_total{endpoint="query",status="200"} 1',
        'gomodproxy_requests_total{endpoint="list",status="200"} 1',
        'gomodproxy_requests_total{endpoint="latest",status="200"} 1',
        'gomodproxy_cache_hits_total{endpoint="zip"} 1',
        'gomodproxy_cache_misses_total{endpoint="zip"} 1',
        'gomodproxy_build_duration_seconds_count{endpoint="zip"} 1',
        `gomodproxy_response_bytes_total{endpoint="zip"} ${2 * size}`,
        'gomodproxy_request_duration_seconds_count{endpoint="zip"} 2',
      ]
    ) expect(text).toContain(line + "\n");
    expect(text).not.toContain("example.com"); // no module names in labels
  });

  it("metrics are mounted under basePath", async () => {
    const proxy = createProxy({ source: new MemorySource([fixture]), metrics: true, basePath: "/goproxy/" });
    expect((await proxy.handle(new Request("http://p/goproxy/healthz"))).status).toBe(200);
    expect((await proxy.handle(new Request("http://p/healthz"))).status).toBe(404);
  });
});
