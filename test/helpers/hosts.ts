/**
 * hosts: map test host names to 127.0.0.1 in /etc/hosts, for the real go
 * command and its git child, which resolve module hosts like any program.
 *
 * Module paths need a dotted host and no port (x/mod `CheckPath`), so the
 * conformance suite serves `git.gomodproxy.test`, `gopkg.in`, … on port 80
 * of 127.0.0.1 and lists them here. The lines live in one marked block;
 * `addHosts` first removes a stale block left by a crashed run, and
 * `removeHosts` restores the file. Needs root. Go reads /etc/hosts with its
 * own resolver (`GODEBUG=netdns=go`), git through nsswitch `files`.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";

export const HOSTS_FILE = "/etc/hosts";
const BEGIN = "# BEGIN gomodproxy conformance test hosts";
const END = "# END gomodproxy conformance test hosts";

/** stripBlock removes our marked block from a hosts file's text. */
export function stripBlock(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (line === BEGIN) inside = true;
    else if (line === END) inside = false;
    else if (!inside) out.push(line);
  }
  return out.join("\n");
}

/**
 * addHosts maps every name in `hosts` to 127.0.0.1, replacing any earlier
 * block. It fails with a clear message when /etc/hosts is not writable.
 */
export async function addHosts(hosts: string[], file = HOSTS_FILE): Promise<void> {
  const text = stripBlock(await readFile(file, "utf8"));
  const block = [BEGIN, ...hosts.map((h) => `127.0.0.1 ${h}`), END].join("\n");
  const body = text.endsWith("\n") || text === "" ? text : text + "\n";
  try {
    await writeFile(file, `${body}${block}\n`);
  } catch (err) {
    throw new Error(`cannot write ${file} (the conformance suite must run as root): ${String(err)}`, { cause: err });
  }
}

/** removeHosts removes the block `addHosts` wrote; a missing block is fine. */
export async function removeHosts(file = HOSTS_FILE): Promise<void> {
  const text = await readFile(file, "utf8");
  const stripped = stripBlock(text);
  if (stripped !== text) await writeFile(file, stripped);
}

/** removeHostsSync is `removeHosts` for a process "exit" handler, where nothing async runs. */
export function removeHostsSync(file = HOSTS_FILE): void {
  try {
    const text = readFileSync(file, "utf8");
    const stripped = stripBlock(text);
    if (stripped !== text) writeFileSync(file, stripped);
  } catch {
    // best effort: the next run's addHosts removes a stale block anyway
  }
}
