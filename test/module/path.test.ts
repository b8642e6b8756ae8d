// Tables ported from golang.org/x/mod module/module_test.go (fe2ec04) and Go's path/match_test.go.
import { describe, expect, it } from "vitest";
import { InvalidPathError, InvalidVersionError, ModuleError } from "../../src/errors.ts";
import {
  canonicalVersion, check, checkFilePath, checkImportPath, checkPath, checkPathMajor, escapePath, escapeVersion,
  goQuote, matchPathMajor, matchPrefixPatterns, pathMajorPrefix, pathMatch, quoteRune, sortVersions,
  splitPathVersion, unescapePath, unescapeVersion,
} from "../../src/module/path.ts";

const passes = (f: () => void) => {
  try {
    f();
    return true;
  } catch (err) {
    if (err instanceof InvalidPathError || err instanceof InvalidVersionError || err instanceof ModuleError) return false;
    throw err;
  }
};

/** x/mod checkPathTests: is the path a valid module, import and file path? */
const checkPathTests: { path: string; ok: boolean; importOK: boolean; fileOK: boolean }[] = [
  ["x.y/z", true, true, true],
  ["x.y", true, true, true],
  ["", false, false, false],
  ["x.y/\ud800z", false, false, false], // x/mod has "x.y/\xFFz": a lone surrogate is invalid UTF-8's JS counterpart
  ["/x.y/z", false, false, false],
  ["x./z", false, false, false],
  [".x/z", false, true, true],
  ["-x/z", false, false, true],
  ["x..y/z", true, true, true],
  ["x.y/z/../../w", false, false, false],
  ["x.y//z", false, false, false],
  ["x.y/z//w", false, false, false],
  ["x.y/z/", false, false, false],
  ["x.y/z/v0", false, true, true],
  ["x.y/z/v1", false, true, true],
  ["x.y/z/v2", true, true, true],
  ["x.y/z/v2.0", false, true, true],
  ["X.y/z", false, true, true],
  ["!x.y/z", false, false, true],
  ["_x.y/z", false, true, true],
  ["x.y!/z", false, false, true],
  ['x.y"/z', false, false, false],
  ["x.y#/z", false, false, true],
  ["x.y$/z", false, false, true],
  ["x.y%/z", false, false, true],
  ["x.y&/z", false, false, true],
  ["x.y'/z", false, false, false],
  ["x.y(/z", false, false, true],
  ["x.y)/z", false, false, true],
  ["x.y*/z", false, false, false],
  ["x.y+/z", false, true, true],
  ["x.y,/z", false, false, true],
  ["x.y-/z", true, true, true],
  ["x.y./zt", false, false, false],
  ["x.y:/z", false, false, false],
  ["x.y;/z", false, false, false],
  ["x.y</z", false, false, false],
  ["x.y=/z", false, false, true],
  ["x.y>/z", false, false, false],
  ["x.y?/z", false, false, false],
  ["x.y@/z", false, false, true],
  ["x.y[/z", false, false, true],
  ["x.y\\/z", false, false, false],
  ["x.y]/z", false, false, true],
  ["x.y^/z", false, false, true],
  ["x.y_/z", false, true, true],
  ["x.y`/z", false, false, false],
  ["x.y{/z", false, false, true],
  ["x.y}/z", false, false, true],
  ["x.y~/z", false, true, true],
  ["x.y/z!", false, false, true],
  ['x.y/z"', false, false, false],
  ["x.y/z#", false, false, true],
  ["x.y/z$", false, false, true],
  ["x.y/z%", false, false, true],
  ["x.y/z&", false, false, true],
  ["x.y/z'", false, false, false],
  ["x.y/z(", false, false, true],
  ["x.y/z)", false, false, true],
  ["x.y/z*", false, false, false],
  ["x.y/z++", false, true, true],
  ["x.y/z,", false, false, true],
  ["x.y/z-", true, true, true],
  ["x.y/z.t", true, true, true],
  ["x.y/z/t", true, true, true],
  ["x.y/z:", false, false, false],
  ["x.y/z;", false, false, false],
  ["x.y/z<", false, false, false],
  ["x.y/z=", false, false, true],
  ["x.y/z>", false, false, false],
  ["x.y/z?", false, false, false],
  ["x.y/z@", false, false, true],
  ["x.y/z[", false, false, true],
  ["x.y/z\\", false, false, false],
  ["x.y/z]", false, false, true],
  ["x.y/z^", false, false, true],
  ["x.y/z_", true, true, true],
  ["x.y/z`", false, false, false],
  ["x.y/z{", false, false, true],
  ["x.y/z}", false, false, true],
  ["x.y/z~", true, true, true],
  ["x.y/x.foo", true, true, true],
  ["x.y/aux.foo", false, false, false],
  ["x.y/prn", false, false, false],
  ["x.y/prn2", true, true, true],
  ["x.y/com", true, true, true],
  ["x.y/com1", false, false, false],
  ["x.y/com1.txt", false, false, false],
  ["x.y/calm1", true, true, true],
  ["x.y/z~0", false, false, true],
  ["x.y/z~09", false, false, true],
  ["x.y/z09", true, true, true],
  ["x.y/z09~", true, true, true],
  ["x.y/z09~09z", true, true, true],
  ["x.y/z09~09z~09", false, false, true],
  ["github.com/!123/logrus", false, false, true],
  ["github.com/user/unicode/испытание", false, false, true],
  ["../x", false, false, false],
  ["./y", false, false, false],
  ["x:y", false, false, false],
  ["\\temp\\foo", false, false, false],
  [".gitignore", false, true, true],
  [".github/ISSUE_TEMPLATE", false, true, true],
  ["x☺y", false, false, false],
  // Beyond x/mod's table: COM0/LPT0 were added and reverted upstream; Kelvin and dotless i fold only in Unicode.
  ["x.y/com0", true, true, true],
  ["x.y/LPT9.go", false, false, false],
  ["x.y/ıux", false, false, true], // not "AUX": Go folds case by Unicode simple folding, not toUpperCase
  ["x.y/\u00a0", false, false, false],
  ["x.y/a b", false, false, true],
].map(([path, ok, importOK, fileOK]) => ({ path, ok, importOK, fileOK }) as (typeof checkPathTests)[number]);

