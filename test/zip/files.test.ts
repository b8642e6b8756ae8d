import { describe, expect, test } from "vitest";
import { ZipError } from "../../src/errors.ts";
import { hash1 } from "../../src/hash/dirhash.ts";
import {
  checkFiles,
  type CheckedFiles,
  checkZipFiles,
  isVendoredPackage,
  MAX_GO_MOD_BYTES,
  MAX_LICENSE_BYTES,
  MAX_ZIP_FILE_BYTES,
  type ModuleFile,
  needsRootLicense,
} from "../../src/zip/files.ts";
import { parseTxtar } from "./txtar.ts";

/** goDirective reads the go line of a go.mod, as modfile.ParseLax would for these fixtures. */
function goDirective(gomod: string | undefined): string {
  return gomod === undefined ? "" : (/^go\s+(\S+)\s*$/m.exec(gomod)?.[1] ?? "");
}

/** format prints CheckedFiles as x/mod zip_test.go `formatCheckedFiles`. */
function format(cf: CheckedFiles): string {
  let s = "valid:\n";
  for (const f of cf.keep) s += f.path + "\n";
  s += "\nomitted:\n";
  for (const e of cf.omitted) s += `${e.path}: ${e.reason}\n`;
  s += "\ninvalid:\n";
  for (const e of cf.invalid) s += `${e.path}: ${e.reason}\n`;
  return s;
}

function regular(path: string, size = 0): ModuleFile {
  return { path, kind: "file", size };
}

/**
 * x/mod zip/testdata/check_files/*.txt at fe2ec04 (BSD licence): a file
 * list (in order, duplicates included) and the expected report.
 */
const checkFilesFixtures: Record<string, string> = {
  "empty": String.raw`-- want --
valid:

omitted:

invalid:
`,
  "various": String.raw`-- want --
valid:
valid.go
vendor/modules.txt

omitted:
vendor/x/y: file is in vendor directory
sub/go.mod: file is in another module
.hg_archival.txt: file is inserted by 'hg archive' and is always omitted
pkg/vendor/vendor.go: file is in vendor directory

invalid:
not/../clean: file path is not clean
GO.MOD: go.mod files must have lowercase names
invalid.go': malformed file path "invalid.go'": invalid char '\''
valid.go: multiple entries for file "valid.go"
-- valid.go --
-- not/../clean --
-- GO.MOD --
-- invalid.go' --
-- vendor/x/y --
-- vendor/modules.txt --
-- sub/go.mod --
-- .hg_archival.txt --
-- valid.go --
duplicate
-- valid.go --
another duplicate
-- pkg/vendor/vendor.go --
`,
  "various_go123": String.raw`-- want --
valid:
valid.go
go.mod
vendor/modules.txt

omitted:
vendor/x/y: file is in vendor directory
sub/go.mod: file is in another module
.hg_archival.txt: file is inserted by 'hg archive' and is always omitted
pkg/vendor/vendor.go: file is in vendor directory

invalid:
not/../clean: file path is not clean
invalid.go': malformed file path "invalid.go'": invalid char '\''
valid.go: multiple entries for file "valid.go"
-- valid.go --
-- not/../clean --
-- go.mod --
go 1.23
-- invalid.go' --
-- vendor/x/y --
-- vendor/modules.txt --
-- sub/go.mod --
-- .hg_archival.txt --
-- valid.go --
duplicate
-- valid.go --
another duplicate
-- pkg/vendor/vendor.go --
`,
  "various_go124": String.raw`-- want --
valid:
valid.go
go.mod
pkg/vendor/vendor.go

omitted:
vendor/x/y: file is in vendor directory
vendor/modules.txt: file is in vendor directory
sub/go.mod: file is in another module
.hg_archival.txt: file is inserted by 'hg archive' and is always omitted

invalid:
not/../clean: file path is not clean
invalid.go': malformed file path "invalid.go'": invalid char '\''
valid.go: multiple entries for file "valid.go"
-- valid.go --
-- not/../clean --
-- go.mod --
go 1.24
-- invalid.go' --
-- vendor/x/y --
-- vendor/modules.txt --
-- sub/go.mod --
go 1.23
-- .hg_archival.txt --
-- valid.go --
duplicate
-- valid.go --
another duplicate
-- pkg/vendor/vendor.go --
`,
};

