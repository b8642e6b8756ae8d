/**
 * Go's rules for module, import and file paths, their escaped forms, and how a
 * path's major-version suffix constrains its versions, as golang.org/x/mod
 * module/module.go defines them.
 *
 * Paths. A path is non-empty valid Unicode, has no `//`, no trailing `/`, and,
 * unless it is a file path, no leading `-`. Each slash-separated element is
 * non-empty, not all dots, and does not end in `.`. Module paths also forbid
 * a leading `.` in any element. Characters are an allow-list:
 *   - module path elements: ASCII letters and digits, `- . _ ~`;
 *   - import path elements: the same plus `+`;
 *   - file path elements: any Unicode letter, ASCII digits, space and
 *     `! # $ % & ( ) + , - . = @ [ ] ^ _ { } ~`.
 * The part of an element before its first dot must not be a reserved Windows
 * name (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9, any case), and in module and
 * import paths it must not end in `~` plus digits (an 8.3 short name such as
 * `PROGRA~1`). A module path's first element is a lower-case domain-like
 * `[a-z0-9.-]` name with at least one dot; a final `/vN` needs N ≥ 2 without
 * a leading zero or dots; `gopkg.in/` paths end in `.vN` (N may be 0 or 1),
 * optionally with `-unstable`.
 *
 * Escaping. File systems and URLs may be case-insensitive, so the proxy
 * protocol never relies on case: every upper-case letter of a path or version
 * becomes `!` plus its lower-case form (`github.com/Azure` →
 * `github.com/!azure`). Paths never contain `!`, so no other escape exists.
 *
 * Source: golang.org/x/mod module/module.go (fe2ec04); go path.Match for
 * GOPRIVATE-style patterns; go.dev/ref/mod#module-path, #goproxy-protocol.
 */

import { InvalidPathError, InvalidVersionError, ModuleError } from "../errors.ts";
import { build, canonical, compare, compareStrings, isValid, major } from "./version.ts";

type PathKind = "module" | "import" | "file";