describe("path checks", () => {
  it.each(checkPathTests)("checkPath, checkImportPath, checkFilePath($path)", ({ path, ok, importOK, fileOK }) => {
    expect(passes(() => checkPath(path)), "checkPath").toBe(ok);
    expect(passes(() => checkImportPath(path)), "checkImportPath").toBe(importOK);
    expect(passes(() => checkFilePath(path)), "checkFilePath").toBe(fileOK);
    const split = splitPathVersion(path);
    expect(split.prefix + split.pathMajor).toBe(path);
    if (!ok) expect(() => escapePath(path)).toThrow(InvalidPathError);
    if (!ok) expect(() => unescapePath(path)).toThrow(InvalidPathError);
  });

  it.each([
    { path: "", kind: "module", message: 'malformed module path "": empty string' },
    { path: "x.y/\ud800", kind: "module", message: "invalid UTF-8" },
    { path: "-x.y", kind: "module", message: 'malformed module path "-x.y": leading dash' },
    { path: "x.y/z/", kind: "module", message: 'malformed module path "x.y/z/": trailing slash' },
    { path: "x.y/../z", kind: "module", message: 'malformed module path "x.y/../z": invalid path element ".."' },
    { path: "x.y/.z", kind: "module", message: 'malformed module path "x.y/.z": leading dot in path element' },
    { path: "x.y/z.", kind: "module", message: 'malformed module path "x.y/z.": trailing dot in path element' },
    { path: "x.y/z@v1", kind: "module", message: `malformed module path "x.y/z@v1": invalid char '@'` },
    { path: "x.y/Aux.go", kind: "module", message: 'malformed module path "x.y/Aux.go": "Aux" disallowed as path element component on Windows' },
    { path: "x.y/PROGRA~1", kind: "module", message: 'malformed module path "x.y/PROGRA~1": trailing tilde and digits in path element' },
    { path: "github", kind: "module", message: 'malformed module path "github": missing dot in first path element' },
    { path: "GitHub.com/x", kind: "module", message: `malformed module path "GitHub.com/x": invalid char 'G' in first path element` },
    { path: "x.y/z/v1", kind: "module", message: 'malformed module path "x.y/z/v1": invalid version' },
    { path: "gopkg.in/yaml", kind: "module", message: 'malformed module path "gopkg.in/yaml": invalid version' },
  ])("checkPath($path) error text", ({ path, kind, message }) => {
    expect(() => checkPath(path)).toThrow(message);
    expect(() => checkPath(path)).toThrow(expect.objectContaining({ kind, path }));
  });

  it.each([
    { path: "x.y/a b", message: `malformed import path "x.y/a b": invalid char ' '` },
    { path: "x.y/z+", message: "" },
  ])("checkImportPath($path) error text", ({ path, message }) => {
    if (message === "") expect(() => checkImportPath(path)).not.toThrow();
    else expect(() => checkImportPath(path)).toThrow(message);
  });

  it.each([
    { path: "a/con.txt", message: 'malformed file path "a/con.txt": "con" disallowed as path element component on Windows' },
    { path: "a\\b", message: `malformed file path "a\\\\b": invalid char '\\\\'` },
    { path: "-x/PROGRA~1", message: "" },
    { path: "docs/über uns.md", message: "" },
  ])("checkFilePath($path) error text", ({ path, message }) => {
    if (message === "") expect(() => checkFilePath(path)).not.toThrow();
    else expect(() => checkFilePath(path)).toThrow(message);
  });
});

