// Tables ported from golang.org/x/mod modfile/read_test.go and rule_test.go (fe2ec04); error
// texts were checked against x/mod's ParseLax.
import { describe, expect, it } from "vitest";
import { GoProxyError } from "../../src/errors.ts";
import {
  autoQuote, isRetracted, modulePath, mustQuote, parseGoVersion, parseLax, parseRetractions,
} from "../../src/module/gomod.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("modulePath", () => {
  it.each([
    { input: 'module "github.com/rsc/vgotest"', want: "github.com/rsc/vgotest" },
    { input: "module github.com/rsc/vgotest", want: "github.com/rsc/vgotest" },
    { input: 'module  "github.com/rsc/vgotest"', want: "github.com/rsc/vgotest" },
    { input: "module  github.com/rsc/vgotest", want: "github.com/rsc/vgotest" },
    { input: "module `github.com/rsc/vgotest`", want: "github.com/rsc/vgotest" },
    { input: 'module "github.com/rsc/vgotest/v2"', want: "github.com/rsc/vgotest/v2" },
    { input: "module github.com/rsc/vgotest/v2", want: "github.com/rsc/vgotest/v2" },
    { input: 'module "gopkg.in/yaml.v2"', want: "gopkg.in/yaml.v2" },
    { input: "module gopkg.in/yaml.v2", want: "gopkg.in/yaml.v2" },
    { input: 'module "gopkg.in/check.v1"\n', want: "gopkg.in/check.v1" },
    { input: 'module "gopkg.in/check.v1\n"', want: "" },
    { input: "module gopkg.in/check.v1\n", want: "gopkg.in/check.v1" },
    { input: 'module "gopkg.in/check.v1"\r\n', want: "gopkg.in/check.v1" },
    { input: "module gopkg.in/check.v1\r\n", want: "gopkg.in/check.v1" },
    { input: 'module "gopkg.in/check.v1"\n\n', want: "gopkg.in/check.v1" },
    { input: "module gopkg.in/check.v1\n\n", want: "gopkg.in/check.v1" },
    { input: 'module \n"gopkg.in/check.v1"\n\n', want: "" },
    { input: "module \ngopkg.in/check.v1\n\n", want: "" },
    { input: 'module "gopkg.in/check.v1"asd', want: "" },
    { input: "module  \nmodule a/b/c ", want: "a/b/c" },
    { input: 'module "   "', want: "   " },
    { input: "module   ", want: "" },
    { input: 'module "  a/b/c  "', want: "  a/b/c  " },
    { input: 'module "github.com/rsc/vgotest1" // with a comment', want: "github.com/rsc/vgotest1" },
    // Beyond x/mod's table.
    { input: "// c\n\n\tmodule\texample.com/m\n", want: "example.com/m" },
    { input: "modulex example.com/m\nmodule example.com/n", want: "example.com/n" },
    { input: "module (\n\texample.com/m\n)\n", want: "(" }, // ModulePath knows no blocks
    { input: "module example.com/m//c", want: "example.com/m" },
    { input: 'module "a//b"', want: "" }, // the comment cut happens before unquoting
    { input: 'module "ex\\x61mple.com/\\u00e9"', want: "example.com/é" },
    { input: "\ufeffmodule example.com/m", want: "" }, // Go does not skip a BOM
    { input: "\u00a0module\u00a0example.com/m\u2003", want: "example.com/m" }, // Unicode spaces are trimmed
    { input: "go 1.21\n", want: "" },
  ])("modulePath($input)", ({ input, want }) => {
    expect(modulePath(bytes(input))).toBe(want);
    expect(modulePath(input)).toBe(want);
  });
});