describe("checkFiles: x/mod check_files fixtures", () => {
  test.each(Object.entries(checkFilesFixtures))("checkFiles(check_files/%s.txt)", (_, text) => {
    const archive = parseTxtar(text);
    const want = archive.files.find((f) => f.name === "want")!.data;
    const files = archive.files.filter((f) => f.name !== "want");
    const gomod = files.find((f) => f.name === "go.mod")?.data;
    const cf = checkFiles(files.map((f) => regular(f.name, f.data.length)), goDirective(gomod));
    expect(format(cf)).toBe(want);
  });
});

// The three x/mod version lists of zip/vendor_test.go.
const PRE_124 = ["", "1.14", "1.21.0", "1.22.4", "1.23", "1.23.1", "1.2", "1.7", "1.9"];
const FROM_124 = ["1.24.0", "1.24", "1.99.0"];
const ALL = [...PRE_124, ...FROM_124];

describe("isVendoredPackage", () => {
  const cases: [name: string, want: boolean, versions: string[]][] = [
    ["vendor/foo/foo.go", true, ALL],
    ["pkg/vendor/foo/foo.go", true, ALL],
    ["longpackagename/vendor/foo/foo.go", true, ALL],
    ["vendor/vendor.go", false, ALL],
    ["vendor/foo/modules.txt", true, ALL],
    ["modules.txt", false, ALL],
    ["vendor/amodules.txt", false, ALL],
    ["notvendor/x/y.go", false, ALL],
    ["vendorx/y/z.go", false, ALL],
    // golang.org/issue/63395
    ["vendor/modules.txt", false, PRE_124],
    ["vendor/modules.txt", true, FROM_124],
    // golang.org/issue/37397: the old rule looks 8 bytes into the name.
    ["pkg/vendor/vendor.go", true, PRE_124],
    ["pkg/vendor/vendor.go", false, FROM_124],
    ["longpackagename/vendor/vendor.go", true, PRE_124],
    ["longpackagename/vendor/vendor.go", false, FROM_124],
    ["sub/vendor/sub.txt", true, PRE_124],
    ["sub/vendor/sub.txt", false, FROM_124],
    ["a/vendor/b", true, PRE_124], // the old rest is "/b"
    ["a/vendor/b", false, FROM_124],
  ];
  for (const [name, want, versions] of cases) {
    test.each(versions)(`isVendoredPackage(${JSON.stringify(name)}, %j) === ${want}`, (v) => {
      expect(isVendoredPackage(name, v)).toBe(want);
    });
  }

  test.each([
    ["1.24rc1", true],
    ["1.24.1", true],
    ["1.25", true],
    ["2", true],
    ["1.23rc2", false],
    ["1", false],
    ["1.24.0rc1", false], // not a Go version: treated as no version
    ["go1.24", false], // the directive's value has no "go" prefix
    ["v1.24", false],
    ["1.024", false],
    ["1.24.", false],
  ])("isVendoredPackage(\"vendor/modules.txt\", %j) === %j (go directive parsing)", (v, want) => {
    expect(isVendoredPackage("vendor/modules.txt", v)).toBe(want);
  });
});