describe("escaping", () => {
  it.each([
    { path: "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789", esc: "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789" },
    { path: "github.com/GoogleCloudPlatform/omega", esc: "github.com/!google!cloud!platform/omega" },
  ])("escapePath($path)", ({ path, esc }) => {
    expect(escapePath(path)).toBe(esc);
    expect(unescapePath(esc)).toBe(path);
  });

  it.each([
    "github.com/GoogleCloudPlatform/omega",
    "github.com/!google!cloud!platform!/omega",
    "github.com/!0google!cloud!platform/omega",
    "github.com/!_google!cloud!platform/omega",
    "github.com/!!google!cloud!platform/omega",
    "github.com/!google!cloud!platform/omega!",
    "",
  ])("unescapePath(%s) fails", (escaped) => {
    expect(() => unescapePath(escaped)).toThrow(InvalidPathError);
  });

  it.each([
    { escaped: "!x.y/z", message: 'malformed module path "X.y/z": invalid char \'X\' in first path element' },
    { escaped: "x.y/!a!", message: 'malformed module path "x.y/!a!": invalid escaped module path' },
  ])("unescapePath($escaped) error text", ({ escaped, message }) => {
    expect(() => unescapePath(escaped)).toThrow(message);
  });

  it.each([
    { v: "v1.2.3", esc: "v1.2.3" },
    { v: "v1.0.0-RC1", esc: "v1.0.0-!r!c1" },
    { v: "master", esc: "master" },
    { v: "Feature-X", esc: "!feature-!x" },
    { v: "a@b", esc: "a@b" },
  ])("escapeVersion($v)", ({ v, esc }) => {
    expect(escapeVersion(v)).toBe(esc);
    expect(unescapeVersion(esc)).toBe(v);
  });

  it.each([
    { v: "feature/x", reason: "disallowed version string" },
    { v: "con", reason: "disallowed version string" },
    { v: "aux.x", reason: "disallowed version string" },
    { v: "v1.0.", reason: "disallowed version string" },
    { v: "..", reason: "disallowed version string" },
    { v: "", reason: "disallowed version string" },
    { v: "a!b", reason: "disallowed version string" },
    { v: "a b?", reason: "disallowed version string" },
    { v: "vé", reason: "internal error: inconsistency in EscapePath" },
  ])("escapeVersion($v) fails", ({ v, reason }) => {
    expect(() => escapeVersion(v)).toThrow(expect.objectContaining({ version: v, reason }));
  });

  it.each([
    { escaped: "V1", reason: "invalid escaped version" },
    { escaped: "v1!", reason: "invalid escaped version" },
    { escaped: "v1!!a", reason: "invalid escaped version" },
    { escaped: "é", reason: "invalid escaped version" },
    { escaped: "aux", reason: 'invalid escaped version: "aux" disallowed as path element component on Windows' },
    { escaped: "v1.0.", reason: "invalid escaped version: trailing dot in path element" },
    { escaped: "a:b", reason: "invalid escaped version: invalid char ':'" },
  ])("unescapeVersion($escaped) fails", ({ escaped, reason }) => {
    expect(() => unescapeVersion(escaped)).toThrow(expect.objectContaining({ reason }));
  });
});

