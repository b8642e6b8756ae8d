/**
 * Which files go into a module zip: x/mod zip's `checkFiles` and
 * `isVendoredPackage`, as cmd/go applies them in direct mode (coderepo.go
 * `Zip`). Messages are x/mod's, word for word.
 *
 * Input is what cmd/go gets from `git archive` for the module directory:
 * every tree entry below it, slash-separated and relative to the module
 * root. Directory entries never reach x/mod (cmd/go drops names ending in
 * "/"), and neither do git submodules, which `git archive` writes as empty
 * directories: gitlinks are therefore reported as omitted and otherwise
 * ignored, even by the collision check.
 *
 * Left out, silently (`omitted`), in this order of checks:
 * - vendored files (`isVendoredPackage`, which depends on the go directive);
 * - files below a directory (other than the root) that holds a regular file
 *   named go.mod in any letter case: another module. A symlink named go.mod
 *   does not make a module;
 * - `.hg_archival.txt` at the root, whatever the VCS;
 * - symlinks (golang.org/issue/27093) and other irregular files, but only
 *   after their names passed every check below, so a badly named symlink
 *   still makes the version unservable.
 *
 * Fatal (`invalid`, or `sizeError`), making the whole zip unservable:
 * - a path that is not clean or not relative, or fails `checkFilePath`;
 * - `go.mod` at the root in another letter case (`GO.MOD`);
 * - two paths equal under Unicode case folding, a path that is both a file
 *   and a directory, the same file twice;
 * - more than 500 MiB of regular files, a root go.mod or LICENSE above 16 MiB.
 *
 * A path gets at most one report: once a path failed, later entries with
 * the same path are dropped without a word, as x/mod's `errPaths` does.
 *
 * Go 1.19 (our test client) and x/mod master agree on everything but
 * vendoring: master keys it on the root go.mod's go directive (go1.24+
 * drops vendor/modules.txt and fixes the nested offset, golang.org/issue/
 * 37397 and 63395), Go 1.19 always uses the old rule. We implement master,
 * because the checksum database and current go commands compute with it;
 * below go1.24 both give the same result.
 */

import { ZipError } from "../errors.ts";
import { checkFilePath, goQuote } from "../module/path.ts";
import { strToFold } from "./fold.ts";

/** MAX_ZIP_FILE_BYTES limits a module zip and its uncompressed content (x/mod `MaxZipFile`). */
export const MAX_ZIP_FILE_BYTES = 500 << 20;
/** MAX_GO_MOD_BYTES limits the root go.mod (x/mod `MaxGoMod`). */
export const MAX_GO_MOD_BYTES = 16 << 20;
/** MAX_LICENSE_BYTES limits the root LICENSE (x/mod `MaxLICENSE`). */
export const MAX_LICENSE_BYTES = 16 << 20;

/** FileKind is what a tree entry is: git modes 100644/100755, 120000, 160000, or anything else. */
export type FileKind = "file" | "symlink" | "gitlink" | "other";

/** ModuleFile is one entry below the module root. Callers may add fields; they come back in `keep`. */
export interface ModuleFile {
  /** path is slash-separated and relative to the module root: "go.mod", "cmd/x/main.go". */
  path: string;
  kind: FileKind;
  /** size in bytes, after any gitattributes conversion (what the zip will hold). */
  size: number;
}

/** FileProblem says why a file was left out or is invalid. */
export interface FileProblem {
  path: string;
  reason: string;
}

/** CheckedFiles sorts every input file into exactly one of keep, omitted, invalid (or none, for a repeated bad path). */
export interface CheckedFiles<F extends ModuleFile = ModuleFile> {
  /** keep lists the files of the zip, in input order. */
  keep: F[];
  omitted: FileProblem[];
  invalid: FileProblem[];
  /** sizeError is set when the files together exceed MAX_ZIP_FILE_BYTES. */
  sizeError?: string;
}

/**
 * checkFiles sorts a module directory's files as x/mod's `checkFiles` does.
 * goVersion is the root go.mod's go directive ("1.24", "1.21.0"), or "" if
 * there is no root go.mod, it is not a regular file, or x/mod's
 * `modfile.ParseLax` would reject it.
 *
 * @example checkFiles([{ path: "vendor/x/y.go", kind: "file", size: 1 }], "").omitted
 *   // [{ path: "vendor/x/y.go", reason: "file is in vendor directory" }]
 * Edge case: it never throws; `checkZipFiles` turns problems into ZipError.
 */
