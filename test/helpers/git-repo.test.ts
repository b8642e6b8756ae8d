/**
 * MemorySource hashes like git: every fixture written by `writeRepo` with
 * `git fast-import` has exactly the objects and refs `buildRepo` computes,
 * and passes `git fsck --strict`.
 */

import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepo, type MemoryRepo } from "../../src/sources/memory.ts";
import { fixtures } from "../conformance/fixtures.ts";
import { git, repoDir, writeRepo, writeRepos } from "./git-repo.ts";

/** Extra shapes the conformance fixtures do not need: see each name. */
const extra: MemoryRepo[] = [
  {
    root: "example.com/tag-dates-and-messages",
    commits: [
      { id: "c1", date: "2019-01-01T00:00:00+14:00", message: "no trailing newline" },
      { id: "c2", date: "2024-12-31T23:59:59-12:00", authorDate: "2001-02-03T04:05:06+01:30", message: "multi\n\nline\n" },
    ],
    tags: {
      light: "c1",
      annotated: { commit: "c2", message: "tag message\n" },
      dated: { commit: "c1", message: "older tag\n", date: "2020-05-05T05:05:05+05:45" },
      "nested/name/v1.0.0": { commit: "c2", message: "" },
    },
  },
  {
    root: "example.com/two-roots-and-deletes",
    commits: [
      { id: "a", date: "2020-01-01T00:00:00Z", files: { "x/y/z.txt": "z\n", "x/w.txt": "w\n" } },
      { id: "b", date: "2020-01-02T00:00:00Z", files: { "x/y/z.txt": null } },
      { id: "orphan", parents: [], date: "2020-01-03T00:00:00Z", files: { "o.txt": "o\n" } },
      { id: "m", parents: ["b", "orphan"], date: "2020-01-04T00:00:00Z", files: { "o.txt": "merged\n" } },
      { id: "unreferenced", parents: ["a"], date: "2020-01-05T00:00:00Z" },
    ],
    branches: { trunk: "m", old: "b" },
    head: "old",
  },
  {
    root: "example.com/modes-and-names",
    commits: [
      {
        id: "c1",
        date: "2021-01-01T00:00:00Z",
        files: {
          "exe": { content: "#!/bin/sh\n", executable: true },
          "ln": { symlink: "exe" },
          "sub/mod": { gitlink: "ffffffffffffffffffffffffffffffffffffffff" },
          "a-b": "sorts before a/ in git order\n",
          "a/b": "inside\n",
          "a.b": "dot\n",
          "quote\"d": "quoted path\n",
          "back\\slash": "backslash\n",
          "new\nline": "newline\n",
          "tab\there": "tab\n",
          "bell\u0007": "control character\n",
          "ü/ñ.txt": "unicode\n",
          "bytes.bin": new Uint8Array([0, 255, 10, 13]),
        },
      },
    ],
  },
  { root: "example.com/no-commits", commits: [] },
];

const specs = [...fixtures.map((f) => f.repo), ...extra];
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gomodproxy-git-repo-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("writeRepo(spec) matches buildRepo(spec)", () => {
  it.concurrent.for(specs)("$root", async (spec, { expect }) => {
    const path = join(dir, "each", `${spec.root}.git`);
    await writeRepo(spec, path);
    const built = await buildRepo(spec);

    const gitRefs = new Map<string, string>();
    const shown = await git(path, ["for-each-ref", "--format=%(objectname) %(refname)"]);
    for (const line of shown.split("\n").filter(Boolean)) {
      const [oid, name] = line.split(" ");
      gitRefs.set(name, oid);
    }
    const memoryRefs = new Map([...built.refMap].map(([name, ref]) => [name, ref.oid]));
    expect(Object.fromEntries(gitRefs)).toEqual(Object.fromEntries(memoryRefs));
    for (const [name, ref] of built.refMap) {
      if (ref.peeled) expect(`${name} ${(await git(path, ["rev-parse", `${name}^{commit}`])).trim()}`).toBe(`${name} ${ref.peeled}`);
    }

    const objects = await git(path, ["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"]);
    const gitObjects = objects.split("\n").filter(Boolean).sort();
    const memoryObjects = [...built.objects].map(([oid, o]) => `${oid} ${o.type}`).sort();
    expect(gitObjects).toEqual(memoryObjects);

    const head = (await git(path, ["symbolic-ref", "HEAD"])).trim();
    if (built.head) expect(head).toBe(built.head);
    else expect(built.refMap.has(head)).toBe(false);

    const fsck = await git(path, ["fsck", "--strict", "--no-dangling", "--no-progress"]);
    expect(fsck).toBe("");
  });
});

describe("writeRepos(specs, root)", () => {
  it("lays repositories out as <root>/<module root>.git", async () => {
    const root = join(dir, "layout");
    await writeRepos(specs.slice(0, 3), root);
    for (const spec of specs.slice(0, 3)) {
      const path = repoDir(root, spec.root);
      expect(path).toBe(join(root, `${spec.root}.git`));
      expect((await stat(join(path, "HEAD"))).isFile()).toBe(true);
    }
  });
});
