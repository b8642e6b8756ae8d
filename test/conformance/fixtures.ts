/**
 * Conformance fixtures: repositories written as text, and the queries the
 * differential suite (`direct.test.ts`) runs against each of them.
 *
 * Every fixture is one `MemoryRepo` (the fixture language of
 * `src/sources/memory.ts`) plus, per module path, the `go mod download`
 * queries to compare and whether to compare `go list -m -versions`. The
 * go command in direct mode is the judge; `want` only documents what a
 * query is there to exercise (checked against direct mode, so a fixture that
 * stops exercising its rule fails loudly instead of silently passing).
 *
 * Query and `want` strings are templates over the fixture's commit ids:
 * - `{c3}`          pseudo-version tail of commit c3: `yyyymmddhhmmss-abcdefabcdef`
 * - `{c3.time}`     its committer time in UTC, `yyyymmddhhmmss`
 * - `{c3.hash}`     its full object id; `{c3.hash:7}` the first 7 digits
 * - `{c3.HASH:12}`  the same in upper case
 * `want` is a version, or `!info` / `!mod` / `!zip` for the stage that fails.
 *
 * Rules from the issue each fixture covers are named in its `about`.
 */

import type { MemoryRepo } from "../../src/sources/memory.ts";

/** QueryCase is one `go mod download -json <path>@<query>`. */
export interface QueryCase {
  query: string;
  /** want documents the intended direct-mode outcome (see the file comment). */
  want?: string;
  /** skip names a reason the proxy side cannot be compared (a go command limit, not gomodproxy's). */
  skip?: string;
}

export interface ModuleCase {
  path: string;
  queries: (string | QueryCase)[];
  /** list compares `go list -m -versions` with and without `-retracted`. */
  list?: boolean;
}

export interface Fixture {
  name: string;
  about: string;
  repo: MemoryRepo;
  modules: ModuleCase[];
}

/** HOST serves most fixtures; VANITY and gopkg.in serve the rest. */
export const HOST = "git.gomodproxy.test";
export const VANITY = "vanity.gomodproxy.test";
export const GOPKG = "gopkg.in";
/** HOSTS are the names the suite maps to 127.0.0.1. */
export const HOSTS = [HOST, VANITY, GOPKG];

const H = HOST;
const mod = (path: string, rest = "") => `module ${path}\n${rest}`;
const q = (query: string, want?: string, skip?: string): QueryCase => ({ query, want, skip });

/** UNICODE_13 is the skip reason for names whose letters are newer than Go 1.19's Unicode tables. */
const UNICODE_13 = "Go 1.19 uses Unicode 13; gomodproxy follows current Go's Unicode tables for file names";
const MIT = "MIT License\n\nCopyright (c) gomodproxy tests\n";

