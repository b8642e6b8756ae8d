import { describe, expect, test } from "vitest";
import { strToFold } from "../../src/zip/fold.ts";

/**
 * Expected values are Go 1.19's strToFold (x/mod zip), computed with
 * unicode.SimpleFold; during development every code point up to U+10FFFF
 * was compared, and all of Unicode 13 agreed.
 */
describe("strToFold", () => {
  test.each([
    ["go.mod", "go.mod"],
    ["GO.MOD", "go.mod"],
    ["Go.Mod/A_B-c.go", "go.mod/a_b-c.go"],
    ["\u017f", "s"], // LATIN SMALL LETTER LONG S folds with s and S
    ["\u212a", "k"], // KELVIN SIGN folds with k and K
    ["\u00b5", "\u00b5"], // MICRO SIGN is the smallest of {µ, Μ, μ}
    ["\u03bc", "\u00b5"],
    ["\u039c", "\u00b5"],
    ["\u03c2", "\u03a3"], // final sigma
    ["\u03c3", "\u03a3"],
    ["\u03d1", "\u0398"], // theta symbol
    ["\u03f4", "\u0398"],
    ["\u1e9e", "\u00df"], // capital sharp s folds with ß
    ["\u0131", "\u0131"], // dotless i: only a Turkic (T) folding, so none
    ["\u0130", "\u0130"], // dotted capital I: likewise
    ["\u01c5", "\u01c4"], // titlecase Dž
    ["\u01c6", "\u01c4"],
    ["\uab70", "\u13a0"], // Cherokee small letters fold to capitals
    ["\uff41", "\uff21"],
    ["\u{10428}", "\u{10400}"],
    ["豈.go", "豈.go"],
    ["über/Ärger.go", "Über/Ärger.go"], // the smallest of {Ü, ü} is the capital
  ])("strToFold(%j) === %j", (s, want) => {
    expect(strToFold(s)).toBe(want);
  });

  test.each([
    ["m.go", "M.GO"],
    ["s.go", "\u017f.go"],
    ["k", "\u212a"],
    ["\u00b5", "\u03bc"],
    ["ß", "\u1e9e"],
    ["straße", "STRAẞE"],
  ])("strToFold(%j) === strToFold(%j)", (a, b) => {
    expect(strToFold(a)).toBe(strToFold(b));
  });

  test.each([
    ["i", "\u0131"],
    ["i", "\u0130"],
    ["ss", "ß"], // full case folding would equate these; simple folding does not
  ])("strToFold(%j) !== strToFold(%j)", (a, b) => {
    expect(strToFold(a)).not.toBe(strToFold(b));
  });
});
