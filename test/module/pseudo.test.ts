// Tables ported from golang.org/x/mod module/pseudo_test.go (fe2ec04).
import { describe, expect, it } from "vitest";
import { InvalidVersionError } from "../../src/errors.ts";
import {
  decDecimal, incDecimal, isPseudoVersion, isZeroPseudoVersion, pseudoVersion, pseudoVersionBase,
  pseudoVersionRev, pseudoVersionTime, pseudoVersionTimestamp, zeroPseudoVersion,
} from "../../src/module/pseudo.ts";

/** 2006-01-02T15:04:05Z, Go's reference time. */
const PSEUDO_TIME = Date.UTC(2006, 0, 2, 15, 4, 5) / 1000;

const pseudoTests = [
  { major: "", older: "", version: "v0.0.0-20060102150405-hash" },
  { major: "v0", older: "", version: "v0.0.0-20060102150405-hash" },
  { major: "v1", older: "", version: "v1.0.0-20060102150405-hash" },
  { major: "v2", older: "", version: "v2.0.0-20060102150405-hash" },
  { major: "unused", older: "v0.0.0", version: "v0.0.1-0.20060102150405-hash" },
  { major: "unused", older: "v1.2.3", version: "v1.2.4-0.20060102150405-hash" },
  { major: "unused", older: "v1.2.99999999999999999", version: "v1.2.100000000000000000-0.20060102150405-hash" },
  { major: "unused", older: "v1.2.3-pre", version: "v1.2.3-pre.0.20060102150405-hash" },
  { major: "unused", older: "v1.3.0-pre", version: "v1.3.0-pre.0.20060102150405-hash" },
  { major: "unused", older: "v0.0.0--", version: "v0.0.0--.0.20060102150405-hash" },
  { major: "unused", older: "v1.0.0+metadata", version: "v1.0.1-0.20060102150405-hash+metadata" },
  { major: "unused", older: "v2.0.0+incompatible", version: "v2.0.1-0.20060102150405-hash+incompatible" },
  { major: "unused", older: "v2.3.0-pre+incompatible", version: "v2.3.0-pre.0.20060102150405-hash+incompatible" },
];