export function checkFiles<F extends ModuleFile>(files: readonly F[], goVersion: string): CheckedFiles<F> {
  const result: CheckedFiles<F> = { keep: [], omitted: [], invalid: [] };
  const reported = new Set<string>();
  const report = (path: string, omitted: boolean, reason: string) => {
    if (reported.has(path)) return;
    reported.add(path);
    (omitted ? result.omitted : result.invalid).push({ path, reason });
  };

  const moduleDirs = new Set<string>();
  for (const f of files) {
    const slash = f.path.lastIndexOf("/");
    if (f.kind === "file" && f.path.slice(slash + 1).toLowerCase() === "go.mod") {
      moduleDirs.add(f.path.slice(0, slash + 1));
    }
  }
  const inSubmodule = (p: string) => {
    for (let i = p.lastIndexOf("/"); i > 0; i = p.lastIndexOf("/", i - 1)) {
      if (moduleDirs.has(p.slice(0, i + 1))) return true;
    }
    return false;
  };

  const go124 = isGo124OrLater(goVersion);
  const collisions = new CollisionChecker();
  let budget = MAX_ZIP_FILE_BYTES;
  for (const f of files) {
    const p = f.path;
    if (f.kind === "gitlink") {
      report(p, true, "directory is a git submodule");
      continue;
    }
    if (p !== cleanPath(p)) {
      report(p, false, "file path is not clean");
      continue;
    }
    if (p.startsWith("/")) {
      report(p, false, "file path is not relative");
      continue;
    }
    if (vendored(p, go124)) {
      report(p, true, "file is in vendor directory");
      continue;
    }
    if (inSubmodule(p)) {
      report(p, true, "file is in another module");
      continue;
    }
    if (p === ".hg_archival.txt") {
      report(p, true, "file is inserted by 'hg archive' and is always omitted");
      continue;
    }
    try {
      checkFilePath(p);
    } catch (err) {
      report(p, false, (err as Error).message);
      continue;
    }
    if (p.toLowerCase() === "go.mod" && p !== "go.mod") {
      report(p, false, "go.mod files must have lowercase names");
      continue;
    }
    const collision = collisions.check(p, false);
    if (collision) {
      report(p, false, collision);
      continue;
    }
    if (f.kind === "symlink") {
      report(p, true, "file is a symbolic link");
      continue;
    }
    if (f.kind !== "file") {
      report(p, true, "not a regular file");
      continue;
    }
    if (f.size >= 0 && f.size <= budget) {
      budget -= f.size;
    } else {
      result.sizeError ??= `module source tree too large (max size is ${MAX_ZIP_FILE_BYTES} bytes)`;
    }
    if (p === "go.mod" && f.size > MAX_GO_MOD_BYTES) {
      report(p, false, `go.mod file too large (max size is ${MAX_GO_MOD_BYTES} bytes)`);
      continue;
    }
    if (p === "LICENSE" && f.size > MAX_LICENSE_BYTES) {
      report(p, false, `LICENSE file too large (max size is ${MAX_LICENSE_BYTES} bytes)`);
      continue;
    }
    result.keep.push(f);
  }
  return result;
}

/**
 * checkZipFiles returns the files of the module zip, or throws ZipError when
 * they cannot form one. The message is x/mod's `Create` error: the size
 * error, else one `path: reason` line per invalid file.
 *
 * @example checkZipFiles([{ path: "GO.MOD", kind: "file", size: 9 }], "")
 *   // throws ZipError "create zip: GO.MOD: go.mod files must have lowercase names"
 * Edge case: omitted files never cause an error, even if all files are omitted.
 */
export function checkZipFiles<F extends ModuleFile>(files: readonly F[], goVersion: string): F[] {
  const checked = checkFiles(files, goVersion);
  if (checked.sizeError) throw new ZipError(`create zip: ${checked.sizeError}`);
  if (checked.invalid.length > 0) {
    throw new ZipError("create zip: " + checked.invalid.map((e) => `${e.path}: ${e.reason}`).join("\n"));
  }
  return checked.keep;
}