describe("major versions", () => {
  it.each([
    { path: "x.y/z", prefix: "x.y/z", pathMajor: "", ok: true },
    { path: "x.y/z/v2", prefix: "x.y/z", pathMajor: "/v2", ok: true },
    { path: "x.y/z/v3", prefix: "x.y/z", pathMajor: "/v3", ok: true },
    { path: "x.y/v", prefix: "x.y/v", pathMajor: "", ok: true },
    { path: "gopkg.in/yaml.v0", prefix: "gopkg.in/yaml", pathMajor: ".v0", ok: true },
    { path: "gopkg.in/yaml.v1", prefix: "gopkg.in/yaml", pathMajor: ".v1", ok: true },
    { path: "gopkg.in/yaml.v2", prefix: "gopkg.in/yaml", pathMajor: ".v2", ok: true },
    { path: "gopkg.in/yaml.v3", prefix: "gopkg.in/yaml", pathMajor: ".v3", ok: true },
    { path: "gopkg.in/yaml.v2-unstable", prefix: "gopkg.in/yaml", pathMajor: ".v2-unstable", ok: true },
    { path: "gopkg.in/yaml.v-unstable", prefix: "gopkg.in/yaml", pathMajor: ".v-unstable", ok: true },
    { path: "gopkg.in/yaml", prefix: "gopkg.in/yaml", pathMajor: "", ok: false },
    { path: "gopkg.in/yaml.v01", prefix: "gopkg.in/yaml.v01", pathMajor: "", ok: false },
    { path: "x.y/z/v1", prefix: "x.y/z/v1", pathMajor: "", ok: false },
    { path: "x.y/z/v0", prefix: "x.y/z/v0", pathMajor: "", ok: false },
    { path: "x.y/z/v02", prefix: "x.y/z/v02", pathMajor: "", ok: false },
    { path: "x.y/z/v2.0", prefix: "x.y/z/v2.0", pathMajor: "", ok: false },
    { path: "x.y/z.v2", prefix: "x.y/z.v2", pathMajor: "", ok: true },
  ])("splitPathVersion($path)", ({ path, ...want }) => {
    expect(splitPathVersion(path)).toEqual(want);
  });

  it.each([
    { v: "v0.0.0", pathMajor: "", want: true },
    { v: "v0.0.0", pathMajor: "/v2", want: false },
    { v: "v0.0.0", pathMajor: ".v0", want: true },
    { v: "v0.0.0-20190510104115-cbcb75029529", pathMajor: ".v1", want: true },
    { v: "v1.0.0", pathMajor: "/v2", want: false },
    { v: "v1.0.0", pathMajor: ".v1", want: true },
    { v: "v1.0.0", pathMajor: ".v1-unstable", want: true },
    { v: "v2.0.0+incompatible", pathMajor: "", want: true },
    { v: "v2.0.0", pathMajor: "", want: false },
    { v: "v2.0.0", pathMajor: "/v2", want: true },
    { v: "v2.0.0", pathMajor: ".v2", want: true },
    { v: "v2.0.0+incompatible", pathMajor: "/v2", want: true },
  ])("matchPathMajor($v, $pathMajor)", ({ v, pathMajor, want }) => {
    expect(matchPathMajor(v, pathMajor)).toBe(want);
  });

  it.each([
    { v: "v2.0.0", pathMajor: "", message: "invalid version: should be v0 or v1, not v2" },
    { v: "v1.0.0", pathMajor: "/v2", message: "invalid version: should be v2, not v1" },
    { v: "v0.1.0", pathMajor: ".v1-unstable", message: "invalid version: should be v1, not v0" },
    { v: "bad", pathMajor: "/v3", message: "invalid version: should be v3, not " },
  ])("checkPathMajor($v, $pathMajor) error text", ({ v, pathMajor, message }) => {
    expect(() => checkPathMajor(v, pathMajor)).toThrow(message);
  });

  it.each([
    { pathMajor: "", want: "" },
    { pathMajor: "/v2", want: "v2" },
    { pathMajor: ".v0", want: "v0" },
    { pathMajor: ".v1-unstable", want: "v1" },
  ])("pathMajorPrefix($pathMajor)", ({ pathMajor, want }) => {
    expect(pathMajorPrefix(pathMajor)).toBe(want);
  });

  it.each(["v2", ".v-unstable", "/v02"])("pathMajorPrefix(%s) is a programming error", (pathMajor) => {
    expect(() => pathMajorPrefix(pathMajor)).toThrow(Error);
  });
});

