// Tables ported from golang.org/x/mod semver/semver_test.go (fe2ec04).
import { describe, expect, it } from "vitest";
import {
  build, canonical, compare, compareStrings, isValid, major, majorMinor, max, prerelease, sort,
} from "../../src/module/version.ts";

/** Ordered by precedence; `want` is the canonical form, "" for invalid. */
const tests: { v: string; want: string }[] = [
  { v: "bad", want: "" },
  { v: "v1-alpha.beta.gamma", want: "" },
  { v: "v1-pre", want: "" },
  { v: "v1+meta", want: "" },
  { v: "v1-pre+meta", want: "" },
  { v: "v1.2-pre", want: "" },
  { v: "v1.2+meta", want: "" },
  { v: "v1.2-pre+meta", want: "" },
  { v: "v1.0.0-alpha", want: "v1.0.0-alpha" },
  { v: "v1.0.0-alpha.1", want: "v1.0.0-alpha.1" },
  { v: "v1.0.0-alpha.beta", want: "v1.0.0-alpha.beta" },
  { v: "v1.0.0-beta", want: "v1.0.0-beta" },
  { v: "v1.0.0-beta.2", want: "v1.0.0-beta.2" },
  { v: "v1.0.0-beta.11", want: "v1.0.0-beta.11" },
  { v: "v1.0.0-rc.1", want: "v1.0.0-rc.1" },
  { v: "v1", want: "v1.0.0" },
  { v: "v1.0", want: "v1.0.0" },
  { v: "v1.0.0", want: "v1.0.0" },
  { v: "v1.2", want: "v1.2.0" },
  { v: "v1.2.0", want: "v1.2.0" },
  { v: "v1.2.3-456", want: "v1.2.3-456" },
  { v: "v1.2.3-456.789", want: "v1.2.3-456.789" },
  { v: "v1.2.3-456-789", want: "v1.2.3-456-789" },
  { v: "v1.2.3-456a", want: "v1.2.3-456a" },
  { v: "v1.2.3-pre", want: "v1.2.3-pre" },
  { v: "v1.2.3-pre+meta", want: "v1.2.3-pre" },
  { v: "v1.2.3-pre.1", want: "v1.2.3-pre.1" },
  { v: "v1.2.3-zzz", want: "v1.2.3-zzz" },
  { v: "v1.2.3", want: "v1.2.3" },
  { v: "v1.2.3+meta", want: "v1.2.3" },
  { v: "v1.2.3+meta-pre", want: "v1.2.3" },
  { v: "v1.2.3+meta-pre.sha.256a", want: "v1.2.3" },
];

/** Inputs beyond x/mod's table: leading zeros, empty identifiers, npm-only forms. */
const extra: { v: string; want: string }[] = [
  { v: "", want: "" },
  { v: "1.2.3", want: "" },
  { v: "V1.2.3", want: "" },
  { v: "v01.2.3", want: "" },
  { v: "v1.02.3", want: "" },
  { v: "v1.2.03", want: "" },
  { v: "v0.0.0", want: "v0.0.0" },
  { v: "v1.2.3-01", want: "" },
  { v: "v1.2.3-0", want: "v1.2.3-0" },
  { v: "v1.2.3-0a", want: "v1.2.3-0a" },
  { v: "v1.2.3+01", want: "v1.2.3" },
  { v: "v1.2.3-", want: "" },
  { v: "v1.2.3-a..b", want: "" },
  { v: "v1.2.3+", want: "" },
  { v: "v1.2.3+a+b", want: "" },
  { v: "v1.2.3-a_b", want: "" },
  { v: "v1.2.3.4", want: "" },
  { v: "v1.2.3 ", want: "" },
  { v: "v1.2.3+incompatible", want: "v1.2.3" },
  { v: "v99999999999999999999.0.0", want: "v99999999999999999999.0.0" },
];