/**
 * needsRootLicense reports whether cmd/go would add the repository root's
 * LICENSE to this module's files (coderepo.go `Zip`, REF §vcs-license): the
 * module lives below the repository root (moduleDir is not "", a major
 * version directory such as "v2" included) and `git archive` of its
 * directory has no entry named exactly "LICENSE". A symlink counts as an
 * entry, so its module gets no LICENSE at all (the symlink is then
 * omitted); a gitlink does not, `git archive` writes it as a directory.
 * The caller appends the root's LICENSE blob last, whatever its size (a
 * symlink's blob is its target text; a tree or gitlink is not added), and
 * checkFiles judges it like any file: above 16 MiB, or colliding with a
 * lower-case "license", it makes the zip invalid, as in cmd/go.
 *
 * @example needsRootLicense([{ path: "go.mod", kind: "file", size: 9 }], "v2") === true
 * Edge case: "LICENSE.txt" and "license" do not count.
 */
export function needsRootLicense(files: readonly ModuleFile[], moduleDir: string): boolean {
  return moduleDir !== "" && !files.some((f) => f.path === "LICENSE" && f.kind !== "gitlink");
}

/**
 * isVendoredPackage reports whether a file belongs to a vendored package,
 * one whose import path contains, but does not end in, a "vendor" element
 * (x/mod zip `isVendoredPackage`). goVersion is the go directive, as for
 * checkFiles.
 *
 * @example isVendoredPackage("vendor/example.com/x/x.go", "") === true
 * @example isVendoredPackage("vendor/modules.txt", "1.24") === true // kept before go1.24
 * Edge case: before go1.24, "pkg/vendor/vendor.go" counts as vendored: the
 * rest was taken 8 bytes from the start of the name instead of after
 * "/vendor/" (golang.org/issue/37397), and checksums depend on it.
 */
export function isVendoredPackage(name: string, goVersion: string): boolean {
  return vendored(name, isGo124OrLater(goVersion));
}

function vendored(name: string, go124: boolean): boolean {
  if (go124 && name === "vendor/modules.txt") return true;
  let rest: number;
  if (name.startsWith("vendor/")) {
    rest = "vendor/".length;
  } else {
    const j = name.indexOf("/vendor/");
    if (j < 0) return false;
    rest = go124 ? j + "/vendor/".length : "/vendor/".length;
  }
  return name.indexOf("/", rest) >= 0;
}

/**
 * isGo124OrLater reports whether the go directive v is a valid Go version
 * (go/version.IsValid of "go"+v) whose language version is at least 1.24.
 * Invalid or empty versions compare below every valid one, as in
 * go/version.Compare.
 */
function isGo124OrLater(v: string): boolean {
  // major[.minor[.patch | prerelease]]: numbers without leading zeros,
  // a prerelease is lowercase letters optionally followed by a number.
  const m = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(?:0|[1-9]\d*)|[a-z]+(?:0|[1-9]\d*)?)?)?$/.exec(v);
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? "0");
  return major > 1 || (major === 1 && minor >= 24);
}

/** CollisionChecker is x/mod's `collisionChecker`: paths keyed by strToFold, parents checked as directories. */
class CollisionChecker {
  readonly #seen = new Map<string, { path: string; isDir: boolean }>();

  /** check records p and its parent directories, returning the x/mod message of a conflict. */
  check(p: string, isDir: boolean): string | undefined {
    for (;;) {
      const fold = strToFold(p);
      const other = this.#seen.get(fold);
      if (other) {
        if (other.path !== p) return `case-insensitive file name collision: ${goQuote(other.path)} and ${goQuote(p)}`;
        if (other.isDir !== isDir) return `entry ${goQuote(p)} is both a file and a directory`;
        if (!isDir) return `multiple entries for file ${goQuote(p)}`;
      } else {
        this.#seen.set(fold, { path: p, isDir });
      }
      const slash = p.lastIndexOf("/");
      if (slash < 0) return undefined;
      p = p.slice(0, slash);
      isDir = true;
    }
  }
}

/** cleanPath is Go's path.Clean. */
function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const elem of p.split("/")) {
    if (elem === "" || elem === ".") continue;
    if (elem === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(elem);
  }
  const s = (rooted ? "/" : "") + out.join("/");
  return s === "" ? "." : s;
}