describe("checkFiles: kinds of tree entries", () => {
  const cases: {
    input: string;
    files: ModuleFile[];
    go?: string;
    keep: string[];
    omitted?: string[];
    invalid?: string[];
  }[] = [
    {
      input: "symlink a.go, regular b.go",
      files: [{ path: "a.go", kind: "symlink", size: 4 }, regular("b.go")],
      keep: ["b.go"],
      omitted: ["a.go: file is a symbolic link"],
    },
    {
      input: "symlink with a bad name",
      files: [{ path: "bad'", kind: "symlink", size: 4 }],
      keep: [],
      invalid: [`bad': malformed file path "bad'": invalid char '\\''`],
    },
    {
      input: "symlink colliding with a regular file",
      files: [regular("A.go"), { path: "a.go", kind: "symlink", size: 4 }],
      keep: ["A.go"],
      invalid: [`a.go: case-insensitive file name collision: "A.go" and "a.go"`],
    },
    {
      input: "symlink named sub/go.mod does not make a module",
      files: [{ path: "sub/go.mod", kind: "symlink", size: 6 }, regular("sub/x.go")],
      keep: ["sub/x.go"],
      omitted: ["sub/go.mod: file is a symbolic link"],
    },
    {
      input: "executable sub/GO.MOD makes a module",
      files: [regular("sub/GO.MOD"), regular("sub/x.go"), regular("subx/y.go")],
      keep: ["subx/y.go"],
      omitted: ["sub/GO.MOD: file is in another module", "sub/x.go: file is in another module"],
    },
    {
      input: "nested module below a nested module",
      files: [regular("a/go.mod"), regular("a/b/c/d.go"), regular("a.go")],
      keep: ["a.go"],
      omitted: ["a/go.mod: file is in another module", "a/b/c/d.go: file is in another module"],
    },
    {
      input: "gitlink is neither kept nor checked",
      files: [{ path: "lib", kind: "gitlink", size: 0 }, regular("LIB/x.go")],
      keep: ["LIB/x.go"],
      omitted: ["lib: directory is a git submodule"],
    },
    {
      input: "other irregular file",
      files: [{ path: "fifo", kind: "other", size: 0 }],
      keep: [],
      omitted: ["fifo: not a regular file"],
    },
    {
      input: ".hg_archival.txt below the root is kept",
      files: [regular(".hg_archival.txt"), regular("x/.hg_archival.txt")],
      keep: ["x/.hg_archival.txt"],
      omitted: [".hg_archival.txt: file is inserted by 'hg archive' and is always omitted"],
    },
    {
      input: "vendored files are omitted before their names are checked",
      files: [regular("vendor/x/bad'"), regular("sub/go.mod"), regular("sub/bad'")],
      keep: [],
      omitted: [
        "vendor/x/bad': file is in vendor directory",
        "sub/go.mod: file is in another module",
        "sub/bad': file is in another module",
      ],
    },
    {
      input: "go.mod directory at the root",
      files: [regular("go.mod/a.go")],
      keep: ["go.mod/a.go"],
    },
    {
      input: "absolute and unclean paths",
      files: [regular("/abs.go"), regular("./a.go"), regular("a//b.go"), regular("a/"), regular("")],
      keep: [],
      invalid: [
        "/abs.go: file path is not relative",
        "./a.go: file path is not clean",
        "a//b.go: file path is not clean",
        "a/: file path is not clean",
        ": file path is not clean",
      ],
    },
    {
      input: "file and directory of the same name",
      files: [regular("a.go"), regular("a.go/b.go")],
      keep: ["a.go"],
      invalid: [`a.go/b.go: entry "a.go" is both a file and a directory`],
    },
    {
      input: "directory colliding with a file through its parent",
      files: [regular("A"), regular("a/x.go")],
      keep: ["A"],
      invalid: [`a/x.go: case-insensitive file name collision: "A" and "a"`],
    },
    {
      input: "Unicode folding: ſ (U+017F) and s, Kelvin sign and k, µ and μ",
      files: [regular("s.go"), regular("ſ.go"), regular("\u212a.go"), regular("k.go"), regular("µ.go"), regular("μ.go")],
      keep: ["s.go", "\u212a.go", "µ.go"],
      invalid: [
        `ſ.go: case-insensitive file name collision: "s.go" and "ſ.go"`,
        `k.go: case-insensitive file name collision: "\u212a.go" and "k.go"`,
        `μ.go: case-insensitive file name collision: "µ.go" and "μ.go"`,
      ],
    },
    {
      input: "dotless ı and I do not fold (Turkic only), ß and ẞ do",
      files: [regular("ı.go"), regular("I.go"), regular("ß.go"), regular("ẞ.go")],
      keep: ["ı.go", "I.go", "ß.go"],
      invalid: [`ẞ.go: case-insensitive file name collision: "ß.go" and "ẞ.go"`],
    },
  ];
  test.each(cases)("checkFiles($input)", ({ files, go, keep, omitted = [], invalid = [] }) => {
    const cf = checkFiles(files, go ?? "");
    expect(cf.keep.map((f) => f.path)).toEqual(keep);
    expect(cf.omitted.map((e) => `${e.path}: ${e.reason}`)).toEqual(omitted);
    expect(cf.invalid.map((e) => `${e.path}: ${e.reason}`)).toEqual(invalid);
    expect(cf.sizeError).toBeUndefined();
  });

  test("checkFiles() gives back the caller's objects", () => {
    const f = { path: "a.go", kind: "file" as const, size: 1, oid: "e69de29" };
    expect(checkFiles([f], "").keep[0]).toBe(f);
  });
});