describe("parseRetractions", () => {
  it.each([
    { name: "no_comment", input: "module m\nretract v1.0.0", want: "" },
    { name: "prefix_one", input: "module m\n//   prefix\nretract v1.0.0\n", want: "prefix" },
    {
      name: "prefix_multiline",
      input: "module m\n//  one\n//\n//     two\n//\n// three\nretract v1.0.0",
      want: "one\n\ntwo\n\nthree",
    },
    { name: "suffix", input: "module m\nretract v1.0.0 // suffix\n", want: "suffix" },
    { name: "prefix_suffix_after", input: "module m\n// prefix\nretract v1.0.0 // suffix\n", want: "prefix\nsuffix" },
    { name: "block_only", input: "// block\nretract (\n\tv1.0.0\n)\n", want: "block" },
    { name: "block_and_line", input: "// block\nretract (\n\t// line\n\tv1.0.0\n)\n", want: "line" },
    // Beyond x/mod's table.
    { name: "paren_suffix_is_not_the_block's", input: "retract ( // paren\n\tv1.0.0\n)\n", want: "" },
    { name: "blank_line_detaches", input: "// far\n\nretract v1.0.0\n", want: "" },
    { name: "crlf", input: "module m\r\n// why\r\nretract v1.0.0 // now\r\n", want: "why\nnow" },
  ])("parseRetractions($name) rationale", ({ input, want }) => {
    const r = parseRetractions(bytes(input));
    expect(r).toHaveLength(1);
    expect(r[0]!.rationale).toBe(want);
  });

  it("parseRetractions(block with a blank line) drops the block comment after the blank", () => {
    // x/mod keeps a blank line as an empty comment, so the second line has "comments" of its own.
    const input = "module m\n// block\nretract (\n\tv1.0.0\n\n\tv1.1.0\n\t// own\n\tv1.2.0\n)\n";
    expect(parseRetractions(input).map((r) => `${r.low} ${r.rationale}`)).toEqual([
      "v1.0.0 block", "v1.1.0 ", "v1.2.0 own",
    ]);
  });

  it.each([
    { input: "retract v1.0.0", want: [["v1.0.0", "v1.0.0"]] },
    { input: 'retract "v1.2.3"', want: [["v1.2.3", "v1.2.3"]] },
    { input: 'retract [ "v1.2.3" , "v1.2.4" ]', want: [["v1.2.3", "v1.2.4"]] },
    { input: "retract [v1.0.0,v1.9.9]", want: [["v1.0.0", "v1.9.9"]] },
    { input: 'retract (\n\t"v1.2.3"\n\n\t[ "v1.2.3" , "v1.2.4" ]\n)', want: [["v1.2.3", "v1.2.3"], ["v1.2.3", "v1.2.4"]] },
    { input: "retract v1.2", want: [["v1.2", "v1.2"]] }, // kept as written, not canonicalized
    { input: "retract v1.0.0 v1.2.0", want: [["v1.0.0", "v1.0.0"]] }, // extra tokens: an error only in strict mode
    { input: "retract (v1.2.3, v1.2.4]", want: [] }, // unreadable retractions are skipped
    { input: "retract [v1.0.0, v1.2.0", want: [] },
    { input: "retract v1.2.3 (\n\tkey1 value1\n)", want: [] }, // a block with two tokens is unknown
    { input: "retract 'v1'", want: [] },
    { input: "retract", want: [] },
  ])("parseRetractions($input)", ({ input, want }) => {
    expect(parseRetractions("module m\n" + input + "\n").map((r) => [r.low, r.high])).toEqual(want);
  });

  it.each([
    { version: "v1.0.0", want: true },
    { version: "v1.0.3", want: true },
    { version: "v1.0.5+meta", want: true },
    { version: "v1.0.5-rc.1", want: true },
    { version: "v1.0.6-rc.1", want: false },
    { version: "v0.9.9", want: false },
    { version: "v2.0.0", want: true },
    { version: "bad", want: true }, // "retract junk" below: invalid strings all compare equal, as in Go
  ])("isRetracted($version)", ({ version, want }) => {
    const retractions = parseRetractions("module m\nretract [v1.0.0, v1.0.5]\nretract v2.0.0\nretract junk\n");
    expect(isRetracted(version, retractions)).toBe(want);
  });
});

