import { describe, expect, it } from "vitest";
import type { AccessLogEntry } from "../src/handler.ts";
import { formatAccessLog, jsonLogger } from "../src/log.ts";

const T0 = new Date("2024-05-01T12:00:00Z");

describe("formatAccessLog", () => {
  const cases: { name: string; entry: AccessLogEntry; want: string }[] = [
    {
      name: "an anonymous request",
      entry: { method: "GET", path: "/example.com/m/@v/list", status: 200, durationMs: 1.3 },
      want: '{"time":"2024-05-01T12:00:00.000Z","method":"GET","path":"/example.com/m/@v/list","status":200,"durationMs":1.3}',
    },
    {
      name: "a request with a user",
      entry: { method: "HEAD", path: "/x", status: 403, durationMs: 0, user: "ci" },
      want: '{"time":"2024-05-01T12:00:00.000Z","method":"HEAD","path":"/x","status":403,"durationMs":0,"user":"ci"}',
    },
    {
      name: "an empty user",
      entry: { method: "GET", path: "/x", status: 401, durationMs: 2, user: "" },
      want: '{"time":"2024-05-01T12:00:00.000Z","method":"GET","path":"/x","status":401,"durationMs":2}',
    },
    {
      name: "a path with a newline and a quote",
      entry: { method: "GET", path: '/a\nb"c', status: 404, durationMs: 2 },
      want: '{"time":"2024-05-01T12:00:00.000Z","method":"GET","path":"/a\\nb\\"c","status":404,"durationMs":2}',
    },
  ];
  for (const c of cases) {
    it(`formatAccessLog(${c.name})`, () => {
      expect(formatAccessLog(c.entry, T0)).toBe(c.want);
    });
  }

  it("formatAccessLog copies only the known fields", () => {
    const entry = { method: "GET", path: "/x", status: 200, durationMs: 1, authorization: "Bearer secret", headers: { cookie: "c" } };
    expect(formatAccessLog(entry as AccessLogEntry, T0)).not.toMatch(/secret|authorization|cookie/i);
  });
});

describe("jsonLogger", () => {
  it("jsonLogger writes one line per entry through write", () => {
    const lines: string[] = [];
    const log = jsonLogger((l) => lines.push(l), () => T0);
    log({ method: "GET", path: "/a", status: 200, durationMs: 1 });
    log({ method: "GET", path: "/b", status: 404, durationMs: 1 });
    expect(lines.map((l) => (JSON.parse(l) as { path: string }).path)).toEqual(["/a", "/b"]);
    expect(lines.every((l) => !l.includes("\n"))).toBe(true);
  });
});