/** The reserved device names of Windows (learn.microsoft.com "Naming a file"). */
const BAD_WINDOWS_NAMES = [
  "CON", "PRN", "AUX", "NUL",
  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
  "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/** File-name punctuation: all ASCII punctuation minus shell and OS specials `" ' * < > ? \` | / \ :` and `;`. */
const FILE_PUNCTUATION = "!#$%&()+,-.=@[]^_{}~ ";

/**
 * checkPath throws InvalidPathError (kind "module") unless path is a valid
 * module path (module.CheckPath).
 *
 * @example checkPath("github.com/user/repo/v2") // ok
 * @example checkPath("github.com/user/repo/v1") // throws: malformed module path "github.com/user/repo/v1": invalid version
 * Edge case: upper case is fine after the first element
 * (`github.com/Azure/sdk`); the first element must be lower case.
 */
export function checkPath(path: string): void {
  const reason = modulePathProblem(path);
  if (reason !== undefined) throw new InvalidPathError("module", path, reason);
}

/**
 * checkImportPath throws InvalidPathError (kind "import") unless path is a
 * valid package import path (module.CheckImportPath).
 *
 * @example checkImportPath("example.com/cmd/g++") // ok: "+" is allowed
 * Edge case: the x/mod doc says "no two dots in a row", but the code allows
 * `a..b`; we follow the code.
 */
export function checkImportPath(path: string): void {
  const reason = pathProblem(path, "import");
  if (reason !== undefined) throw new InvalidPathError("import", path, reason);
}

/**
 * checkFilePath throws InvalidPathError (kind "file") unless path is a valid
 * slash-separated file path inside a module (module.CheckFilePath).
 *
 * @example checkFilePath("docs/über uns.md") // ok: Unicode letters and spaces
 * Edge case: `.gitignore` and `-x` are fine here, `aux.go` and `x:y` are not.
 */
export function checkFilePath(path: string): void {
  const reason = pathProblem(path, "file");
  if (reason !== undefined) throw new InvalidPathError("file", path, reason);
}

function modulePathProblem(path: string): string | undefined {
  const problem = pathProblem(path, "module");
  if (problem !== undefined) return problem;
  const slash = path.indexOf("/");
  const first = slash < 0 ? path : path.slice(0, slash);
  if (first === "") return "leading slash";
  if (!first.includes(".")) return "missing dot in first path element";
  if (path[0] === "-") return "leading dash in first path element";
  for (const r of first) {
    if (!/^[-.0-9a-z]$/.test(r)) return `invalid char ${quoteRune(r)} in first path element`;
  }
  if (!splitPathVersion(path).ok) return "invalid version";
  return undefined;
}

function pathProblem(path: string, kind: PathKind): string | undefined {
  // A lone UTF-16 surrogate is what invalid UTF-8 becomes in a JS string.
  if (/\p{Cs}/u.test(path)) return "invalid UTF-8";
  if (path === "") return "empty string";
  if (path[0] === "-" && kind !== "file") return "leading dash";
  if (path.includes("//")) return "double slash";
  if (path.endsWith("/")) return "trailing slash";
  for (const elem of path.split("/")) {
    const problem = elemProblem(elem, kind);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function elemProblem(elem: string, kind: PathKind): string | undefined {
  if (elem === "") return "empty path element";
  if (/^\.+$/.test(elem)) return `invalid path element ${goQuote(elem)}`;
  if (elem[0] === "." && kind === "module") return "leading dot in path element";
  if (elem.endsWith(".")) return "trailing dot in path element";
  for (const r of elem) {
    if (!charOK(r, kind)) return `invalid char ${quoteRune(r)}`;
  }
  const dot = elem.indexOf(".");
  const short = dot < 0 ? elem : elem.slice(0, dot);
  // ASCII-only upper case: Go's EqualFold does not fold "ı" to "I" as toUpperCase would.
  if (BAD_WINDOWS_NAMES.includes(short.replace(/[a-z]/g, (c) => c.toUpperCase()))) {
    return `${goQuote(short)} disallowed as path element component on Windows`;
  }
  // Short names matter where Go paths become directories (GOPATH, module cache), not in zip files.
  if (kind !== "file" && /~[0-9]+$/.test(short)) return "trailing tilde and digits in path element";
  return undefined;
}

function charOK(r: string, kind: PathKind): boolean {
  // Unicode would need case-folding and normalization rules first (x/mod's "Unicode Restrictions").
  if (/^[0-9A-Za-z]$/.test(r)) return true;
  switch (kind) {
    case "module":
      return "-._~".includes(r);
    case "import":
      return "-._~+".includes(r);
    case "file":
      return r.codePointAt(0)! < 0x80 ? FILE_PUNCTUATION.includes(r) : /^\p{L}$/u.test(r);
  }
}

/**
 * splitPathVersion splits a module path into the prefix and its major-version
 * suffix, `/vN` (N ≥ 2), or `.vN[-unstable]` for gopkg.in
 * (module.SplitPathVersion). prefix + pathMajor === path always.
 *
 * @example splitPathVersion("x.y/z/v2") // { prefix: "x.y/z", pathMajor: "/v2", ok: true }
 * @example splitPathVersion("gopkg.in/yaml.v2-unstable") // { prefix: "gopkg.in/yaml", pathMajor: ".v2-unstable", ok: true }
 * Edge case: `/v1`, `/v0`, `/v02`, `/v2.0` and a gopkg.in path without `.vN`
 * give ok false (CheckPath's "invalid version").
 */
export function splitPathVersion(path: string): { prefix: string; pathMajor: string; ok: boolean } {
  if (path.startsWith("gopkg.in/")) return splitGopkgIn(path);
  let i = path.length;
  let dot = false;
  while (i > 0 && /[0-9.]/.test(path[i - 1]!)) {
    if (path[i - 1] === ".") dot = true;
    i--;
  }
  if (i <= 1 || i === path.length || path[i - 1] !== "v" || path[i - 2] !== "/") {
    return { prefix: path, pathMajor: "", ok: true };
  }
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (dot || pathMajor.length <= 2 || pathMajor[2] === "0" || pathMajor === "/v1") {
    return { prefix: path, pathMajor: "", ok: false };
  }
  return { prefix, pathMajor, ok: true };
}

function splitGopkgIn(path: string): { prefix: string; pathMajor: string; ok: boolean } {
  let i = path.length;
  if (path.endsWith("-unstable")) i -= "-unstable".length;
  while (i > 0 && /[0-9]/.test(path[i - 1]!)) i--;
  if (i <= 1 || path[i - 1] !== "v" || path[i - 2] !== ".") {
    return { prefix: path, pathMajor: "", ok: false };
  }
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (pathMajor.length <= 2 || (pathMajor[2] === "0" && pathMajor !== ".v0")) {
    return { prefix: path, pathMajor: "", ok: false };
  }
  return { prefix, pathMajor, ok: true };
}

/**
 * checkPathMajor throws InvalidVersionError unless version v fits the path's
 * major suffix pathMajor (module.CheckPathMajor): no suffix takes v0, v1 or
 * any `+incompatible` version; `/vN` and `.vN` take vN.
 *
 * @example checkPathMajor("v2.0.0", "") // throws: invalid version: should be v0 or v1, not v2
 * Edge case: gopkg.in `.v1` also takes `v0.0.0-…` pseudo-versions, which
 * early vgo generated (gopkg.in/yaml.v2's go.mod still requires one).
 */
export function checkPathMajor(v: string, pathMajor: string): void {
  if (pathMajor.startsWith(".v") && pathMajor.endsWith("-unstable")) {
    pathMajor = pathMajor.slice(0, -"-unstable".length);
  }
  if (v.startsWith("v0.0.0-") && pathMajor === ".v1") return;
  const m = major(v);
  let want = pathMajor;
  if (pathMajor === "") {
    if (m === "v0" || m === "v1" || build(v) === "+incompatible") return;
    want = "v0 or v1";
  } else if (pathMajor[0] === "/" || pathMajor[0] === ".") {
    if (m === pathMajor.slice(1)) return;
    want = pathMajor.slice(1);
  }
  throw new InvalidVersionError(v, `should be ${want}, not ${m}`);
}

/**
 * matchPathMajor reports whether checkPathMajor(v, pathMajor) would pass
 * (module.MatchPathMajor).
 *
 * @example matchPathMajor("v2.0.0+incompatible", "") === true
 * Edge case: matchPathMajor("v0.0.0-20190510104115-cbcb75029529", ".v1") === true.
 */
export function matchPathMajor(v: string, pathMajor: string): boolean {
  try {
    checkPathMajor(v, pathMajor);
    return true;
  } catch (err) {
    if (err instanceof InvalidVersionError) return false;
    throw err;
  }
}

/**
 * pathMajorPrefix returns the major version that pathMajor implies, the tag
 * prefix of a pseudo-version without base (module.PathMajorPrefix).
 *
 * @example pathMajorPrefix("/v3") === "v3"
 * @example pathMajorPrefix(".v1-unstable") === "v1"
 * Edge case: "" returns "" (v0 or v1); a suffix without `/` or `.`, or one
 * that is not a major version (`.v-unstable`, which splitPathVersion
 * accepts), is a programming error and throws a plain Error, as x/mod panics.
 */
export function pathMajorPrefix(pathMajor: string): string {
  if (pathMajor === "") return "";
  if (pathMajor[0] !== "/" && pathMajor[0] !== ".") {
    throw new Error(`pathMajor suffix ${pathMajor} passed to PathMajorPrefix lacks separator`);
  }
  if (pathMajor.startsWith(".v") && pathMajor.endsWith("-unstable")) {
    pathMajor = pathMajor.slice(0, -"-unstable".length);
  }
  const m = pathMajor.slice(1);
  if (m !== major(m)) {
    throw new Error(`pathMajor suffix ${pathMajor} passed to PathMajorPrefix is not a valid major version`);
  }
  return m;
}

/**
 * check throws unless path is a valid module path and version a valid
 * semantic version that fits the path's major suffix (module.Check).
 * Path problems throw InvalidPathError; version problems throw a ModuleError
 * wrapping InvalidVersionError.
 *
 * @example check("rsc.io/quote", "v17.0.0+incompatible") // ok
 * @example check("rsc.io/quote", "0.1.0") // throws: rsc.io/quote@0.1.0: invalid version: not a semantic version
 * Edge case: non-canonical versions pass (`v1.2`); only validity is checked.
 */
export function check(path: string, version: string): void {
  checkPath(path);
  if (!isValid(version)) {
    throw new ModuleError(path, version, new InvalidVersionError(version, "not a semantic version"));
  }
  try {
    checkPathMajor(version, splitPathVersion(path).pathMajor);
  } catch (err) {
    if (err instanceof InvalidVersionError) throw new ModuleError(path, version, err);
    throw err;
  }
}

/**
 * canonicalVersion is semver's canonical form that keeps a `+incompatible`
 * suffix (module.CanonicalVersion).
 *
 * @example canonicalVersion("v2.0+incompatible") === "" // shorthands take no build suffix
 * @example canonicalVersion("v2.0.0+incompatible") === "v2.0.0+incompatible"
 * Edge case: other build metadata is dropped: "v1.2.3+meta" → "v1.2.3".
 */
export function canonicalVersion(v: string): string {
  const cv = canonical(v);
  return build(v) === "+incompatible" ? cv + "+incompatible" : cv;
}

/** A module path and version pair, as x/mod's module.Version. */
export interface ModuleVersion {
  path: string;
  version: string;
}

/**
 * sortVersions sorts module versions in place by path, then by semantic
 * version, then by any `/suffix` such as "/go.mod" (module.Sort, the go.sum
 * order), and returns the list.
 *
 * @example sortVersions([{ path: "a.b", version: "v1.10.0" }, { path: "a.b", version: "v1.9.0" }]) // v1.9.0 first
 * Edge case: versions equal in precedence (`v1.2`, `v1.2.0`) tie; unlike
 * `sort` in version.ts there is no string tie-break.
 */
export function sortVersions<T extends ModuleVersion>(list: T[]): T[] {
  return list.sort((a, b) => {
    if (a.path !== b.path) return compareStrings(a.path, b.path);
    const [vi, fi] = splitSuffix(a.version);
    const [vj, fj] = splitSuffix(b.version);
    if (vi !== vj) return compare(vi, vj);
    return compareStrings(fi, fj);
  });
}

function splitSuffix(v: string): [string, string] {
  const k = v.indexOf("/");
  return k < 0 ? [v, ""] : [v.slice(0, k), v.slice(k)];
}

/**
 * escapePath checks a module path and returns its case-safe escaped form
 * (module.EscapePath).
 *
 * @example escapePath("github.com/GoogleCloudPlatform/omega") === "github.com/!google!cloud!platform/omega"
 * Edge case: an invalid path throws InvalidPathError (kind "module").
 */
export function escapePath(path: string): string {
  checkPath(path);
  return escapeString(path);
}

/**
 * escapeVersion returns the case-safe escaped form of a version or query
 * (module.EscapeVersion). Versions need not be semver but must be valid file
 * names (checkFilePath's element rules) without `!`.
 *
 * @example escapeVersion("v1.0.0-RC1") === "v1.0.0-!r!c1"
 * Edge case: throws InvalidVersionError "disallowed version string" for
 * `feature/x`, `con`, `v1.0.` or `a!b`; a non-ASCII letter passes the file
 * name rule but cannot be escaped, and throws "internal error: inconsistency
 * in EscapePath", as x/mod does.
 */
export function escapeVersion(v: string): string {
  if (elemProblem(v, "file") !== undefined || v.includes("!")) {
    throw new InvalidVersionError(v, "disallowed version string");
  }
  if (/[^\x00-\x7f]/.test(v)) throw new InvalidVersionError(v, "internal error: inconsistency in EscapePath");
  return escapeString(v);
}

function escapeString(s: string): string {
  return s.replace(/[A-Z]/g, (c) => "!" + c.toLowerCase());
}

/**
 * unescapePath decodes an escaped module path and checks the result
 * (module.UnescapePath).
 *
 * @example unescapePath("github.com/!azure/go-sdk") === "github.com/Azure/go-sdk"
 * Edge case: a raw upper-case letter, non-ASCII, `!` before anything but
 * `a`–`z`, or a trailing `!` throws InvalidPathError with reason "invalid
 * escaped module path"; a decoded path that fails checkPath throws that
 * error, naming the decoded path.
 */
export function unescapePath(escaped: string): string {
  const path = unescapeString(escaped);
  if (path === undefined) throw new InvalidPathError("module", escaped, "invalid escaped module path");
  checkPath(path);
  return path;
}

/**
 * unescapeVersion decodes an escaped version and checks that it is a valid
 * file name (module.UnescapeVersion).
 *
 * @example unescapeVersion("v1.0.0-!r!c1") === "v1.0.0-RC1"
 * Edge case: throws InvalidVersionError "invalid escaped version" for bad
 * escapes, and "invalid escaped version: <reason>" for a decoded name such as
 * `aux` or `v1.0.`.
 */
export function unescapeVersion(escaped: string): string {
  const v = unescapeString(escaped);
  if (v === undefined) throw new InvalidVersionError(escaped, "invalid escaped version");
  const problem = elemProblem(v, "file");
  if (problem !== undefined) throw new InvalidVersionError(v, `invalid escaped version: ${problem}`);
  return v;
}

function unescapeString(escaped: string): string | undefined {
  if (/[^\x00-\x7f]|[A-Z]|![^a-z]|!$/.test(escaped)) return undefined;
  return escaped.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * matchPrefixPatterns reports whether some leading elements of target match
 * a glob in the comma-separated list globs, the GOPRIVATE / GONOPROXY /
 * GONOSUMDB rule (module.MatchPrefixPatterns). A glob with N slashes is
 * matched, with `pathMatch`, against target's first N+1 elements.
 *
 * @example matchPrefixPatterns("*.corp.example,rsc.io/private", "rsc.io/private/v2") === true
 * Edge case: empty entries and trailing slashes are ignored, and a malformed
 * glob (`[`) never matches instead of failing.
 */
export function matchPrefixPatterns(globs: string, target: string): boolean {
  for (let glob of globs.split(",")) {
    if (glob.endsWith("/")) glob = glob.slice(0, -1);
    if (glob === "") continue;
    let n = [...glob].filter((c) => c === "/").length;
    let prefix = target;
    for (let i = 0; i < target.length; i++) {
      if (target[i] !== "/") continue;
      if (n === 0) {
        prefix = target.slice(0, i);
        break;
      }
      n--;
    }
    if (n > 0) continue;
    try {
      if (pathMatch(glob, prefix)) return true;
    } catch {
      // x/mod ignores malformed patterns.
    }
  }
  return false;
}

/**
 * pathMatch reports whether name matches the shell pattern (Go's path.Match):
 * `*` is any run of non-`/` characters, `?` one non-`/` character,
 * `[a-z]`/`[^a-z]` a class, `\c` a literal c; the whole name must match.
 *
 * @example pathMatch("*.example.com", "git.example.com") === true
 * Edge case: a malformed pattern (`[`, `a\`, `[]a]`) throws
 * Error("syntax error in pattern"), though, like Go, only once matching
 * reaches the bad part.
 */
export function pathMatch(pattern: string, name: string): boolean {
  let pat = [...pattern];
  let s = [...name];
  outer: while (pat.length > 0) {
    const { star, chunk, rest } = scanChunk(pat);
    pat = rest;
    if (star && chunk.length === 0) return !s.includes("/"); // trailing * matches the rest unless it has a /
    const t = matchChunk(chunk, s);
    if (t !== undefined && (t.length === 0 || pat.length > 0)) {
      s = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < s.length && s[i] !== "/"; i++) {
        const u = matchChunk(chunk, s.slice(i + 1));
        if (u !== undefined) {
          if (pat.length === 0 && u.length > 0) continue; // the last chunk must consume the name
          s = u;
          continue outer;
        }
      }
    }
    // Before failing, check the rest of the pattern, so that bad patterns are reported as Go does.
    while (pat.length > 0) {
      const next = scanChunk(pat);
      pat = next.rest;
      matchChunk(next.chunk, []);
    }
    return false;
  }
  return s.length === 0;
}

/** scanChunk splits off a run of stars and the literal chunk after it. */
function scanChunk(pat: string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let i = 0;
  while (i < pat.length && pat[i] === "*") i++;
  const star = i > 0;
  const start = i;
  let inRange = false;
  for (; i < pat.length; i++) {
    const c = pat[i];
    if (c === "\\") {
      if (i + 1 < pat.length) i++;
    } else if (c === "[") inRange = true;
    else if (c === "]") inRange = false;
    else if (c === "*" && !inRange) break;
  }
  return { star, chunk: pat.slice(start, i), rest: pat.slice(i) };
}

/**
 * matchChunk matches a star-free chunk against the start of s and returns
 * what is left of s, or undefined. It throws on a malformed chunk even after
 * the match has failed, as Go does.
 */
function matchChunk(chunk: string[], s: string[]): string[] | undefined {
  let failed = false;
  let k = 0;
  let j = 0;
  const bad = () => new Error("syntax error in pattern");
  const getEsc = (): string => {
    if (k >= chunk.length || chunk[k] === "-" || chunk[k] === "]") throw bad();
    if (chunk[k] === "\\" && ++k >= chunk.length) throw bad();
    const r = chunk[k++]!;
    if (k >= chunk.length) throw bad();
    return r;
  };
  while (k < chunk.length) {
    if (!failed && j >= s.length) failed = true;
    const c = chunk[k]!;
    if (c === "[") {
      const r = failed ? "" : s[j++]!;
      k++;
      const negated = chunk[k] === "^";
      if (negated) k++;
      let match = false;
      for (let nrange = 0; ; nrange++) {
        if (chunk[k] === "]" && nrange > 0) {
          k++;
          break;
        }
        const lo = getEsc();
        const hi = chunk[k] === "-" ? (k++, getEsc()) : lo;
        if (!failed && lo.codePointAt(0)! <= r.codePointAt(0)! && r.codePointAt(0)! <= hi.codePointAt(0)!) {
          match = true;
        }
      }
      if (match === negated) failed = true;
    } else if (c === "?") {
      if (!failed && s[j++] === "/") failed = true;
      k++;
    } else {
      if (c === "\\" && ++k >= chunk.length) throw bad();
      if (!failed && chunk[k] !== s[j++]) failed = true;
      k++;
    }
  }
  return failed ? undefined : s.slice(j);
}

/**
 * goQuote quotes s the way Go's strconv.Quote (and so `%q`) does: double
 * quotes, backslash escapes, `\x`/`\u`/`\U` for non-printable characters,
 * printable Unicode kept as is.
 *
 * @example goQuote('a"b\n') === '"a\\"b\\n"'
 * Edge case: a lone surrogate, which has no UTF-8 form, is written `\ud800`.
 */
export function goQuote(s: string): string {
  return '"' + [...s].map((r) => escapeRune(r, '"')).join("") + '"';
}

/** quoteRune quotes one character as Go's `%q` of a rune: `'x'`, `'\''`, `'\x00'`. */
export function quoteRune(r: string): string {
  return "'" + escapeRune(r, "'") + "'";
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
};

function escapeRune(r: string, quote: string): string {
  if (r === quote || r === "\\") return "\\" + r;
  if (isPrint(r)) return r;
  if (SIMPLE_ESCAPES[r]) return SIMPLE_ESCAPES[r]!;
  const cp = r.codePointAt(0)!;
  const hex = cp.toString(16);
  if (cp < 0x20 || cp === 0x7f) return "\\x" + hex.padStart(2, "0");
  if (cp < 0x10000) return "\\u" + hex.padStart(4, "0");
  return "\\U" + hex.padStart(8, "0");
}

/** isPrint is Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isPrint(r: string): boolean {
  return r === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(r);
}