describe("parseLax", () => {
  it("parseLax(x/mod TestParseLax file) ignores what dependencies may not understand", () => {
    const f = parseLax(`module m
		surprise attack
		x y (
			z
		)
		exclude v1.2.3
		replace <-!!!
		retract v1.2.3 v1.2.4
		retract (v1.2.3, v1.2.4]
		retract v1.2.3 (
			key1 value1
			key2 value2
		)
		require good v1.0.0
	`);
    expect(f.module).toBe("m");
    expect(f.require).toEqual([{ path: "good", version: "v1.0.0" }]);
  });

  it("parseLax(requires) canonicalizes versions", () => {
    const f = parseLax('module m\nrequire (\n\tx.y/z v1.2\n\t"a.b/c/v2" v2.0.0+incompatible // indirect\n)\n');
    expect(f.require).toEqual([
      { path: "x.y/z", version: "v1.2.0" },
      { path: "a.b/c/v2", version: "v2.0.0+incompatible" },
    ]);
  });

  it.each([
    { input: "module m\ngo v1.2\n", message: "go.mod:2: invalid go version 'v1.2': must match format 1.23.0" },
    { input: "module m\nmodule n\n", message: "go.mod:2: repeated module statement" },
    { input: "module m\ngo 1.21\ngo 1.22\n", message: "go.mod:3: repeated go statement" },
    {
      input: "module m\nrequire (\n\tx.y/z/v2 v1.0.0\n)\n",
      message: 'go.mod:3:2: require x.y/z/v2: version "v1.0.0" invalid: should be v2, not v1',
    },
    {
      input: "module m\nrequire x.y/z 1.0.0\n",
      message: 'go.mod:2: require x.y/z: version "1.0.0" invalid: must be of the form v1.2.3',
    },
    { input: "module m\nrequire x.y/z\n", message: "go.mod:2: usage: require module/path v1.2.3" },
    { input: "module m\nrequire x.y/z/v1 v1.0.0\n", message: "go.mod:2: invalid module path" },
    {
      input: "module m\nrequire 'x.y/z' v1.0.0\n",
      message: "go.mod:2: invalid quoted string: unquoted string cannot contain quote",
    },
    { input: "module m /* c */\n", message: "go.mod:1:10: mod files must use // comments (not /* */ comments)" },
    {
      input: "module m\nrequire (\n\tx.y/z v1.0.0\n",
      message: "go.mod:4: syntax error (unterminated block started at go.mod:2:1)",
    },
    { input: 'module "m\n', message: "go.mod:1:10: unexpected newline in string" },
    { input: "\ufeffmodule m\n", message: "go.mod:1: unexpected input character '\\ufeff'" },
    { input: "module m\ngo 1.2\n\fgo 1\n", message: "go.mod:3: unexpected input character '\\f'" },
    { input: "module m\nretract (\n\tv1.0.0\n) x\n", message: "go.mod:4:4: syntax error (expected newline after closing paren)" },
    {
      input: "module m\ngo 1\nrequire x\n",
      message: "go.mod:2: invalid go version '1': must match format 1.23.0\ngo.mod:3: usage: require module/path v1.2.3",
    },
  ])("parseLax($input) fails", ({ input, message }) => {
    expect(() => parseLax(bytes(input))).toThrow(GoProxyError);
    expect(() => parseLax(bytes(input))).toThrow(expect.objectContaining({ message }));
    expect(() => parseRetractions(input)).toThrow(message);
  });
});

describe("parseGoVersion", () => {
  it.each([
    { input: "module m\ngo \n", want: "" },
    { input: "module m\ngo 1\n", want: "" },
    { input: "module m\ngo 1.22\n", want: "1.22" },
    { input: "module m\ngo 1.22.333", want: "1.22.333" },
    { input: "module m\ngo v1.2\n", want: "" },
    { input: "module m\ngo 1.2rc1\n", want: "1.2rc1" },
    { input: "module m\ngo 1.2 3.4\n", want: "" },
    { input: "module m\ngo 1.2.3\n", want: "1.2.3" },
    { input: "module m\ngo 1.2beta1\n", want: "1.2beta1" },
    { input: "module m\ngo 1.2.beta1\n", want: "1.2" },
    { input: "module m\ngo v1.2.3\n", want: "1.2" },
    { input: "module m\ngo v1.2rc1\n", want: "1.2" },
    { input: "module m\ngo v1.2beta1\n", want: "1.2" },
    { input: "module m\ngo v1.2.beta1\n", want: "1.2" },
    { input: "module m\ngo 1.22-beta\n", want: "1.22" },
    { input: "module m\ntoolchain inconceivable!\ngo 1.21\n", want: "1.21" },
    { input: "module m\n", want: "" },
    { input: "module m\ngo 1.21\nrequire x\n", want: "" }, // the whole file fails, as in x/mod/zip
  ])("parseGoVersion($input)", ({ input, want }) => {
    expect(parseGoVersion(bytes(input))).toBe(want);
  });
});

describe("quoting", () => {
  it.each([
    { s: "example.com/m", must: false, want: "example.com/m" },
    { s: "", must: true, want: '""' },
    { s: "a b", must: true, want: '"a b"' },
    { s: "(", must: false, want: "(" },
    { s: "a(", must: true, want: '"a("' },
    { s: "a//b", must: true, want: '"a//b"' },
    { s: "a/*b", must: true, want: '"a/*b"' },
    { s: "é", must: false, want: "é" },
    { s: "a\u00a0", must: true, want: '"a\\u00a0"' },
    { s: 'q"', must: true, want: '"q\\""' },
    { s: "tab\t", must: true, want: '"tab\\t"' },
  ])("autoQuote($s)", ({ s, must, want }) => {
    expect(mustQuote(s)).toBe(must);
    expect(autoQuote(s)).toBe(want);
  });
});