describe("pseudo-versions", () => {
  it.each(pseudoTests)("pseudoVersion($major, $older)", ({ major, older, version }) => {
    expect(pseudoVersion(major, older, PSEUDO_TIME, "hash")).toBe(version);
  });

  it.each(pseudoTests)("isPseudoVersion($version) and its parts", ({ older, version }) => {
    expect(isPseudoVersion(version)).toBe(true);
    expect(pseudoVersionTime(version)).toBe("20060102150405");
    expect(pseudoVersionRev(version)).toBe("hash");
    expect(pseudoVersionBase(version)).toBe(older);
  });

  it.each(pseudoTests.filter((t) => t.older !== ""))("isPseudoVersion($older) is false", ({ older }) => {
    expect(isPseudoVersion(older)).toBe(false);
    expect(() => pseudoVersionTime(older)).toThrow(InvalidVersionError);
    expect(() => pseudoVersionRev(older)).toThrow(InvalidVersionError);
  });

  it.each([
    { v: "v1.0.0-20060102150405-abcdef123456", want: true }, // a tag can look like one; cmd/go skips such tags
    { v: "v1.2.3-20060102150405-abcdef123456", want: false }, // form (1) needs .0.0
    { v: "v1.2.3-pre-0.20060102150405-abcdef123456", want: false },
    { v: "v1.2.3-0.2006010215040-abcdef123456", want: false }, // 13 digits
    { v: "v1.2.3-0.200601021504050-abcdef123456", want: false }, // 15 digits
    { v: "v1.2.3-0.20060102150405-", want: false },
    { v: "v1.2.3-0.20060102150405-abc_def", want: false },
    { v: "v1.2.3-0.20060102150405-abc+a.b-c", want: true },
    { v: "v0.0.0-20060102150405-abc+", want: false },
    { v: "1.2.3-0.20060102150405-abc", want: false },
    { v: "v1.0.0-0.20060102150405", want: false },
    { v: "---", want: false },
  ])("isPseudoVersion($v)", ({ v, want }) => {
    expect(isPseudoVersion(v)).toBe(want);
  });

  it.each([
    { v: "v0.0.0", reason: "syntax error" },
    { v: "v0.0.0-", reason: "syntax error" },
    { v: "v0.0.0-0.20060102150405-hash", reason: "version before v0.0.0 would have negative patch number" },
    { v: "v0.1.0-0.20060102150405-hash", reason: "version before v0.1.0 would have negative patch number" },
    { v: "v1.0.0-0.20060102150405-hash", reason: "version before v1.0.0 would have negative patch number" },
    { v: "v0.0.0-20060102150405-hash+incompatible", reason: 'lacks base version, but has build metadata "+incompatible"' },
    { v: "v0.0.0-20060102150405-hash+metadata", reason: 'lacks base version, but has build metadata "+metadata"' },
  ])("pseudoVersionBase($v) fails", ({ v, reason }) => {
    expect(() => pseudoVersionBase(v)).toThrow(expect.objectContaining({ version: v, reason, pseudo: true }));
  });

  it("pseudoVersionBase(v0.0.0-0.20060102150405-hash) error text", () => {
    expect(() => pseudoVersionBase("v0.0.0-0.20060102150405-hash")).toThrow(
      "invalid pseudo-version: version before v0.0.0 would have negative patch number",
    );
  });

  it.each([
    { v: "v0.0.0-20060102150405-abc", want: "20060102150405" },
    { v: "v0.0.0-20040229235959-abc", want: "20040229235959" }, // leap year
    { v: "v0.0.0-20000229000000-abc", want: "20000229000000" }, // divisible by 400
    { v: "v0.0.0-00000101000000-abc", want: "00000101000000" }, // year 0 parses in Go
    { v: "v0.0.0-00010101000000-000000000000", want: "00010101000000" },
    { v: "v0.0.0-20061302150405-abc", want: "" },
    { v: "v0.0.0-20060002150405-abc", want: "" },
    { v: "v0.0.0-20060100150405-abc", want: "" },
    { v: "v0.0.0-20060230150405-abc", want: "" },
    { v: "v0.0.0-21000229000000-abc", want: "" }, // 2100 is not a leap year
    { v: "v0.0.0-20060431000000-abc", want: "" },
    { v: "v0.0.0-20060102240000-abc", want: "" },
    { v: "v0.0.0-20060102236000-abc", want: "" },
    { v: "v0.0.0-20060102235960-abc", want: "" },
  ])("pseudoVersionTime($v)", ({ v, want }) => {
    if (want !== "") expect(pseudoVersionTime(v)).toBe(want);
    else expect(() => pseudoVersionTime(v)).toThrow(`invalid pseudo-version: malformed time "${v.slice(7, 21)}"`);
  });

  it.each([
    { seconds: PSEUDO_TIME, want: "20060102150405" },
    { seconds: PSEUDO_TIME + 0.999, want: "20060102150405" },
    { seconds: 0, want: "19700101000000" },
    { seconds: -1, want: "19691231235959" },
    { seconds: -62135596800, want: "00010101000000" },
    { seconds: 253402300799, want: "99991231235959" },
  ])("pseudoVersionTimestamp($seconds)", ({ seconds, want }) => {
    expect(pseudoVersionTimestamp(seconds)).toBe(want);
  });

  it.each([
    { major: "", want: "v0.0.0-00010101000000-000000000000" },
    { major: "v2", want: "v2.0.0-00010101000000-000000000000" },
  ])("zeroPseudoVersion($major)", ({ major, want }) => {
    expect(zeroPseudoVersion(major)).toBe(want);
    expect(isZeroPseudoVersion(want)).toBe(true);
  });

  it.each(["v0.0.1-0.00010101000000-000000000000", "v0.0.0-20060102150405-000000000000", "bad"])(
    "isZeroPseudoVersion(%s) is false",
    (v) => {
      expect(isZeroPseudoVersion(v)).toBe(false);
    },
  );

  it.each([
    { in: "0", want: "1" },
    { in: "1", want: "2" },
    { in: "99", want: "100" },
    { in: "100", want: "101" },
    { in: "101", want: "102" },
  ])("incDecimal($in)", ({ in: decimal, want }) => {
    expect(incDecimal(decimal)).toBe(want);
  });

  it.each([
    { in: "", want: "" },
    { in: "0", want: "" },
    { in: "00", want: "" },
    { in: "1", want: "0" },
    { in: "2", want: "1" },
    { in: "99", want: "98" },
    { in: "100", want: "99" },
    { in: "101", want: "100" },
  ])("decDecimal($in)", ({ in: decimal, want }) => {
    expect(decDecimal(decimal)).toBe(want);
  });
});
