/**
 * The access log: one JSON object per line per request, for the `log` option.
 *
 *   {"time":"2024-05-01T12:00:00.000Z","method":"GET","path":"/corp.example/m/@v/list","status":200,"durationMs":1.3,"user":"ci"}
 *
 * `user` is the name `authorize` returned (for tokens, the token's name) and
 * is left out for anonymous requests. Only these fields are written, copied
 * one by one, so nothing else that a log entry may grow (headers, the query
 * string) can leak into the log: never a token, a password or an
 * `Authorization` header. The path is the URL path alone; the go command
 * never puts credentials there.
 */

import type { AccessLogEntry } from "./handler.ts";

/**
 * jsonLogger returns a `log` function that writes each entry as one JSON
 * line through `write` (default: `console.log`, i.e. stdout).
 *
 * @example createProxy({ source, log: jsonLogger((line) => process.stderr.write(line + "\n")) })
 * Edge case: control characters in the path are escaped by JSON, so one
 * request is always exactly one line.
 */
export function jsonLogger(
  write: (line: string) => void = (line) => console.log(line),
  now: () => Date = () => new Date(),
): (entry: AccessLogEntry) => void {
  return (entry) => write(formatAccessLog(entry, now()));
}

/**
 * formatAccessLog writes one entry as a JSON line, without a newline.
 *
 * @example formatAccessLog({ method: "GET", path: "/x", status: 404, durationMs: 0.4 }, new Date(0))
 *   === '{"time":"1970-01-01T00:00:00.000Z","method":"GET","path":"/x","status":404,"durationMs":0.4}'
 * Edge case: an empty `user` is left out like a missing one.
 */
export function formatAccessLog(entry: AccessLogEntry, time: Date): string {
  const line: Record<string, string | number> = {
    time: time.toISOString(),
    method: entry.method,
    path: entry.path,
    status: entry.status,
    durationMs: entry.durationMs,
  };
  if (entry.user) line.user = entry.user;
  return JSON.stringify(line);
}
