/** The /etc/hosts block: added once, replaced when stale, removed without touching other lines. */

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHosts, removeHosts, removeHostsSync } from "./hosts.ts";

const ORIGINAL = "127.0.0.1 localhost\n::1 localhost\n";
let dir = "";
let file = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gomodproxy-hosts-"));
  file = join(dir, "hosts");
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("addHosts / removeHosts", () => {
  it("addHosts appends one marked block and removeHosts restores the file", async () => {
    await writeFile(file, ORIGINAL);
    await addHosts(["a.test", "b.test"], file);
    const text = await readFile(file, "utf8");
    expect(text.startsWith(ORIGINAL)).toBe(true);
    expect(text).toContain("127.0.0.1 a.test\n127.0.0.1 b.test\n");
    await removeHosts(file);
    expect(await readFile(file, "utf8")).toBe(ORIGINAL);
  });

  it("addHosts replaces a stale block left by a crashed run", async () => {
    await writeFile(file, ORIGINAL);
    await addHosts(["old.test"], file);
    await addHosts(["new.test"], file);
    const text = await readFile(file, "utf8");
    expect(text).not.toContain("old.test");
    expect(text.match(/BEGIN gomodproxy/g)).toHaveLength(1);
    removeHostsSync(file);
    expect(await readFile(file, "utf8")).toBe(ORIGINAL);
  });

  it("addHosts keeps a file without a final newline intact", async () => {
    await writeFile(file, "127.0.0.1 localhost");
    await addHosts(["c.test"], file);
    expect(await readFile(file, "utf8")).toMatch(/^127\.0\.0\.1 localhost\n# BEGIN/);
  });
});