describe("check", () => {
  it.each([
    { path: "rsc.io/quote", version: "0.1.0", ok: false },
    { path: "rsc io/quote", version: "v1.0.0", ok: false },
    { path: "github.com/go-yaml/yaml", version: "v0.8.0", ok: true },
    { path: "github.com/go-yaml/yaml", version: "v1.0.0", ok: true },
    { path: "github.com/go-yaml/yaml", version: "v2.0.0", ok: false },
    { path: "github.com/go-yaml/yaml", version: "v2.1.5", ok: false },
    { path: "github.com/go-yaml/yaml", version: "v3.0.0", ok: false },
    { path: "github.com/go-yaml/yaml/v2", version: "v1.0.0", ok: false },
    { path: "github.com/go-yaml/yaml/v2", version: "v2.0.0", ok: true },
    { path: "github.com/go-yaml/yaml/v2", version: "v2.1.5", ok: true },
    { path: "github.com/go-yaml/yaml/v2", version: "v3.0.0", ok: false },
    { path: "gopkg.in/yaml.v0", version: "v0.8.0", ok: true },
    { path: "gopkg.in/yaml.v0", version: "v1.0.0", ok: false },
    { path: "gopkg.in/yaml.v0", version: "v2.0.0", ok: false },
    { path: "gopkg.in/yaml.v0", version: "v2.1.5", ok: false },
    { path: "gopkg.in/yaml.v0", version: "v3.0.0", ok: false },
    { path: "gopkg.in/yaml.v1", version: "v0.8.0", ok: false },
    { path: "gopkg.in/yaml.v1", version: "v1.0.0", ok: true },
    { path: "gopkg.in/yaml.v1", version: "v2.0.0", ok: false },
    { path: "gopkg.in/yaml.v1", version: "v2.1.5", ok: false },
    { path: "gopkg.in/yaml.v1", version: "v3.0.0", ok: false },
    { path: "gopkg.in/check.v1", version: "v0.0.0", ok: false },
    { path: "gopkg.in/check.v1", version: "v0.0.0-20160102150405-abcdef123456", ok: true },
    { path: "gopkg.in/yaml.v2", version: "v1.0.0", ok: false },
    { path: "gopkg.in/yaml.v2", version: "v2.0.0", ok: true },
    { path: "gopkg.in/yaml.v2", version: "v2.1.5", ok: true },
    { path: "gopkg.in/yaml.v2", version: "v3.0.0", ok: false },
    { path: "rsc.io/quote", version: "v17.0.0", ok: false },
    { path: "rsc.io/quote", version: "v17.0.0+incompatible", ok: true },
  ])("check($path, $version)", ({ path, version, ok }) => {
    expect(passes(() => check(path, version))).toBe(ok);
  });

  it.each([
    { path: "rsc.io/quote", version: "0.1.0", message: "rsc.io/quote@0.1.0: invalid version: not a semantic version" },
    { path: "rsc.io/quote", version: "v2.0.0", message: "rsc.io/quote@v2.0.0: invalid version: should be v0 or v1, not v2" },
    { path: "rsc io/quote", version: "v1.0.0", message: `malformed module path "rsc io/quote": invalid char ' '` },
  ])("check($path, $version) error text", ({ path, version, message }) => {
    expect(() => check(path, version)).toThrow(message);
  });

  it.each([
    { v: "v1.2.3+incompatible", want: "v1.2.3+incompatible" },
    { v: "v1.2+incompatible", want: "" },
    { v: "v1.2.3+meta", want: "v1.2.3" },
    { v: "v1.2", want: "v1.2.0" },
    { v: "bad+incompatible", want: "" },
  ])("canonicalVersion($v)", ({ v, want }) => {
    expect(canonicalVersion(v)).toBe(want);
  });

  it("sortVersions(go.sum lines) orders by path, semver, then suffix", () => {
    const list = [
      { path: "b.c/d", version: "v1.0.0" },
      { path: "a.b/c", version: "v1.10.0/go.mod" },
      { path: "a.b/c", version: "v1.10.0" },
      { path: "a.b/c", version: "v1.9.0" },
      { path: "a.b/c", version: "v1.9.0-rc.1/go.mod" },
    ];
    expect(sortVersions(list).map((m) => `${m.path} ${m.version}`)).toEqual([
      "a.b/c v1.9.0-rc.1/go.mod", "a.b/c v1.9.0", "a.b/c v1.10.0", "a.b/c v1.10.0/go.mod", "b.c/d v1.0.0",
    ]);
  });
});