describe("checkFiles: size limits (x/mod sizeLimitTests)", () => {
  const cases: { input: string; files: ModuleFile[]; want?: string }[] = [
    { input: "one_large", files: [regular("large.go", MAX_ZIP_FILE_BYTES)] },
    {
      input: "one_too_large",
      files: [regular("large.go", MAX_ZIP_FILE_BYTES + 1)],
      want: "create zip: module source tree too large (max size is 524288000 bytes)",
    },
    { input: "total_large", files: [regular("small.go", 10), regular("large.go", MAX_ZIP_FILE_BYTES - 10)] },
    {
      input: "total_too_large",
      files: [regular("small.go", 10), regular("large.go", MAX_ZIP_FILE_BYTES - 9)],
      want: "create zip: module source tree too large (max size is 524288000 bytes)",
    },
    {
      input: "negative",
      files: [regular("neg.go", -1)],
      want: "create zip: module source tree too large (max size is 524288000 bytes)",
    },
    { input: "large_gomod", files: [regular("go.mod", MAX_GO_MOD_BYTES)] },
    {
      input: "too_large_gomod",
      files: [regular("go.mod", MAX_GO_MOD_BYTES + 1)],
      want: "create zip: go.mod: go.mod file too large (max size is 16777216 bytes)",
    },
    { input: "large_license", files: [regular("LICENSE", MAX_LICENSE_BYTES)] },
    {
      input: "too_large_license",
      files: [regular("LICENSE", MAX_LICENSE_BYTES + 1)],
      want: "create zip: LICENSE: LICENSE file too large (max size is 16777216 bytes)",
    },
    // Only the root go.mod and LICENSE have their own limit.
    { input: "large sub/LICENSE", files: [regular("sub/LICENSE", MAX_LICENSE_BYTES + 1)] },
    // Omitted files do not count towards the total.
    {
      input: "too large but vendored",
      files: [regular("vendor/a/b.go", MAX_ZIP_FILE_BYTES + 1), regular("a.go", 1)],
    },
    {
      input: "too large but a symlink",
      files: [{ path: "a.go", kind: "symlink", size: MAX_ZIP_FILE_BYTES + 1 }],
    },
  ];
  test.each(cases)("checkZipFiles($input)", ({ files, want }) => {
    if (want === undefined) {
      expect(() => checkZipFiles(files, "")).not.toThrow();
    } else {
      expect(() => checkZipFiles(files, "")).toThrow(new ZipError(want));
    }
  });
});