describe("semver", () => {
  it.each([...tests, ...extra])("isValid($v) and canonical($v)", ({ v, want }) => {
    expect(isValid(v)).toBe(want !== "");
    expect(canonical(v)).toBe(want);
  });

  it.each([...tests, ...extra])("major($v), majorMinor($v), prerelease($v), build($v)", ({ v, want }) => {
    // The expectations are derived as semver_test.go derives them.
    expect(major(v)).toBe(want === "" ? "" : want.slice(0, want.indexOf(".")));
    let mm = "";
    if (want !== "") {
      mm = v.split("+")[0]!.split("-")[0]!;
      const dots = mm.split(".").length - 1;
      if (dots === 0) mm += ".0";
      if (dots === 2) mm = mm.slice(0, mm.lastIndexOf("."));
    }
    expect(majorMinor(v)).toBe(mm);
    expect(prerelease(v)).toBe(want !== "" && want.includes("-") ? want.slice(want.indexOf("-")) : "");
    expect(build(v)).toBe(want !== "" && v.includes("+") ? v.slice(v.indexOf("+")) : "");
  });

  it.each(tests.map((t, i) => ({ ...t, i })))("compare($v, each) and max($v, each)", ({ v, want, i }) => {
    tests.forEach((w, j) => {
      const expected = want === w.want ? 0 : i < j ? -1 : 1;
      expect(compare(v, w.v), `compare(${v}, ${w.v})`).toBe(expected);
      expect(max(v, w.v), `max(${v}, ${w.v})`).toBe(i < j ? w.want : want);
    });
  });

  it.each([
    { v: "v1.0.0-alpha.1", w: "v1.0.0-alpha.beta", want: -1 },
    { v: "v1.0.0-2", w: "v1.0.0-11", want: -1 },
    { v: "v1.0.0-a.b.c", w: "v1.0.0-a.b", want: 1 },
    { v: "v2.0.0", w: "v10.0.0", want: -1 },
    { v: "v1.0.0+a", w: "v1.0.0+b", want: 0 },
    { v: "bad", w: "", want: 0 },
    { v: "", w: "v0.0.0", want: -1 },
    { v: "v1.0.0-0.20060102150405-abc", w: "v1.0.0-rc1", want: -1 },
  ])("compare($v, $w)", ({ v, w, want }) => {
    expect(compare(v, w)).toBe(want);
    expect(compare(w, v)).toBe(-want || 0);
  });

  it("sort(x/mod table, reversed and swapped) matches the x/mod golden order", () => {
    const list = tests.map((t) => t.v).reverse();
    [list[3], list[17]] = [list[17]!, list[3]!];
    expect(sort(list)).toEqual([
      "bad", "v1+meta", "v1-alpha.beta.gamma", "v1-pre", "v1-pre+meta", "v1.2+meta", "v1.2-pre",
      "v1.2-pre+meta", "v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta", "v1.0.0-beta",
      "v1.0.0-beta.2", "v1.0.0-beta.11", "v1.0.0-rc.1", "v1", "v1.0", "v1.0.0", "v1.2", "v1.2.0",
      "v1.2.3-456", "v1.2.3-456.789", "v1.2.3-456-789", "v1.2.3-456a", "v1.2.3-pre", "v1.2.3-pre+meta",
      "v1.2.3-pre.1", "v1.2.3-zzz", "v1.2.3", "v1.2.3+meta", "v1.2.3+meta-pre", "v1.2.3+meta-pre.sha.256a",
    ]);
  });

  it.each([
    { a: "a", b: "b", want: -1 },
    { a: "ab", b: "a", want: 1 },
    { a: "x", b: "x", want: 0 },
    { a: "\u{10000}", b: "\uffff", want: 1 }, // UTF-8 byte order, not UTF-16 order
  ])("compareStrings($a, $b)", ({ a, b, want }) => {
    expect(compareStrings(a, b)).toBe(want);
  });
});