describe("GOPRIVATE patterns", () => {
  it.each([
    { globs: "", target: "rsc.io/quote", want: false },
    { globs: "/", target: "rsc.io/quote", want: false },
    { globs: "*/quote", target: "rsc.io/quote", want: true },
    { globs: "*/quo", target: "rsc.io/quote", want: false },
    { globs: "*/quo??", target: "rsc.io/quote", want: true },
    { globs: "*/quo*", target: "rsc.io/quote", want: true },
    { globs: "*quo*", target: "rsc.io/quote", want: false },
    { globs: "rsc.io", target: "rsc.io/quote", want: true },
    { globs: "*.io", target: "rsc.io/quote", want: true },
    { globs: "rsc.io/", target: "rsc.io/quote", want: true },
    { globs: "rsc", target: "rsc.io/quote", want: false },
    { globs: "rsc*", target: "rsc.io/quote", want: true },
    { globs: "rsc.io", target: "rsc.io/quote/v3", want: true },
    { globs: "*/quote", target: "rsc.io/quote/v3", want: true },
    { globs: "*/quote/", target: "rsc.io/quote/v3", want: true },
    { globs: "*/quote/*", target: "rsc.io/quote/v3", want: true },
    { globs: "*/quote/*/", target: "rsc.io/quote/v3", want: true },
    { globs: "*/v3", target: "rsc.io/quote/v3", want: false },
    { globs: "*/*/v3", target: "rsc.io/quote/v3", want: true },
    { globs: "*/*/*", target: "rsc.io/quote/v3", want: true },
    { globs: "*/*/*/", target: "rsc.io/quote/v3", want: true },
    { globs: "*/*/*", target: "rsc.io/quote", want: false },
    { globs: "*/*/*/", target: "rsc.io/quote", want: false },
    { globs: "*/*/*,,", target: "rsc.io/quote", want: false },
    { globs: "*/*/*,,*/quote", target: "rsc.io/quote", want: true },
    { globs: ",,*/quote", target: "rsc.io/quote", want: true },
    { globs: "[,rsc.io", target: "rsc.io/quote", want: true }, // a malformed glob is skipped
  ])("matchPrefixPatterns($globs, $target)", ({ globs, target, want }) => {
    expect(matchPrefixPatterns(globs, target)).toBe(want);
  });

  const bad = "bad";
  it.each([
    ["abc", "abc", true], ["*", "abc", true], ["*c", "abc", true], ["a*", "a", true], ["a*", "abc", true],
    ["a*", "ab/c", false], ["a*/b", "abc/b", true], ["a*/b", "a/c/b", false],
    ["a*b*c*d*e*/f", "axbxcxdxe/f", true], ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false], ["a*b*c*d*e*/f", "axbxcxdxexxx/fff", false],
    ["a*b?c*x", "abxbbxdbxebxczzx", true], ["a*b?c*x", "abxbbxdbxebxczzy", false],
    ["ab[c]", "abc", true], ["ab[b-d]", "abc", true], ["ab[e-g]", "abc", false], ["ab[^c]", "abc", false],
    ["ab[^b-d]", "abc", false], ["ab[^e-g]", "abc", true], ["a\\*b", "a*b", true], ["a\\*b", "ab", false],
    ["a?b", "a☺b", true], ["a[^a]b", "a☺b", true], ["a???b", "a☺b", false], ["a[^a][^a][^a]b", "a☺b", false],
    ["[a-ζ]*", "α", true], ["*[a-ζ]", "A", false], ["a?b", "a/b", false], ["a*b", "a/b", false],
    ["[\\]a]", "]", true], ["[\\-]", "-", true], ["[x\\-]", "x", true], ["[x\\-]", "-", true], ["[x\\-]", "z", false],
    ["[\\-x]", "x", true], ["[\\-x]", "-", true], ["[\\-x]", "a", false],
    ["[]a]", "]", bad], ["[-]", "-", bad], ["[x-]", "x", bad], ["[x-]", "-", bad], ["[x-]", "z", bad],
    ["[-x]", "x", bad], ["[-x]", "-", bad], ["[-x]", "a", bad], ["\\", "a", bad], ["[a-b-c]", "a", bad],
    ["[", "a", bad], ["[^", "a", bad], ["[^bc", "a", bad], ["a[", "a", bad], ["a[", "ab", bad], ["a[", "x", bad],
    ["a/b[", "x", bad], ["*x", "xxx", true],
  ] as [string, string, boolean | "bad"][])("pathMatch(%s, %s)", (pattern, name, want) => {
    if (want === bad) expect(() => pathMatch(pattern, name)).toThrow("syntax error in pattern");
    else expect(pathMatch(pattern, name)).toBe(want);
  });
});

describe("Go quoting", () => {
  it.each([
    { s: "abc", want: '"abc"' },
    { s: 'a"b\\', want: '"a\\"b\\\\"' },
    { s: "tab\there\n", want: '"tab\\there\\n"' },
    { s: "\x00\x7f", want: '"\\x00\\x7f"' },
    { s: "é☺\u{1F600}", want: '"é☺\u{1F600}"' },
    { s: "\u00a0\u200b", want: '"\\u00a0\\u200b"' },
    { s: "\u{E0001}", want: '"\\U000e0001"' },
  ])("goQuote($s)", ({ s, want }) => {
    expect(goQuote(s)).toBe(want);
  });

  it.each([
    { r: "a", want: "'a'" },
    { r: "'", want: "'\\''" },
    { r: '"', want: "'\"'" },
    { r: "\u00a0", want: "'\\u00a0'" },
  ])("quoteRune($r)", ({ r, want }) => {
    expect(quoteRune(r)).toBe(want);
  });
});