describe("checkZipFiles", () => {
  test("checkZipFiles() lists every invalid file, one per line", () => {
    const err = (() => {
      try {
        checkZipFiles([regular("GO.MOD"), regular("a'"), regular("ok.go")], "");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ZipError);
    expect((err as ZipError).code).toBe("invalid_zip");
    expect((err as Error).message).toBe(
      "create zip: GO.MOD: go.mod files must have lowercase names\n" +
        `a': malformed file path "a'": invalid char '\\''`,
    );
  });

  test("checkZipFiles() reports the size error before invalid files", () => {
    expect(() => checkZipFiles([regular("a'"), regular("b.go", -5)], "")).toThrow(
      "create zip: module source tree too large",
    );
  });

  test("checkZipFiles() returns the kept files when some are omitted", () => {
    const kept = checkZipFiles([regular("vendor/x/y.go"), regular("x.go")], "");
    expect(kept.map((f) => f.path)).toEqual(["x.go"]);
  });
});

/**
 * Trees as `git archive` lists them, with what Go 1.19 made of them. The
 * expected lists and `h1:` come from a small Go program that repeats
 * cmd/go 1.19's coderepo.Zip on a real repository (git archive, drop
 * directory entries, add the root LICENSE to a subdirectory module, then
 * the x/mod zip.CheckFiles/Create/dirhash.HashZip vendored in Go 1.19).
 * The gitlink `lib` never reaches x/mod; we report it as omitted.
 */
describe("checkFiles: git trees judged by Go 1.19", () => {
  type Entry = [path: string, kind: ModuleFile["kind"], text: string];
  const trees: {
    input: string;
    module: string;
    entries: Entry[];
    keep: string[];
    omitted: string[];
    invalid: string[];
    hash?: string;
  }[] = [
    {
      input: "example.com/r@v1.0.0 at the repository root",
      module: "example.com/r@v1.0.0",
      entries: [
        [".hg_archival.txt", "file", "hg\n"],
        ["LIB/x.go", "file", "package lib\n"],
        ["LICENSE", "file", "root license\n"],
        ["a.go", "file", "package r\n"],
        ["empty.txt", "file", ""],
        ["exec.sh", "file", "#!/bin/sh\n"],
        ["go.mod", "file", "module example.com/r\n\ngo 1.19\n"],
        ["lib", "gitlink", ""],
        ["link.go", "symlink", "a.go"],
        ["mod2/GO.MOD", "file", "module example.com/r/mod2\n"],
        ["mod2/y.go", "file", "package mod2\n"],
        ["pkg/vendor/v.go", "file", "package vendor\n"],
        ["sub/go.mod", "symlink", "../go.mod"],
        ["sub/x.go", "file", "package sub\n"],
        ["v2/go.mod", "file", "module example.com/r/v2\n\ngo 1.19\n"],
        ["v2/link.go", "symlink", "../a.go"],
        ["v2/v2.go", "file", "package r\n"],
        ["vendor/a/b.go", "file", "package a\n"],
        ["vendor/modules.txt", "file", "# m\n"],
        ["x/.hg_archival.txt", "file", "hg\n"],
      ],
      keep: [
        "LIB/x.go", "LICENSE", "a.go", "empty.txt", "exec.sh", "go.mod", "sub/x.go", "vendor/modules.txt",
        "x/.hg_archival.txt",
      ],
      omitted: [
        ".hg_archival.txt: file is inserted by 'hg archive' and is always omitted",
        "lib: directory is a git submodule",
        "link.go: file is a symbolic link",
        "mod2/GO.MOD: file is in another module",
        "mod2/y.go: file is in another module",
        "pkg/vendor/v.go: file is in vendor directory",
        "sub/go.mod: file is a symbolic link",
        "v2/go.mod: file is in another module",
        "v2/link.go: file is in another module",
        "v2/v2.go: file is in another module",
        "vendor/a/b.go: file is in vendor directory",
      ],
      invalid: [],
      hash: "h1:LB5t3QU8FE3+Cdq1kdDiZEQKq+DPTA4D3Tce/sbBpGY=",
    },
    {
      input: "example.com/r/v2@v2.0.0 in v2/, with the root LICENSE appended",
      module: "example.com/r/v2@v2.0.0",
      entries: [
        ["go.mod", "file", "module example.com/r/v2\n\ngo 1.19\n"],
        ["link.go", "symlink", "../a.go"],
        ["v2.go", "file", "package r\n"],
        ["LICENSE", "file", "root license\n"],
      ],
      keep: ["go.mod", "v2.go", "LICENSE"],
      omitted: ["link.go: file is a symbolic link"],
      invalid: [],
      hash: "h1:aokrOGWa9VoO9JavUPTJeUfhO4Fa/CyKZrqelgxn9Oc=",
    },
    {
      input: "example.com/q@v1.0.0 with a badly named symlink and a symlink that collides",
      module: "example.com/q@v1.0.0",
      entries: [
        ["A.GO", "symlink", "a.go"],
        ["Lib/x.txt", "file", "x\n"],
        ["a.go", "file", "package q\n"],
        ["bad'link", "symlink", "a.go"],
        ["go.mod", "file", "module example.com/q\n"],
        ["lib", "gitlink", ""],
      ],
      keep: ["Lib/x.txt", "go.mod"],
      omitted: ["A.GO: file is a symbolic link", "lib: directory is a git submodule"],
      invalid: [
        `a.go: case-insensitive file name collision: "A.GO" and "a.go"`,
        `bad'link: malformed file path "bad'link": invalid char '\\''`,
      ],
    },
    // The LICENSE rule (coderepo.go Zip) as the resolver must apply it: for a
    // module below the repository root, append the root LICENSE blob (a
    // symlink's blob is its target text) unless the archive of the module
    // directory has an entry named exactly LICENSE, of any kind but a
    // directory or gitlink. checkFiles then judges it like any file.
    {
      input: "example.com/x/a@v1.0.0 whose LICENSE is a symlink: the root LICENSE is not added",
      module: "example.com/x/a@v1.0.0",
      entries: [
        ["LICENSE", "symlink", "../LICENSE"],
        ["go.mod", "file", "module example.com/x/a\n"],
      ],
      keep: ["go.mod"],
      omitted: ["LICENSE: file is a symbolic link"],
      invalid: [],
      hash: "h1:k/TQd2TwFAUvhM6VB8dsSpJTKGTJ1WMDSs+tY5j0U7M=",
    },
    {
      input: "example.com/x/b@v1.0.0 with a lower-case license: the appended LICENSE collides",
      module: "example.com/x/b@v1.0.0",
      entries: [
        ["go.mod", "file", "module example.com/x/b\n"],
        ["license", "file", "lower\n"],
        ["LICENSE", "file", "root license\n"],
      ],
      keep: ["go.mod", "license"],
      omitted: [],
      invalid: [`LICENSE: case-insensitive file name collision: "license" and "LICENSE"`],
    },
    {
      input: "example.com/x/c@v1.0.0 with the root LICENSE appended",
      module: "example.com/x/c@v1.0.0",
      entries: [
        ["go.mod", "file", "module example.com/x/c\n"],
        ["LICENSE", "file", "root license\n"],
      ],
      keep: ["go.mod", "LICENSE"],
      omitted: [],
      invalid: [],
      hash: "h1:TuPMkschHnWYv8Hiu7z3xwV5e4sCreycKMR4P4k8XIE=",
    },
    {
      input: "example.com/x/c@v1.0.0 whose root LICENSE is a symlink: its target text is appended",
      module: "example.com/x/c@v1.0.0",
      entries: [
        ["go.mod", "file", "module example.com/x/c\n"],
        ["LICENSE", "file", "c/go.mod"],
      ],
      keep: ["go.mod", "LICENSE"],
      omitted: [],
      invalid: [],
      hash: "h1:b9oFSwpHoDq9lDc3PwZS9Z/Lp30R/Ltwqf3fFjDHUIs=",
    },
  ];
  test.each(trees)("checkFiles($input)", async ({ module, entries, keep, omitted, invalid, hash }) => {
    const enc = new TextEncoder();
    const files = entries.map(([path, kind, text]) => ({ path, kind, size: enc.encode(text).length, text }));
    const cf = checkFiles(files, "1.19");
    expect(cf.keep.map((f) => f.path)).toEqual(keep);
    expect(cf.omitted.map((e) => `${e.path}: ${e.reason}`).sort()).toEqual([...omitted].sort());
    expect(cf.invalid.map((e) => `${e.path}: ${e.reason}`)).toEqual(invalid);
    if (hash) {
      const h = await hash1(cf.keep.map((f) => ({ name: `${module}/${f.path}`, open: () => enc.encode(f.text) })));
      expect(h).toBe(hash);
    }
  });
});

describe("needsRootLicense", () => {
  const file = (path: string, kind: ModuleFile["kind"] = "file"): ModuleFile => ({ path, kind, size: 1 });
  test.each([
    ["module at the root", [file("go.mod")], "", false],
    ["v2 directory without LICENSE", [file("go.mod")], "v2", true],
    ["subdirectory with LICENSE", [file("go.mod"), file("LICENSE")], "sub", false],
    ["subdirectory with a LICENSE symlink", [file("LICENSE", "symlink")], "sub", false],
    ["subdirectory with a LICENSE gitlink", [file("LICENSE", "gitlink")], "sub", true],
    ["subdirectory with LICENSE.txt", [file("LICENSE.txt")], "sub", true],
    ["subdirectory with license", [file("license")], "sub", true],
    ["subdirectory with docs/LICENSE", [file("docs/LICENSE")], "sub", true],
  ] as [string, ModuleFile[], string, boolean][])("needsRootLicense(%s) is %j", (_, files, dir, want) => {
    expect(needsRootLicense(files, dir)).toBe(want);
  });
});