export const fixtures: Fixture[] = [
  {
    name: "basic",
    about: "releases, lightweight and annotated tags (tag date ignored), author vs committer date, " +
      "offsets → UTC, @latest prefers a release over a higher pre-release, branches, HEAD, full and " +
      "short hashes, a commit carrying a tag answers the tag, version queries, consistent and " +
      "inconsistent pseudo-versions, unknown module paths",
    repo: {
      root: `${H}/basic`,
      commits: [
        { id: "c1", date: "2019-03-01T10:00:00Z", files: { "go.mod": mod(`${H}/basic`, "\ngo 1.12\n"), "hello.go": "package hello\n", LICENSE: MIT } },
        { id: "c2", date: "2019-06-15T12:30:00+02:00", authorDate: "2019-06-01T00:00:00Z", files: { "hello.go": "package hello\n\n// Hello says hello.\nfunc Hello() string { return \"hello\" }\n" } },
        { id: "c3", date: "2019-09-01T08:00:00-07:00", files: { "pkg/util/util.go": "package util\n" } },
        { id: "c4", parents: ["c3"], date: "2020-01-10T00:00:00Z", files: { "dev.go": "package hello\n" } },
        { id: "c5", parents: ["c3"], date: "2020-02-02T02:02:02Z", files: { "next.go": "package hello\n" } },
      ],
      tags: {
        "v1.0.0": "c1",
        "v1.0.1": { commit: "c2", message: "v1.0.1\n", date: "2023-12-31T23:59:59Z" },
        "v1.1.0": { commit: "c3", message: "release v1.1.0\n" },
        "v1.2.0-rc.1": "c5",
      },
      branches: { main: "c5", dev: "c4" },
    },
    modules: [
      {
        path: `${H}/basic`,
        list: true,
        queries: [
          q("v1.0.0", "v1.0.0"),
          q("v1.0.1", "v1.0.1"),
          q("v1.1.0", "v1.1.0"),
          q("v1.2.0-rc.1", "v1.2.0-rc.1"),
          q("latest", "v1.1.0"),
          q("main", "v1.2.0-rc.1"),
          q("HEAD", "v1.2.0-rc.1"),
          q("dev", "v1.1.1-0.{c4}"),
          q("{c4.hash}", "v1.1.1-0.{c4}"),
          q("{c4.hash:7}", "v1.1.1-0.{c4}"),
          q("{c4.hash:12}", "v1.1.1-0.{c4}"),
          q("{c2.hash}", "v1.0.1"),
          q("{c1.hash:8}", "v1.0.0"),
          q("v1", "v1.1.0"),
          q("v1.0", "v1.0.1"),
          q("<v1.1.0", "v1.0.1"),
          q(">v1.1.0", "v1.2.0-rc.1"),
          q("v1.1.1-0.{c4}", "v1.1.1-0.{c4}"),
          q("v1.0.2-0.{c4}", "v1.0.2-0.{c4}"),
          q("v0.0.0-{c4}", "v0.0.0-{c4}"),
          q("v1.2.0-rc.1.0.{c4}", "!info"),
          q("v1.9.0", "!info"),
          q("v2.0.0", "!info"),
          q("nope", "!info"),
        ],
      },
      { path: `${H}/basic/pkg/util`, queries: [q("latest", "!info")] },
      { path: `${H}/nonexistent`, list: true, queries: [q("latest", "!info"), q("v1.0.0", "!info")] },
    ],
  },
  {
    name: "tag-syntax",
    about: "only canonical tags are versions: v1.4, V1.6.0, 1.7.0, v01.8.0, v1.0.1-01, v1.2.3- " +
      "ignored; build metadata v1.5.0+meta is a pseudo-version base only, also beside a canonical " +
      "v1.3.0 elsewhere; a tag that looks like a pseudo-version is ignored; a tag spelled " +
      "v2.0.0+incompatible is never used",
    repo: {
      root: `${H}/tagsyntax`,
      commits: [
        { id: "c1", date: "2019-04-01T00:00:00Z", files: { "go.mod": mod(`${H}/tagsyntax`), "a.go": "package a\n" } },
        { id: "c2", date: "2019-04-02T00:00:00Z", files: { "b.go": "package a\n" } },
        { id: "c3", date: "2019-04-03T00:00:00Z", files: { "c.go": "package a\n" } },
        { id: "c4", date: "2019-04-04T00:00:00Z", files: { "d.go": "package a\n" } },
        { id: "c5", date: "2019-04-05T00:00:00Z", files: { "e.go": "package a\n" } },
        { id: "c6", date: "2019-04-06T00:00:00Z", files: { "f.go": "package a\n" } },
        { id: "c7", date: "2019-04-07T00:00:00Z", files: { "g.go": "package a\n" } },
        { id: "c8", date: "2019-04-08T00:00:00Z", files: { "h.go": "package a\n" } },
        { id: "c9", date: "2019-04-09T00:00:00Z", files: { "i.go": "package a\n" } },
        { id: "c10", date: "2019-04-10T00:00:00Z", files: { "j.go": "package a\n" } },
      ],
      tags: {
        "v1.2.3": "c1",
        "v1.4": "c2",
        "V1.6.0": "c3",
        "1.7.0": "c4",
        "v01.8.0": "c5",
        "v1.5.0+meta": { commit: "c6", message: "with build metadata\n" },
        "v1.9.9-0.20190101000000-000000000000": "c7",
        "v2.0.0+incompatible": "c8",
        "v1.3.0": "c9",
        "v1.3.0+build": "c10",
        "v1.0.1-01": "c10",
        "v1.2.3-": "c10",
      },
      branches: { main: "c8", extra: "c10" },
    },
    modules: [
      {
        path: `${H}/tagsyntax`,
        list: true,
        queries: [
          q("latest", "v1.3.0"),
          q("v1.4", "!info"),
          q("V1.6.0", "v1.2.4-0.{c3}"),
          q("1.7.0", "v1.2.4-0.{c4}"),
          q("v01.8.0", "v1.2.4-0.{c5}"),
          "v1.5.0+meta",
          q("v1.5.0", "!info"),
          q("{c6.hash}", "v1.5.1-0.{c6}"),
          q("{c7.hash}", "v1.5.1-0.{c7}"),
          q("main", "v1.5.1-0.{c8}"),
          q("v1.9.9-0.20190101000000-000000000000", "!info"),
          q("v2.0.0+incompatible", "!info"),
          q("v1.5.1-0.{c6}", "v1.5.1-0.{c6}"),
          "v1.3.0+build",
          q("{c10.hash}", "v1.5.1-0.{c10}"),
          "v1.0.1-01",
        ],
      },
    ],
  },
  {
    name: "subdir",
    about: "modules in subdirectories with prefixed tags (sub/a/v1.0.0), root module zip leaves out " +
      "nested modules (go.mod in any case; a symlinked go.mod does not count), repo-root LICENSE " +
      "added to a subdirectory module without its own (not when its own LICENSE is a symlink), " +
      ".hg_archival.txt at a subdirectory module's root, a tag whose commit lacks the directory, " +
      "pseudo-versions per tag prefix",
    repo: {
      root: `${H}/mono`,
      commits: [
        {
          id: "c1",
          date: "2020-03-01T09:00:00Z",
          files: {
            "go.mod": mod(`${H}/mono`, "\ngo 1.14\n"),
            "mono.go": "package mono\n",
            LICENSE: "root license\n",
            "sub/a/go.mod": mod(`${H}/mono/sub/a`),
            "sub/a/a.go": "package a\n",
            "sub/b/go.mod": mod(`${H}/mono/sub/b`),
            "sub/b/b.go": "package b\n",
            "sub/b/LICENSE": "b license\n",
            "sub/shared.go": "package sub\n",
            "nested/Go.Mod": mod(`${H}/mono/nested`),
            "nested/n.go": "package nested\n",
            "tools/go.mod": { symlink: "../go.mod" },
            "tools/tool.go": "package tools\n",
            "sub/a/.hg_archival.txt": "dropped at a module root\n",
            "sub/d/go.mod": mod(`${H}/mono/sub/d`),
            "sub/d/d.go": "package d\n",
            "sub/d/LICENSE": { symlink: "../../LICENSE" },
          },
        },
        { id: "c2", date: "2020-04-01T09:00:00Z", files: { "sub/a/a.go": "package a\n\nconst V = 2\n" } },
        { id: "c3", date: "2020-05-01T09:00:00+09:00", files: { "sub/a/more.go": "package a\n", "sub/b/b.go": "package b\n\nconst B = 1\n" } },
      ],
      tags: { "v1.0.0": "c1", "sub/a/v1.0.0": "c1", "sub/a/v1.1.0": { commit: "c2", message: "a v1.1.0\n" }, "sub/c/v1.0.0": "c1" },
    },
    modules: [
      { path: `${H}/mono`, list: true, queries: [q("v1.0.0", "v1.0.0"), q("latest", "v1.0.0"), q("main", "v1.0.1-0.{c3}")] },
      {
        path: `${H}/mono/sub/a`,
        list: true,
        queries: [
          q("v1.0.0", "v1.0.0"), q("v1.1.0", "v1.1.0"), q("latest", "v1.1.0"), q("main", "v1.1.1-0.{c3}"),
          q("{c1.hash}", "v1.0.0"), q("v1.0.1-0.{c3}", "v1.0.1-0.{c3}"), q("v1.0.0-{c3}", "!info"),
        ],
      },
      { path: `${H}/mono/sub/b`, list: true, queries: [q("latest", "v0.0.0-{c3}"), q("v0.0.0-{c2}", "v0.0.0-{c2}")] },
      { path: `${H}/mono/sub/c`, list: true, queries: [q("v1.0.0", "!info")] },
      { path: `${H}/mono/sub/d`, queries: [q("latest", "v0.0.0-{c3}")] },
      { path: `${H}/mono/sub`, queries: [q("latest", "!info")] },
      { path: `${H}/mono/nested`, queries: [q("latest", "!info")] },
      { path: `${H}/mono/tools`, queries: [q("latest", "!info")] },
    ],
  },
  {
    name: "subdir-major",
    about: "major versions inside a subdirectory module: lib/v2 directory (tags lib/v2.x.y) and a " +
      "major branch for lib/v3; root LICENSE that is a symlink is added as its target text; a root " +
      "without go.mod is a v0 module whose zip leaves out lib/",
    repo: {
      root: `${H}/mono2`,
      commits: [
        {
          id: "c1",
          date: "2021-01-05T00:00:00Z",
          files: {
            "lib/go.mod": mod(`${H}/mono2/lib`),
            "lib/lib.go": "package lib\n",
            LICENSE: { symlink: "COPYING" },
            COPYING: "copying\n",
            "root.go": "package mono2\n",
          },
        },
        { id: "c2", date: "2021-02-05T00:00:00Z", files: { "lib/v2/go.mod": mod(`${H}/mono2/lib/v2`), "lib/v2/lib.go": "package lib\n" } },
        { id: "c3", date: "2021-03-05T00:00:00Z", files: { "lib/go.mod": mod(`${H}/mono2/lib/v3`), "lib/v2/go.mod": null, "lib/v2/lib.go": null } },
      ],
      tags: { "lib/v1.0.0": "c1", "lib/v1.1.0": "c2", "lib/v2.0.0": "c2", "lib/v2/v2.0.1": "c2", "lib/v3.0.0": "c3" },
      branches: { main: "c2", v3: "c3" },
    },
    modules: [
      { path: `${H}/mono2/lib`, list: true, queries: [q("v1.0.0", "v1.0.0"), q("v1.1.0", "v1.1.0"), q("latest", "v1.1.0"), q("v2.0.0", "!info")] },
      { path: `${H}/mono2/lib/v2`, list: true, queries: [q("v2.0.0", "v2.0.0"), q("latest", "v2.0.0"), q("v1.0.0", "!info"), q("v2.0.1", "!info")] },
      { path: `${H}/mono2/lib/v3`, list: true, queries: [q("v3.0.0", "v3.0.0"), q("latest", "v3.0.0"), q("v3", "v3.0.0"), q("main", "!info")] },
      { path: `${H}/mono2`, list: true, queries: [q("latest", "v0.0.0-{c2}"), q("v3", "!info")] },
    ],
  },
  {
    name: "major-subdir",
    about: "/vN from a major subdirectory (v2/go.mod), v1 zip leaves out v2/, root LICENSE added to " +
      "v2, +incompatible refused when the root has go.mod, go.mod and vN/go.mod both claiming /vN",
    repo: {
      root: `${H}/majorsub`,
      commits: [
        { id: "c1", date: "2019-02-01T00:00:00Z", files: { "go.mod": mod(`${H}/majorsub`), "a.go": "package a\n", LICENSE: MIT } },
        { id: "c2", date: "2019-08-01T00:00:00Z", files: { "v2/go.mod": mod(`${H}/majorsub/v2`), "v2/a.go": "package a\n" } },
        { id: "c3", date: "2019-12-01T00:00:00Z", files: { "v2/b.go": "package a\n" } },
        { id: "c4", date: "2020-01-01T00:00:00Z", files: { "v3/go.mod": mod(`${H}/majorsub/v3`), "v3/a.go": "package a\n" } },
        { id: "c5", date: "2020-02-01T00:00:00Z", files: { "go.mod": mod(`${H}/majorsub/v4`), "v4/go.mod": mod(`${H}/majorsub/v4`) } },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2", "v2.0.0": "c2", "v2.1.0": "c3", "v3.0.0": "c4", "v4.0.0": "c5" },
    },
    modules: [
      {
        path: `${H}/majorsub`,
        list: true,
        queries: [q("v1.0.0", "v1.0.0"), q("v1.1.0", "v1.1.0"), q("latest", "v1.1.0"), q("v2.0.0", "!info"), q("v2.0.0+incompatible", "!info"), q("main", "!info")],
      },
      {
        path: `${H}/majorsub/v2`,
        list: true,
        queries: [
          q("v2.0.0", "v2.0.0"), q("v2.1.0", "v2.1.0"), q("latest", "v2.1.0"), q("{c3.hash}", "v2.1.0"),
          q("{c4.hash}", "v2.1.1-0.{c4}"), q("v2.0.0+incompatible", "!info"), q("v1.0.0", "!info"), q("v2.0.0-{c4}", "v2.0.0-{c4}"),
        ],
      },
      { path: `${H}/majorsub/v3`, list: true, queries: [q("v3.0.0", "v3.0.0")] },
      { path: `${H}/majorsub/v4`, list: true, queries: [q("v4.0.0", "!info"), q("latest", "!info")] },
    ],
  },
  {
    name: "major-branch",
    about: "/vN from a major branch (root go.mod declaring /v2), the v1 line on its own branch, " +
      "pre-releases, pseudo-versions with and without base for /v2",
    repo: {
      root: `${H}/majorbranch`,
      commits: [
        { id: "c1", date: "2019-04-01T00:00:00Z", files: { "go.mod": mod(`${H}/majorbranch`), "m.go": "package m\n" } },
        { id: "c2", date: "2019-05-01T00:00:00Z", files: { "m.go": "package m\n\nconst X = 1\n" } },
        { id: "c3", date: "2019-07-01T00:00:00Z", files: { "go.mod": mod(`${H}/majorbranch/v2`) } },
        { id: "c4", date: "2019-09-01T00:00:00Z", files: { "v2.go": "package m\n" } },
        { id: "c5", date: "2019-10-01T00:00:00Z", files: { "v2more.go": "package m\n" } },
      ],
      tags: { "v1.0.0": "c1", "v1.0.1": "c2", "v2.0.0-beta.1": "c3", "v2.0.0": { commit: "c4", message: "v2\n" } },
      branches: { main: "c5", "release-v1": "c2" },
    },
    modules: [
      {
        path: `${H}/majorbranch`,
        list: true,
        queries: [
          q("latest", "v1.0.1"), q("release-v1", "v1.0.1"), q("main", "!info"), q("v2.0.0", "!info"),
          q("v2.0.0+incompatible", "!info"), q("v0.0.0-{c2}", "v0.0.0-{c2}"), q("v1.0.0-{c2}", "!info"),
        ],
      },
      {
        path: `${H}/majorbranch/v2`,
        list: true,
        queries: [
          q("v2.0.0", "v2.0.0"), q("v2.0.0-beta.1", "v2.0.0-beta.1"), q("latest", "v2.0.0"), q("main", "v2.0.1-0.{c5}"),
          q("release-v1", "!info"), q("v2.0.0-{c5}", "v2.0.0-{c5}"), q("v1.0.1", "!info"),
        ],
      },
    ],
  },
  {
    name: "incompatible",
    about: "+incompatible for v2+ tags without go.mod (releases and pre-releases), latest picks the " +
      "+incompatible release, synthesized go.mod, +incompatible pseudo-versions, /v2 path listing " +
      "tags it cannot serve",
    repo: {
      root: `${H}/incompat`,
      commits: [
        { id: "c1", date: "2019-01-10T00:00:00Z", files: { "a.go": "package a\n" } },
        { id: "c2", date: "2019-03-10T00:00:00Z", files: { "b.go": "package a\n" } },
        { id: "c3", date: "2019-06-10T00:00:00Z", files: { "c.go": "package a\n" } },
        { id: "c4", date: "2019-09-10T00:00:00Z", files: { "d.go": "package a\n" } },
        { id: "c5", date: "2019-12-10T00:00:00Z", files: { "e.go": "package a\n" } },
      ],
      tags: { "v1.0.0": "c1", "v2.0.0": "c2", "v2.1.0": { commit: "c3", message: "v2.1.0\n" }, "v3.0.0-rc.1": "c4" },
    },
    modules: [
      {
        path: `${H}/incompat`,
        list: true,
        queries: [
          q("latest", "v2.1.0+incompatible"), q("v1.0.0", "v1.0.0"), q("v2.0.0+incompatible", "v2.0.0+incompatible"),
          q("v2.1.0+incompatible", "v2.1.0+incompatible"), q("v2.0.0", "v2.0.0+incompatible"), q("v3.0.0-rc.1+incompatible", "v3.0.0-rc.1+incompatible"),
          q("main", "v3.0.0-rc.1.0.{c5}+incompatible"), q("{c3.hash}", "v2.1.0+incompatible"), q("v2", "v2.1.0+incompatible"),
          q("v4.0.0+incompatible", "!info"), q("v1.0.0+incompatible", "!info"),
          q("v2.1.1-0.{c5}+incompatible", "v2.1.1-0.{c5}+incompatible"), q("v0.0.0-{c5}", "v0.0.0-{c5}"),
          q("v3.0.0-rc.1.0.{c5}", "v3.0.0-rc.1.0.{c5}+incompatible"), q("v2.0.0-{c5}+incompatible", "v2.0.0-{c5}+incompatible"),
        ],
      },
      { path: `${H}/incompat/v2`, list: true, queries: [q("v2.0.0", "!info"), q("latest", "!info")] },
    ],
  },
  {
    name: "incompatible-hidden",
    about: "+incompatible hidden from the list when the highest compatible release has go.mod, still " +
      "downloadable when asked for; a commit with two tags answers the higher",
    repo: {
      root: `${H}/incompathidden`,
      commits: [
        { id: "c1", date: "2019-02-02T00:00:00Z", files: { "a.go": "package a\n" } },
        { id: "c2", date: "2019-04-02T00:00:00Z", files: { "b.go": "package a\n" } },
        { id: "c3", date: "2019-06-02T00:00:00Z", files: { "go.mod": mod(`${H}/incompathidden`) } },
      ],
      tags: { "v1.0.0": "c1", "v2.0.0": "c2", "v2.0.1": "c2", "v1.1.0": "c3" },
    },
    modules: [
      {
        path: `${H}/incompathidden`,
        list: true,
        queries: [
          q("latest", "v1.1.0"), q("v2.0.0+incompatible", "v2.0.0+incompatible"), q("v2.0.1+incompatible", "v2.0.1+incompatible"),
          q("{c2.hash}", "v2.0.1+incompatible"), q("v2.0.0", "v2.0.0+incompatible"),
          q("v2", "v2.0.1+incompatible", "cmd/go's codeRepo.Versions(\"v2\") skips the go.mod check when the prefix leaves no " +
            "compatible version, so direct mode finds v2.0.1+incompatible; through a proxy the client filters " +
            "the one @v/list, which must hide +incompatible for go list -m -versions"),
        ],
      },
    ],
  },
  {
    name: "incompatible-prerelease",
    about: "+incompatible hidden when the highest compatible version is a pre-release with go.mod",
    repo: {
      root: `${H}/incompatpre`,
      commits: [
        { id: "c1", date: "2020-01-01T00:00:00Z", files: { "a.go": "package a\n" } },
        { id: "c2", date: "2020-02-01T00:00:00Z", files: { "b.go": "package a\n" } },
        { id: "c3", date: "2020-03-01T00:00:00Z", files: { "go.mod": mod(`${H}/incompatpre`) } },
      ],
      tags: { "v1.0.0": "c1", "v2.0.0": "c2", "v1.1.0-beta.1": "c3" },
    },
    modules: [
      {
        path: `${H}/incompatpre`,
        list: true,
        queries: [q("latest", "v1.0.0"), q("v2.0.0+incompatible", "v2.0.0+incompatible"), q("main", "v1.1.0-beta.1"), q(">v1.0.0", "v1.1.0-beta.1")],
      },
    ],
  },
  {
    name: "incompatible-per-major",
    about: "a major whose highest tag has go.mod loses all its +incompatible versions, another major " +
      "keeps them; a root go.mod at the revision refuses +incompatible and pseudo-version bases",
    repo: {
      root: `${H}/incompatmajor`,
      commits: [
        { id: "c1", date: "2021-01-01T00:00:00Z", files: { "a.go": "package a\n" } },
        { id: "c2", date: "2021-02-01T00:00:00Z", files: { "b.go": "package a\n" } },
        { id: "c3", date: "2021-03-01T00:00:00Z", files: { "go.mod": mod(`${H}/incompatmajor`) } },
        { id: "c4", date: "2021-04-01T00:00:00Z", files: { "go.mod": null } },
      ],
      tags: { "v1.0.0": "c1", "v2.0.0": "c2", "v2.1.0": "c3", "v3.0.0": "c4" },
    },
    modules: [
      {
        path: `${H}/incompatmajor`,
        list: true,
        queries: [
          q("latest", "v3.0.0+incompatible"), q("v2.0.0+incompatible", "v2.0.0+incompatible"), q("v2.1.0+incompatible", "!info"),
          q("v3.0.0+incompatible", "v3.0.0+incompatible"), q("{c3.hash}", "v1.0.1-0.{c3}"), q("v2.1.0", "!info"),
        ],
      },
    ],
  },
  {
    name: "gopkg-yaml",
    about: "gopkg.in/yaml.v2: .vN accepts only v2 tags, root without go.mod synthesizes " +
      "`module gopkg.in/yaml.v2`, wrong-major tags ignored as pseudo-version bases",
    repo: {
      root: `${GOPKG}/yaml.v2`,
      commits: [
        { id: "c1", date: "2019-01-15T00:00:00Z", files: { "yaml.go": "package yaml\n", LICENSE: MIT } },
        { id: "c2", date: "2019-05-15T00:00:00Z", files: { "go.mod": mod(`${GOPKG}/yaml.v2`, "\ngo 1.12\n") } },
        { id: "c3", date: "2019-09-15T00:00:00Z", files: { "decode.go": "package yaml\n" } },
        { id: "c4", date: "2020-01-15T00:00:00Z", files: { "encode.go": "package yaml\n" } },
      ],
      tags: { "v1.5.0": "c1", "v2.0.0": "c1", "v2.1.0": "c2", "v2.2.0-beta": "c3", "v3.0.0": "c4" },
      branches: { "v2": "c4" },
    },
    modules: [
      {
        path: `${GOPKG}/yaml.v2`,
        list: true,
        queries: [
          q("v2.0.0", "v2.0.0"), q("v2.1.0", "v2.1.0"), q("latest", "v2.1.0"), q("{c4.hash}", "v2.2.0-beta.0.{c4}"),
          q("v1.5.0", "!info"), q("v3.0.0", "!info"), q("v2.1.1-0.{c4}", "v2.1.1-0.{c4}"), q("v0.0.0-{c4}", "!info"),
        ],
      },
    ],
  },
  {
    name: "gopkg-user",
    about: "gopkg.in/user/pkg.v1: two-element gopkg.in path, .v1 and its v0.0.0 pseudo-version quirk",
    repo: {
      root: `${GOPKG}/user/pkg.v1`,
      commits: [
        { id: "c1", date: "2019-07-07T07:07:07Z", files: { "go.mod": mod(`${GOPKG}/user/pkg.v1`), "pkg.go": "package pkg\n" } },
        { id: "c2", date: "2019-08-07T07:07:07Z", files: { "more.go": "package pkg\n" } },
        { id: "c3", date: "2019-09-07T07:07:07Z", files: { "last.go": "package pkg\n" } },
      ],
      tags: { "v0.9.0": "c1", "v1.0.0": "c1", "v1.1.0": "c2" },
    },
    modules: [
      {
        path: `${GOPKG}/user/pkg.v1`,
        list: true,
        queries: [q("v1.0.0", "v1.0.0"), q("latest", "v1.1.0"), q("main", "v1.1.1-0.{c3}"), "v0.0.0-{c3}", q("v0.9.0", "!info")],
      },
    ],
  },
  {
    name: "gopkg-unstable",
    about: "gopkg.in/…v2-unstable lists no versions at all",
    repo: {
      root: `${GOPKG}/user/pkg.v2-unstable`,
      commits: [
        { id: "c1", date: "2020-08-08T08:08:08Z", files: { "go.mod": mod(`${GOPKG}/user/pkg.v2-unstable`), "pkg.go": "package pkg\n" } },
        { id: "c2", date: "2020-09-08T08:08:08Z", files: { "more.go": "package pkg\n" } },
      ],
      tags: { "v2.0.0": "c1" },
    },
    modules: [{ path: `${GOPKG}/user/pkg.v2-unstable`, list: true, queries: ["latest", "v2.0.0", "main"] }],
  },
  {
    name: "pseudo-forms",
    about: "the three pseudo-version forms, committer time in UTC across offsets and midnight, " +
      "requested pseudo-versions: any consistent one accepted; wrong time, hash length, unknown " +
      "hash, base not an ancestor, missing base, v1 without base, negative patch, base on the " +
      "revision itself, +incompatible with go.mod, upper-case hash, build metadata, wrong major",
    repo: {
      root: `${H}/pseudo`,
      commits: [
        { id: "c1", date: "2019-11-11T11:11:11Z", files: { "go.mod": mod(`${H}/pseudo`), "p.go": "package p\n" } },
        { id: "c2", date: "2020-01-01T00:00:00Z", files: { "q.go": "package p\n" } },
        { id: "c3", date: "2020-02-02T20:20:20+05:30", files: { "r.go": "package p\n" } },
        { id: "c4", date: "2020-03-03T03:03:03Z", files: { "s.go": "package p\n" } },
        { id: "c5", date: "2020-04-04T23:59:59-08:00", files: { "t.go": "package p\n" } },
        { id: "c6", parents: ["c2"], date: "2020-05-05T05:05:05Z", files: { "side.go": "package p\n" } },
      ],
      tags: { "v1.2.3": "c2", "v1.3.0-rc.1": "c4" },
      branches: { main: "c5", side: "c6" },
    },
    modules: [
      {
        path: `${H}/pseudo`,
        list: true,
        queries: [
          q("{c1.hash}", "v0.0.0-{c1}"),
          q("{c3.hash}", "v1.2.4-0.{c3}"),
          q("{c5.hash}", "v1.3.0-rc.1.0.{c5}"),
          q("main", "v1.3.0-rc.1.0.{c5}"),
          q("side", "v1.2.4-0.{c6}"),
          q("latest", "v1.2.3"),
          q("v0.0.0-{c1}", "v0.0.0-{c1}"),
          q("v1.2.4-0.{c3}", "v1.2.4-0.{c3}"),
          q("v1.3.0-rc.1.0.{c5}", "v1.3.0-rc.1.0.{c5}"),
          q("v1.2.4-0.{c5}", "v1.2.4-0.{c5}"),
          q("v0.0.0-{c5}", "v0.0.0-{c5}"),
          q("v1.2.4-0.{c6}", "v1.2.4-0.{c6}"),
          q("v1.2.4-0.20200202202020-{c3.hash:12}", "!info"),
          q("v1.2.4-0.{c3.time}-{c3.hash:13}", "!info"),
          q("v1.2.4-0.{c3.time}-{c3.hash:11}", "!info"),
          q("v1.2.4-0.{c3.time}-{c3.hash:7}", "!info"),
          q("v1.2.4-0.{c3.time}-0123456789ab", "!info"),
          q("v1.2.4-0.{c3.time}-{c3.HASH:12}", "!info"),
          q("v1.3.0-rc.1.0.{c6}", "!info"),
          q("v1.2.6-0.{c5}", "!info"),
          q("v1.0.0-{c3}", "!info"),
          q("v1.0.0-0.{c3}", "!info"),
          q("v1.2.4-0.{c2}", "!info"),
          q("v1.2.4-0.{c3}+incompatible", "!info"),
          q("v2.0.0-{c3}", "!info"),
          "v1.2.4-0.{c3}+build.1",
        ],
      },
    ],
  },
  {
    name: "pseudo-retracted-base",
    about: "pseudo-version base skips retracted versions and invalid tags; a commit whose only tag is " +
      "retracted answers a pseudo-version; retracted versions stay downloadable",
    repo: {
      root: `${H}/retractbase`,
      commits: [
        { id: "c1", date: "2020-06-01T00:00:00Z", files: { "go.mod": mod(`${H}/retractbase`, "\ngo 1.16\n") } },
        { id: "c2", date: "2020-07-01T00:00:00Z", files: { "a.go": "package a\n" } },
        { id: "c3", date: "2020-08-01T00:00:00Z", files: { "go.mod": mod(`${H}/retractbase`, "\ngo 1.16\n\nretract (\n\tv1.2.0 // oops\n\tv1.1.0\n)\n") } },
        { id: "c4", date: "2020-09-01T00:00:00Z", files: { "b.go": "package a\n" } },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2", "v1.2.0": "c3", "v1.3": "c4" },
    },
    modules: [
      {
        path: `${H}/retractbase`,
        list: true,
        queries: [
          q("latest", "v1.0.0"), q("main", "v1.0.1-0.{c4}"), q("{c3.hash}", "v1.0.1-0.{c3}"), q("{c2.hash}", "v1.0.1-0.{c2}"),
          q("v1.1.0", "v1.1.0"), q("v1.2.0", "v1.2.0"), q("v1.2.1-0.{c4}", "v1.2.1-0.{c4}"), q("v1", "v1.0.0"),
        ],
      },
    ],
  },
  {
    name: "retract-intervals",
    about: "retract intervals and self-retraction read from the highest release; @latest and list " +
      "skip retracted versions, -retracted shows them",
    repo: {
      root: `${H}/retract`,
      commits: [
        { id: "c1", date: "2021-05-01T00:00:00Z", files: { "go.mod": mod(`${H}/retract`, "\ngo 1.16\n") } },
        { id: "c2", date: "2021-06-01T00:00:00Z", files: { "a.go": "package a\n" } },
        { id: "c3", date: "2021-07-01T00:00:00Z", files: { "b.go": "package a\n" } },
        { id: "c4", date: "2021-08-01T00:00:00Z", files: { "go.mod": mod(`${H}/retract`, "\ngo 1.16\n\nretract [v1.1.0, v1.2.0] // bad range\nretract v1.3.0 // self\nretract v1.9.0\n") } },
        { id: "c5", date: "2021-09-01T00:00:00Z", files: { "c.go": "package a\n" } },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2", "v1.2.0": "c3", "v1.3.0": "c4", "v1.4.0-pre": "c5" },
    },
    modules: [
      {
        path: `${H}/retract`,
        list: true,
        queries: [
          q("latest", "v1.0.0"), q("v1.2.0", "v1.2.0"), q("v1.3.0", "v1.3.0"), q("{c3.hash}", "v1.0.1-0.{c3}"), q("main", "v1.4.0-pre"),
          q("v1", "v1.0.0"), q(">v1.0.0", "v1.4.0-pre"), q("v1.2", "!info"),
        ],
      },
    ],
  },
  {
    name: "retract-all",
    about: "every release retracted: @latest falls back to the default branch head",
    repo: {
      root: `${H}/retractall`,
      commits: [
        { id: "c1", date: "2022-01-01T00:00:00Z", files: { "go.mod": mod(`${H}/retractall`, "\ngo 1.17\n") } },
        { id: "c2", date: "2022-02-01T00:00:00Z", files: { "go.mod": mod(`${H}/retractall`, "\ngo 1.17\n\nretract [v1.0.0, v1.1.0]\n") } },
        { id: "c3", date: "2022-03-01T00:00:00Z", files: { "a.go": "package a\n" } },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2" },
    },
    modules: [{ path: `${H}/retractall`, list: true, queries: ["latest", q("main", "v0.0.0-{c3}"), q("v1.1.0", "v1.1.0")] }],
  },
  {
    name: "prerelease-only",
    about: "@latest is the highest pre-release when there is no release (beta.10 > beta.2)",
    repo: {
      root: `${H}/prerelease`,
      commits: [
        { id: "c1", date: "2023-01-01T00:00:00Z", files: { "go.mod": mod(`${H}/prerelease`) } },
        { id: "c2", date: "2023-02-01T00:00:00Z", files: { "a.go": "package a\n" } },
        { id: "c3", date: "2023-03-01T00:00:00Z", files: { "b.go": "package a\n" } },
        { id: "c4", date: "2023-04-01T00:00:00Z", files: { "c.go": "package a\n" } },
      ],
      tags: { "v0.1.0-alpha": "c1", "v0.2.0-beta.2": "c2", "v0.2.0-beta.10": "c3" },
    },
    modules: [
      {
        path: `${H}/prerelease`,
        list: true,
        queries: [q("latest", "v0.2.0-beta.10"), q("main", "v0.2.0-beta.10.0.{c4}"), q("v0.2.0-beta.2", "v0.2.0-beta.2"), q("v0.2", "!info")],
      },
    ],
  },
  {
    name: "no-tags",
    about: "no tags: @latest is the pseudo-version of the default branch (HEAD → trunk, not main)",
    repo: {
      root: `${H}/notags`,
      commits: [
        { id: "c1", date: "2023-05-05T05:05:05Z", files: { "go.mod": mod(`${H}/notags`) } },
        { id: "c2", date: "2023-06-06T06:06:06Z", files: { "a.go": "package a\n" } },
        { id: "c3", date: "2023-07-07T07:07:07Z", files: { "b.go": "package a\n" } },
      ],
      branches: { trunk: "c2", other: "c3" },
      head: "trunk",
    },
    modules: [
      {
        path: `${H}/notags`,
        list: true,
        queries: [q("latest", "v0.0.0-{c2}"), q("trunk", "v0.0.0-{c2}"), q("other", "v0.0.0-{c3}"), q("HEAD", "v0.0.0-{c2}"), q("main", "!info"), q("{c1.hash:9}", "v0.0.0-{c1}")],
      },
    ],
  },
  {
    name: "legacy-case",
    about: "no go.mod: v0/v1 tags served with a synthesized go.mod; upper case in the module path and " +
      "in a pre-release (case-encoded as !x by the proxy protocol)",
    repo: {
      root: `${H}/CamelCase`,
      commits: [
        { id: "c1", date: "2020-10-01T00:00:00Z", files: { "camel.go": "package camel\n" } },
        { id: "c2", date: "2020-11-01T00:00:00Z", files: { "more.go": "package camel\n" } },
        { id: "c3", date: "2020-12-01T00:00:00Z", files: { "last.go": "package camel\n" } },
      ],
      tags: { "v0.1.0": "c1", "v1.0.0": "c2", "v1.1.0-RC1": "c3" },
    },
    modules: [
      {
        path: `${H}/CamelCase`,
        list: true,
        queries: [q("v0.1.0", "v0.1.0"), q("latest", "v1.0.0"), q("v1.1.0-RC1", "v1.1.0-RC1"), q("main", "v1.1.0-RC1")],
      },
    ],
  },
  {
    name: "gomod-verbatim",
    about: "go.mod served verbatim: CRLF, quoted module path, toolchain and newer directives, no final " +
      "newline; a byte-order mark hides the module line; the module line as cmd/go's lax reader " +
      "sees it: a module ( block, back quotes, trailing words, quoted /v3, a broken quote, two lines",
    repo: {
      root: `${H}/verbatim`,
      commits: [
        { id: "c1", date: "2024-01-01T00:00:00Z", files: { "go.mod": `module ${H}/verbatim\r\n\r\ngo 1.16\r\n\r\nrequire (\r\n\texample.com/dep v1.0.0\r\n)\r\n`, "v.go": "package v\n" } },
        { id: "c2", date: "2024-02-01T00:00:00Z", files: { "go.mod": `module "${H}/verbatim" // quoted\n\ngo 1.18\n` } },
        { id: "c3", date: "2024-03-01T00:00:00Z", files: { "go.mod": `module ${H}/verbatim\n\ngo 1.21.0\n\ntoolchain go1.21.5\n` } },
        { id: "c4", date: "2024-04-01T00:00:00Z", files: { "go.mod": `\ufeffmodule ${H}/verbatim\n` } },
        { id: "c5", date: "2024-05-01T00:00:00Z", files: { "go.mod": `module ${H}/verbatim` } },
        { id: "c6", date: "2024-06-01T00:00:00Z", files: { "go.mod": `// leading comment\nmodule ${H}/verbatim // trailing\n\ngo 1.23\n\ngodebug default=go1.21\n` } },
        { id: "c7", date: "2024-07-01T00:00:00Z", files: { "go.mod": `module (\n\t${H}/verbatim\n)\n` } },
        { id: "c8", date: "2024-07-02T00:00:00Z", files: { "go.mod": `module \`${H}/verbatim\`\n` } },
        { id: "c9", date: "2024-07-03T00:00:00Z", files: { "go.mod": `module ${H}/verbatim/v2 extra\n` } },
        { id: "c10", date: "2024-07-04T00:00:00Z", files: { "go.mod": `module "${H}/verbatim/v3"\n` } },
        { id: "c11", date: "2024-07-05T00:00:00Z", files: { "go.mod": `module "${H}/verbatim\n` } },
        { id: "c12", date: "2024-07-06T00:00:00Z", files: { "go.mod": `module\t${H}/verbatim\nmodule example.com/second\n` } },
        { id: "c13", date: "2024-08-01T00:00:00Z", files: { "go.mod": `module ${H}/verbatim\n\ngo 1.22\n` } },
      ],
      tags: {
        "v1.0.0": "c1", "v1.1.0": "c2", "v1.2.0": "c3", "v1.3.0": "c4", "v1.4.0": "c5", "v1.5.0": "c6",
        "v1.6.0": "c7", "v1.6.1": "c8", "v1.6.2": "c9", "v1.6.3": "c10", "v1.6.4": "c11", "v1.6.5": "c12", "v1.7.0": "c13",
      },
    },
    modules: [
      {
        path: `${H}/verbatim`,
        list: true,
        queries: [
          q("v1.0.0", "v1.0.0"), q("v1.1.0", "v1.1.0"), q("v1.2.0", "v1.2.0"), q("v1.3.0", "!info"), q("v1.4.0", "v1.4.0"), q("v1.5.0", "v1.5.0"),
          "v1.6.0", "v1.6.1", "v1.6.2", "v1.6.3", "v1.6.4", "v1.6.5", q("latest", "v1.7.0"),
        ],
      },
    ],
  },
  {
    name: "gomod-mismatch",
    about: "a module line disagreeing with the path is still served; /vN suffix on the wrong path, " +
      "missing module line, gopkg.in module line on a plain path, vN/go.mod compared by major only",
    repo: {
      root: `${H}/mismatch`,
      commits: [
        { id: "c1", date: "2022-05-01T00:00:00Z", files: { "go.mod": mod("example.com/other"), "m.go": "package m\n" } },
        { id: "c2", date: "2022-06-01T00:00:00Z", files: { "go.mod": mod(`${H}/mismatch/v3`) } },
        { id: "c3", date: "2022-07-01T00:00:00Z", files: { "go.mod": mod(`${GOPKG}/yaml.v3`) } },
        { id: "c4", date: "2022-08-01T00:00:00Z", files: { "go.mod": "// no module line\ngo 1.17\n" } },
        { id: "c5", date: "2022-09-01T00:00:00Z", files: { "go.mod": mod(`${H}/mismatch`), "v2/go.mod": mod("example.com/whatever/v2"), "v2/w.go": "package w\n" } },
        { id: "c6", date: "2022-10-01T00:00:00Z", files: { "v5/go.mod": mod(`${H}/mismatch/v6`) } },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2", "v1.2.0": "c3", "v1.3.0": "c4", "v1.4.0": "c5", "v2.0.0": "c5", "v5.0.0": "c6" },
    },
    modules: [
      {
        path: `${H}/mismatch`,
        list: true,
        queries: [q("v1.0.0", "v1.0.0"), q("v1.1.0", "!info"), q("v1.2.0", "v1.2.0"), q("v1.3.0", "!info"), q("v1.4.0", "v1.4.0"), q("latest", "v1.4.0")],
      },
      { path: `${H}/mismatch/v2`, queries: [q("v2.0.0", "v2.0.0")] },
      { path: `${H}/mismatch/v5`, queries: [q("v5.0.0", "!info")] },
    ],
  },
  {
    name: "zip-files",
    about: "zip prefix and names: no directory entries, symlinks (also dangling and to directories) " +
      "and gitlinks left out, root .hg_archival.txt left out but not a deeper one, executables, " +
      "empty files, spaces, Unicode and allowed punctuation in names",
    repo: {
      root: `${H}/zipfiles`,
      commits: [
        {
          id: "c1",
          date: "2020-10-10T10:10:10Z",
          files: {
            "go.mod": mod(`${H}/zipfiles`),
            "main.go": "package main\n",
            "run.sh": { content: "#!/bin/sh\necho hi\n", executable: true },
            "link.go": { symlink: "main.go" },
            "third_party/lib": { gitlink: "0123456789abcdef0123456789abcdef01234567" },
            ".hg_archival.txt": "repo: 0000\n",
            "docs/.hg_archival.txt": "kept\n",
            "dir with space/file name.txt": "spaces\n",
            "unicodé/ñandú.go": "package unicode\n",
            "punct/a!#$%&()+,-.=@[]^_{}~.txt": "punct\n",
            "-dash.txt": "leading dash is fine in file paths\n",
            "empty.txt": "",
            ".gitignore": "*.o\n",
            ".github/workflows/ci.yml": "on: push\n",
            "a/b/c/d/e/deep.go": "package e\n",
            "testdata/x.bin": new Uint8Array([0, 1, 2, 255, 254, 13, 10, 0]),
            "LICENSE.txt": "not LICENSE\n",
          },
        },
        { id: "c2", date: "2020-10-11T10:10:10Z", files: { dangling: { symlink: "nonexistent" }, linkdir: { symlink: "a" } } },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2" },
    },
    modules: [{ path: `${H}/zipfiles`, queries: [q("v1.0.0", "v1.0.0"), q("v1.1.0", "v1.1.0")] }],
  },
  {
    name: "zip-nested",
    about: "directories holding a regular go.mod in any case are left out of the enclosing zip; a " +
      "symlinked go.mod or a directory named go.mod is not a module boundary; subdirectory " +
      "modules found at the exact name only",
    repo: {
      root: `${H}/nested`,
      commits: [
        {
          id: "c1",
          date: "2021-06-06T06:06:06Z",
          files: {
            "go.mod": mod(`${H}/nested`),
            "root.go": "package nested\n",
            LICENSE: MIT,
            "inner/go.mod": mod(`${H}/nested/inner`),
            "inner/x.go": "package inner\n",
            "Upper/GO.MOD": mod(`${H}/nested/Upper`),
            "Upper/y.go": "package upper\n",
            "linked/go.mod": { symlink: "../go.mod" },
            "linked/z.go": "package linked\n",
            "deep/v.go": "package deep\n",
            "deep/er/go.mod": mod(`${H}/nested/deep/er`),
            "deep/er/w.go": "package er\n",
            "testdata/mod/go.mod": "module testdata\n",
            "testdata/mod/t.go": "package t\n",
            "weird/go.mod/file.go": "package weird\n",
          },
        },
      ],
      tags: { "v1.0.0": "c1" },
    },
    modules: [
      { path: `${H}/nested`, queries: [q("v1.0.0", "v1.0.0")] },
      { path: `${H}/nested/inner`, list: true, queries: [q("latest", "v0.0.0-{c1}")] },
      { path: `${H}/nested/deep/er`, queries: [q("latest", "v0.0.0-{c1}")] },
      { path: `${H}/nested/Upper`, queries: [q("latest", "!info")] },
      { path: `${H}/nested/linked`, queries: [q("latest", "!info")] },
    ],
  },
  {
    name: "zip-vendor",
    about: "vendor rules: files directly in the root vendor/ kept, deeper vendored files dropped, " +
      "nested a/vendor/ dropped by cmd/go's historical offset; invalid names and collisions inside " +
      "dropped directories do not fail the zip, but Vendor/ collides with a kept vendor/ file; the " +
      "same rules relative to a subdirectory module",
    repo: {
      root: `${H}/vendored`,
      commits: [
        {
          id: "c1",
          date: "2022-03-03T03:03:03Z",
          files: {
            "go.mod": mod(`${H}/vendored`, "\ngo 1.17\n"),
            "v.go": "package vendored\n",
            "vendor/modules.txt": "# example.com/dep v1.0.0\n",
            "vendor/x.go": "package vendor\n",
            "vendor/example.com/dep/dep.go": "package dep\n",
            "vendor/example.com/dep/LICENSE": "dep license\n",
            "vendor/example.com/dep/bad:name.go": "package dep\n",
            "vendor/example.com/dep/README": "a\n",
            "vendor/example.com/dep/readme": "b\n",
            "a/vendor/x.go": "package vendor\n",
            "internal/vendor/y/y.go": "package y\n",
            "vendors/z.go": "package vendors\n",
            "notvendor/vendor.go": "package notvendor\n",
            "xvendor/a.go": "package xvendor\n",
            "pkg/Vendor/b/c.go": "package b\n",
            "sub/go.mod": mod(`${H}/vendored/sub`),
            "sub/s.go": "package sub\n",
            "sub/vendor/modules.txt": "# nothing\n",
            "sub/vendor/m/m.go": "package m\n",
          },
        },
        { id: "c2", date: "2022-04-04T04:04:04Z", files: { "Vendor/b/c.go": "package b\n" } },
        { id: "c3", date: "2022-05-05T05:05:05Z", files: { "vendor/modules.txt": null, "vendor/x.go": null } },
      ],
      tags: { "v1.0.0": "c1", "sub/v1.0.0": "c1", "v1.1.0": "c2", "v1.2.0": "c3" },
    },
    modules: [
      { path: `${H}/vendored`, queries: [q("v1.0.0", "v1.0.0"), q("v1.1.0", "!zip"), q("v1.2.0", "v1.2.0")] },
      { path: `${H}/vendored/sub`, queries: [q("v1.0.0", "v1.0.0")] },
    ],
  },
  {
    name: "zip-invalid",
    about: "an invalid file name, a reserved Windows name, a trailing dot, a case-insensitive " +
      "collision (file/file, file/directory, file/symlink; Unicode simple folding: K/Kelvin sign, " +
      "σ/ς, s/ſ) a non-letter symbol or letter number in a name, or a root GO.MOD fails only the " +
      "zip: .info and .mod still succeed. Letters are those of the judge's Unicode tables: U+0870 " +
      "(Unicode 14) is not a letter to Go 1.19 (Unicode 13)",
    repo: {
      root: `${H}/zipbad`,
      commits: [
        { id: "c1", date: "2021-11-01T00:00:00Z", files: { "go.mod": mod(`${H}/zipbad`), "ok.go": "package zipbad\n" } },
        { id: "c2", date: "2021-11-02T00:00:00Z", files: { "bad:name.go": "package zipbad\n" } },
        { id: "c3", date: "2021-11-03T00:00:00Z", files: { "bad:name.go": null, README: "upper\n", readme: "lower\n" } },
        { id: "c4", date: "2021-11-04T00:00:00Z", files: { readme: null, "go.mod": null, "GO.MOD": mod(`${H}/zipbad`) } },
        { id: "c5", date: "2021-11-05T00:00:00Z", files: { "GO.MOD": null, "go.mod": mod(`${H}/zipbad`), "aux.txt": "reserved\n" } },
        { id: "c6", date: "2021-11-06T00:00:00Z", files: { "aux.txt": null, "trail.": "dot\n" } },
        { id: "c7", date: "2021-11-07T00:00:00Z", files: { "trail.": null, Docs: "file\n", "docs/x.md": "dir\n" } },
        { id: "c8", date: "2021-11-08T00:00:00Z", files: { Docs: null, "Data.txt": "data\n", "data.txt": { symlink: "Data.txt" } } },
        { id: "c9", date: "2021-11-09T00:00:00Z", files: { "data.txt": null, "inner/go.mod": mod(`${H}/zipbad/inner`), "inner/bad\"quote.go": "package inner\n" } },
        { id: "c10", date: "2021-11-10T00:00:00Z", files: { "k.txt": "k\n", "\u212a.txt": "kelvin\n" } },
        { id: "c11", date: "2021-11-11T00:00:00Z", files: { "\u212a.txt": null, "σ.txt": "sigma\n", "ς.txt": "final sigma\n" } },
        { id: "c12", date: "2021-11-12T00:00:00Z", files: { "ς.txt": null, "s.txt": "s\n", "ſ.txt": "long s\n" } },
        { id: "c13", date: "2021-11-13T00:00:00Z", files: { "ſ.txt": null, "→.txt": "arrow is not a letter\n" } },
        { id: "c14", date: "2021-11-14T00:00:00Z", files: { "→.txt": null, "Ⅻ.txt": "letter number\n" } },
        { id: "c15", date: "2021-11-15T00:00:00Z", files: { "Ⅻ.txt": null, "日本語.txt": "letters\n", "É/é.txt": "no fold across dirs\n" } },
        { id: "c16", date: "2021-11-16T00:00:00Z", files: { "\u0870.txt": "a letter since Unicode 14\n" } },
      ],
      tags: {
        "v1.0.0": "c1", "v1.1.0": "c2", "v1.2.0": "c3", "v1.3.0": "c4", "v1.4.0": "c5",
        "v1.5.0": "c6", "v1.6.0": "c7", "v1.7.0": "c8", "v1.8.0": "c9", "v1.9.0": "c10",
        "v1.10.0": "c11", "v1.11.0": "c12", "v1.12.0": "c13", "v1.13.0": "c14", "v1.14.0": "c15", "v1.15.0": "c16",
      },
    },
    modules: [
      {
        path: `${H}/zipbad`,
        list: true,
        queries: [
          q("v1.0.0", "v1.0.0"), q("v1.1.0", "!zip"), q("v1.2.0", "!zip"), q("v1.3.0", "!zip"), q("v1.4.0", "!zip"),
          q("v1.5.0", "!zip"), q("v1.6.0", "!zip"), q("v1.7.0", "!zip"), q("v1.8.0", "v1.8.0"), q("v1.9.0", "!zip"),
          q("v1.10.0", "!zip"), q("v1.11.0", "!zip"), q("v1.12.0", "!zip"), q("v1.13.0", "!zip"), q("v1.14.0", "v1.14.0"),
          // U+0870 became a letter in Unicode 14. Go 1.19 (Unicode 13) rejects the name; Go 1.21+
          // (Unicode 15) and x/mod today accept it, and so does gomodproxy: sum.golang.org's sums
          // come from current Go. Direct mode must still show the 1.19 behaviour.
          q("v1.15.0", "!zip", UNICODE_13), q("latest", "!zip", UNICODE_13),
        ],
      },
    ],
  },
  {
    name: "gitattributes",
    about: "zip bytes are what git archive writes: eol=crlf, ident, working-tree-encoding (UTF-16LE, " +
      "UTF-16 with BOM) change contents and h1; export-ignore and export-subst are switched off; " +
      "a go.mod converted in the zip but served raw as .mod; attributes of a subdirectory module",
    repo: {
      root: `${H}/attrs`,
      commits: [
        {
          id: "c1",
          date: "2022-02-22T22:22:22Z",
          files: {
            ".gitattributes": [
              "*.txt text eol=crlf",
              "*.id ident",
              "*.u16 text working-tree-encoding=UTF-16LE",
              "*.u16bom text working-tree-encoding=UTF-16",
              "ignored.go export-ignore",
              "subst.go export-subst",
              "*.bin -text",
              "*.lfs filter=lfs diff=lfs merge=lfs -text",
              "*.auto text=auto",
              "",
            ].join("\n"),
            "go.mod": mod(`${H}/attrs`),
            "notes.txt": "line one\nline two\n",
            "already.txt": "a\r\nb\r\n",
            "ident.id": "$Id$\n",
            "wide.u16": "héllo wörld\n",
            "bom.u16bom": "byte order\n",
            "ignored.go": "package attrs\n",
            "subst.go": "// $Format:%H$\npackage attrs\n",
            "raw.bin": "x\ny\n",
            "big.lfs": "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n",
            "mixed.auto": "a\r\nb\n",
            "plain.go": "package attrs\n",
            "sub/go.mod": mod(`${H}/attrs/sub`),
            "sub/.gitattributes": "*.go text eol=crlf\n",
            "sub/s.go": "package sub\n",
            "sub/readme.txt": "sub readme\n",
          },
        },
        { id: "c2", date: "2022-03-22T22:22:22Z", files: { ".gitattributes": "go.mod text eol=crlf\n*.txt text eol=crlf\n" } },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2", "sub/v1.0.0": "c1" },
    },
    modules: [
      { path: `${H}/attrs`, queries: [q("v1.0.0", "v1.0.0"), q("v1.1.0", "v1.1.0")] },
      { path: `${H}/attrs/sub`, queries: [q("v1.0.0", "v1.0.0")] },
    ],
  },
  {
    name: "refs",
    about: "revision names: tags win over branches of the same name, branches over hash prefixes; " +
      "a branch name with a slash; a branch named like a version that has no tag; an annotated tag " +
      "on the default branch head; non-semver tags; a commit no ref reaches; git revision syntax, " +
      "upper-case hashes and the query none",
    repo: {
      root: `${H}/refs`,
      commits: [
        { id: "c1", date: "2023-08-01T00:00:00Z", files: { "go.mod": mod(`${H}/refs`) } },
        { id: "c2", date: "2023-08-02T00:00:00Z", files: { "a.go": "package refs\n" } },
        { id: "c3", date: "2023-08-03T00:00:00Z", files: { "b.go": "package refs\n" } },
        { id: "c4", date: "2023-08-04T00:00:00Z", files: { "c.go": "package refs\n" } },
        { id: "loose", parents: ["c2"], date: "2023-08-05T00:00:00Z", files: { "loose.go": "package refs\n" } },
      ],
      tags: { "v1.0.0": "c1", release: "c2", "v1.1.0": { commit: "c4", message: "on main\n" } },
      branches: { main: "c4", "feature/x": "c2", "v1.0.0": "c3", release: "c3", deadbeef: "c2", "v1.9.0": "c3" },
    },
    modules: [
      {
        path: `${H}/refs`,
        list: true,
        queries: [
          q("v1.0.0", "v1.0.0"), q("release", "v1.0.1-0.{c2}"), q("deadbeef", "v1.0.1-0.{c2}"), q("{c3.hash:7}", "v1.0.1-0.{c3}"),
          q("main", "v1.1.0"), q("HEAD", "v1.1.0"), q("latest", "v1.1.0"),
          q("feature/x", "v1.0.1-0.{c2}", "the go command cannot send a version containing / to a proxy (module.EscapeVersion)"),
          q("v1.9.0", "!info"), q("{loose.hash}", "!info"), q("{loose.hash:12}", "!info"),
          "{c3.HASH:12}", "main^", "HEAD~1", "v1.0.0^{}", "none",
        ],
      },
    ],
  },
  {
    name: "merge-history",
    about: "pseudo-version base is the highest tag among all ancestors, through a merge's second " +
      "parent; any ancestor base accepted, a non-ancestor refused; a commit with two tags",
    repo: {
      root: `${H}/merge`,
      commits: [
        { id: "c1", date: "2019-10-01T00:00:00Z", files: { "go.mod": mod(`${H}/merge`) } },
        { id: "c2", parents: ["c1"], date: "2019-10-02T00:00:00Z", files: { "side.go": "package merge\n" } },
        { id: "c3", parents: ["c1"], date: "2019-10-03T00:00:00Z", files: { "main.go": "package merge\n" } },
        { id: "c4", parents: ["c3", "c2"], date: "2019-10-04T00:00:00Z", files: { "side.go": "package merge\n" }, message: "merge side\n" },
        { id: "c5", date: "2019-10-05T00:00:00Z", files: { "after.go": "package merge\n" } },
      ],
      tags: { "v1.0.0": "c1", "v1.5.0": "c2", "v1.1.0": "c3", "v1.1.1": "c3" },
      branches: { main: "c5", side: "c2" },
    },
    modules: [
      {
        path: `${H}/merge`,
        list: true,
        queries: [
          q("main", "v1.5.1-0.{c5}"), q("{c4.hash}", "v1.5.1-0.{c4}"), q("{c3.hash}", "v1.1.1"), q("latest", "v1.5.0"),
          q("v1.1.2-0.{c5}", "v1.1.2-0.{c5}"), q("v1.0.1-0.{c5}", "v1.0.1-0.{c5}"), q("v1.5.1-0.{c3}", "!info"), q("v1.1.1-0.{c2}", "!info"),
        ],
      },
    ],
  },
  {
    name: "vanity",
    about: "a second host; a module deep below a repository whose root is not a module",
    repo: {
      root: `${VANITY}/tool`,
      commits: [
        { id: "c1", date: "2024-02-29T12:00:00Z", files: { "README.md": "tool\n", "cmd/thing/go.mod": mod(`${VANITY}/tool/cmd/thing`), "cmd/thing/main.go": "package main\n", LICENSE: MIT } },
        { id: "c2", date: "2024-03-01T12:00:00Z", files: { "cmd/thing/main.go": "package main\n\nfunc main() {}\n" } },
      ],
      tags: { "cmd/thing/v0.1.0": "c1" },
    },
    modules: [
      { path: `${VANITY}/tool/cmd/thing`, list: true, queries: [q("v0.1.0", "v0.1.0"), q("latest", "v0.1.0"), q("main", "v0.1.1-0.{c2}")] },
      { path: `${VANITY}/tool`, list: true, queries: [q("latest", "v0.0.0-{c2}")] },
      { path: `${VANITY}/tool/cmd`, queries: [q("latest", "!info")] },
    ],
  },
  {
    name: "gomod-odd-entries",
    about: "the root go.mod as a symlink (its target text is read), a directory or a gitlink (both " +
      "read as missing); a module directory reached through a symlink; a root LICENSE that is a " +
      "directory is not added to a subdirectory module",
    repo: {
      root: `${H}/oddgomod`,
      commits: [
        { id: "c1", date: "2023-09-01T00:00:00Z", files: { "go.mod": { symlink: "real.mod" }, "real.mod": mod(`${H}/oddgomod`), "a.go": "package odd\n" } },
        { id: "c2", date: "2023-09-02T00:00:00Z", files: { "go.mod": null, "go.mod/inside.go": "package inside\n" } },
        { id: "c3", date: "2023-09-03T00:00:00Z", files: { "go.mod/inside.go": null, "go.mod": { gitlink: "1111111111111111111111111111111111111111" } } },
        {
          id: "c4",
          date: "2023-09-04T00:00:00Z",
          files: {
            "go.mod": mod(`${H}/oddgomod`),
            "realmod/go.mod": mod(`${H}/oddgomod/realmod`),
            "realmod/r.go": "package realmod\n",
            linkmod: { symlink: "realmod" },
            "LICENSE/README": "a directory named LICENSE\n",
          },
        },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2", "v1.2.0": "c3", "v1.3.0": "c4" },
    },
    modules: [
      { path: `${H}/oddgomod`, list: true, queries: [q("v1.0.0", "!info"), "v1.1.0", "v1.2.0", q("v1.3.0", "v1.3.0")] },
      { path: `${H}/oddgomod/realmod`, queries: [q("latest", "v0.0.0-{c4}")] },
      { path: `${H}/oddgomod/linkmod`, queries: [q("latest", "!info")] },
    ],
  },
  {
    name: "gitattributes-more",
    about: "more git archive conversions: attribute macros, text=auto (LF, mixed CRLF, binary), " +
      "eol=lf on CRLF content, legacy crlf attributes, anchored and ** patterns, later lines and " +
      "!attr unsetting, ident on -text files and over an expanded $Id$, UTF-16LE with CRLF, " +
      "invalid UTF-8 and an unknown charset for working-tree-encoding (git archive reports the " +
      "error and writes the blob unchanged), binary macro, a " +
      ".gitattributes above the module directory, and a symlinked .gitattributes",
    repo: {
      root: `${H}/attrs2`,
      commits: [
        {
          id: "c1",
          date: "2023-03-03T03:03:03Z",
          files: {
            ".gitattributes": [
              "[attr]crlftext text eol=crlf",
              "*.macro crlftext",
              "*.auto text=auto eol=crlf",
              "*.lf text eol=lf",
              "legacy.crlf crlf",
              "legacy.nocrlf -crlf",
              "legacy.input crlf=input",
              "/anchored.md text eol=crlf",
              "deep/**/x.md text eol=crlf",
              "*.tx eol=crlf",
              "neg.tx !eol",
              "*.idbin ident -text",
              "*.id ident",
              "*.u16crlf text working-tree-encoding=UTF-16LE eol=crlf",
              "*.bad16 text working-tree-encoding=UTF-16LE",
              "*.nonsense text working-tree-encoding=NOT-A-CHARSET",
              "*.bin binary",
              "",
            ].join("\n"),
            "go.mod": mod(`${H}/attrs2`),
            "m.macro": "a\nb\n",
            "a.auto": "a\nb\n",
            "mixed.auto": "a\r\nb\n",
            "zero.auto": new Uint8Array([0x61, 0x00, 0x62, 0x0a]),
            "x.lf": "a\r\nb\n",
            "legacy.crlf": "a\nb\n",
            "legacy.nocrlf": "a\nb\n",
            "legacy.input": "a\nb\n",
            "anchored.md": "a\nb\n",
            "docs/anchored.md": "a\nb\n",
            "deep/a/b/x.md": "a\nb\n",
            "x.md": "a\nb\n",
            "plain.tx": "a\nb\n",
            "neg.tx": "a\nb\n",
            "f.idbin": "$Id$\n",
            "old.id": "$Id: 0000000000000000000000000000000000000000 $\nx\n",
            "w.u16crlf": "wide\nlines\n",
            "bad.bad16": new Uint8Array([0xff, 0xfe, 0x41, 0x0a]),
            "b.bin": "a\nb\n",
            "sub/.gitattributes": "*.go text eol=crlf\n",
            "sub/mod/go.mod": mod(`${H}/attrs2/sub/mod`),
            "sub/mod/m.go": "package mod\n",
            "linked/.gitattributes": { symlink: "../.gitattributes" },
            "linked/go.mod": mod(`${H}/attrs2/linked`),
            "linked/l.macro": "a\nb\n",
          },
        },
        { id: "c2", date: "2023-03-04T03:03:03Z", files: { "n.nonsense": "charset\n" } },
      ],
      tags: { "v1.0.0": "c1", "v1.1.0": "c2", "sub/mod/v1.0.0": "c1", "linked/v1.0.0": "c1" },
    },
    modules: [
      { path: `${H}/attrs2`, queries: [q("v1.0.0", "v1.0.0"), q("v1.1.0", "v1.1.0")] },
      { path: `${H}/attrs2/sub/mod`, queries: [q("v1.0.0", "v1.0.0")] },
      { path: `${H}/attrs2/linked`, queries: [q("v1.0.0", "v1.0.0")] },
    ],
  },
  {
    name: "retract-prerelease",
    about: "retractions read from the highest pre-release when there is no release; it retracts " +
      "itself, so @latest is the lower one and its commit answers a pseudo-version",
    repo: {
      root: `${H}/retractpre`,
      commits: [
        { id: "c1", date: "2024-01-10T00:00:00Z", files: { "go.mod": mod(`${H}/retractpre`, "\ngo 1.18\n") } },
        { id: "c2", date: "2024-01-20T00:00:00Z", files: { "go.mod": mod(`${H}/retractpre`, "\ngo 1.18\n\nretract v0.2.0-rc.1 // self\n") } },
      ],
      tags: { "v0.1.0-rc.1": "c1", "v0.2.0-rc.1": "c2" },
    },
    modules: [{ path: `${H}/retractpre`, list: true, queries: [q("latest", "v0.1.0-rc.1"), q("main", "v0.1.0-rc.1.0.{c2}"), q("v0.2.0-rc.1", "v0.2.0-rc.1")] }],
  },
  {
    name: "dangling-head",
    about: "HEAD names a branch that does not exist; no tags",
    repo: {
      root: `${H}/danglinghead`,
      commits: [
        { id: "c1", date: "2024-04-04T04:04:04Z", files: { "go.mod": mod(`${H}/danglinghead`) } },
        { id: "c2", date: "2024-04-05T04:04:04Z", files: { "a.go": "package a\n" } },
      ],
      branches: { main: "c2" },
      head: "gone",
    },
    modules: [{ path: `${H}/danglinghead`, list: true, queries: ["latest", "HEAD", q("main", "v0.0.0-{c2}")] }],
  },
  {
    name: "empty",
    about: "a repository without commits",
    repo: { root: `${H}/empty`, commits: [] },
    modules: [{ path: `${H}/empty`, list: true, queries: [q("latest", "!info"), q("main", "!info"), q("v1.0.0", "!info")] }],
  },
];

/** CommitFacts are what templates need from one commit. */
export interface CommitFacts {
  oid: string;
  /** time is the committer time in UTC as `yyyymmddhhmmss`. */
  time: string;
}

/** expand fills a query or `want` template from the fixture's commits. */
export function expand(template: string, commits: Map<string, CommitFacts>): string {
  return template.replace(/\{(\w+)(?:\.(time|hash|HASH)(?::(\d+))?)?\}/g, (_, id: string, field?: string, n?: string) => {
    const c = commits.get(id);
    if (!c) throw new Error(`template ${template}: unknown commit ${id}`);
    if (!field) return `${c.time}-${c.oid.slice(0, 12)}`;
    if (field === "time") return c.time;
    const hash = n ? c.oid.slice(0, Number(n)) : c.oid;
    return field === "HASH" ? hash.toUpperCase() : hash;
  });
}

/** pseudoTime formats an RFC 3339 date as a pseudo-version timestamp (UTC, whole seconds). */
export function pseudoTime(date: string): string {
  return new Date(Math.floor(Date.parse(date) / 1000) * 1000).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
