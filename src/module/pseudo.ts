/**
 * Pseudo-versions: versions that name an untagged commit, as
 * golang.org/x/mod module/pseudo.go defines them.
 *
 * A pseudo-version has one of these forms (yyyymmddhhmmss is the commit time
 * in UTC, abcdef123456 the first 12 hex digits of the commit hash):
 *
 *   (1) vX.0.0-yyyymmddhhmmss-abcdef123456                 no tag below the commit
 *   (2) vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef123456           base tag vX.Y.Z
 *   (3) vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef123456+incompatible
 *   (4) vX.Y.Z-pre.0.yyyymmddhhmmss-abcdef123456           base tag vX.Y.Z-pre
 *   (5) vX.Y.Z-pre.0.yyyymmddhhmmss-abcdef123456+incompatible
 *
 * Form (1) sorts below every tagged vX version. Forms (2) and (3) are
 * pre-releases of the next patch, and the leading `0.` keeps them below any
 * real pre-release such as vX.Y.(Z+1)-rc1. Forms (4) and (5) sort just after
 * their base pre-release.
 *
 * These functions check syntax only. Whether the time and hash match a real
 * commit, and whether the base tag is an ancestor, is the resolver's job
 * (cmd/go modfetch/coderepo.go `validatePseudoVersion`).
 *
 * Source: golang.org/x/mod module/pseudo.go (fe2ec04); go.dev/ref/mod#pseudo-versions.
 */

import { InvalidVersionError } from "../errors.ts";
import { build, canonical, isValid, major, prerelease } from "./version.ts";

/**
 * The x/mod regular expression. The optional `([^+]*\.)?` is a base
 * pre-release; the revision is any ASCII alphanumeric run, not only 12 hex
 * digits, so that other version control systems fit.
 */
const PSEUDO_VERSION_RE =
  /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** The time of Go's zero `time.Time`, 0001-01-01T00:00:00Z, in Unix seconds. */
const ZERO_TIME_SECONDS = -62135596800;

/**
 * pseudoVersion returns the pseudo-version for a commit (module.PseudoVersion).
 * `major` is the major version to use without a base ("" means "v0"),
 * `older` the base tag or "", `timeSeconds` the commit time in Unix seconds
 * (UTC; fractions are dropped) and `rev` the short commit hash.
 *
 * @example pseudoVersion("v1", "v1.2.3", 1136214245, "abcdef123456") === "v1.2.4-0.20060102150405-abcdef123456"
 * Edge case: the base's build suffix is kept, so a `+incompatible` base gives
 * a `+incompatible` pseudo-version; the patch is incremented as a decimal
 * string of any length.
 */
export function pseudoVersion(major: string, older: string, timeSeconds: number, rev: string): string {
  if (major === "") major = "v0";
  const segment = `${pseudoVersionTimestamp(timeSeconds)}-${rev}`;
  const buildSuffix = build(older);
  older = canonical(older);
  if (older === "") return `${major}.0.0-${segment}`; // form (1)
  if (prerelease(older) !== "") return `${older}.0.${segment}${buildSuffix}`; // forms (4), (5)
  const i = older.lastIndexOf(".") + 1; // forms (2), (3)
  return `${older.slice(0, i)}${incDecimal(older.slice(i))}-0.${segment}${buildSuffix}`;
}

/**
 * pseudoVersionTimestamp formats Unix seconds as the 14-digit UTC
 * `yyyymmddhhmmss` of a pseudo-version (Go's PseudoVersionTimestampFormat).
 *
 * @example pseudoVersionTimestamp(1136214245) === "20060102150405"
 * Edge case: years below 1000 are zero-padded to four digits, as Go does.
 */
export function pseudoVersionTimestamp(timeSeconds: number): string {
  const t = new Date(Math.floor(timeSeconds) * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    String(t.getUTCFullYear()).padStart(4, "0") +
    two(t.getUTCMonth() + 1) +
    two(t.getUTCDate()) +
    two(t.getUTCHours()) +
    two(t.getUTCMinutes()) +
    two(t.getUTCSeconds())
  );
}

/**
 * zeroPseudoVersion returns the placeholder pseudo-version with a zero time
 * and revision (module.ZeroPseudoVersion).
 *
 * @example zeroPseudoVersion("v2") === "v2.0.0-00010101000000-000000000000"
 * Edge case: "" means "v0".
 */
export function zeroPseudoVersion(major: string): string {
  return pseudoVersion(major, "", ZERO_TIME_SECONDS, "000000000000");
}

/**
 * isZeroPseudoVersion reports whether v is a `zeroPseudoVersion`.
 *
 * @example isZeroPseudoVersion("v0.0.0-00010101000000-000000000000") === true
 * Edge case: a zero pseudo-version with a base tag is not one.
 */
export function isZeroPseudoVersion(v: string): boolean {
  return v === zeroPseudoVersion(major(v));
}

/**
 * isPseudoVersion reports whether v has pseudo-version syntax
 * (module.IsPseudoVersion): at least two dashes, valid semver, and the x/mod
 * pattern.
 *
 * @example isPseudoVersion("v1.2.4-0.20060102150405-abcdef123456") === true
 * Edge case: a tag that merely looks like one (`v1.0.0-20060102150405-x`)
 * is syntactically a pseudo-version too; cmd/go ignores such tags.
 */
export function isPseudoVersion(v: string): boolean {
  return countDashes(v) >= 2 && isValid(v) && PSEUDO_VERSION_RE.test(v);
}

/**
 * pseudoVersionTime returns the commit time encoded in pseudo-version v, as
 * its 14-digit UTC string `yyyymmddhhmmss`, after checking that it is a real
 * date and time (module.PseudoVersionTime, which returns a time.Time). Two
 * such strings are equal exactly when the times are, so compare the result
 * with `pseudoVersionTimestamp(commitSeconds)`.
 *
 * @example pseudoVersionTime("v1.2.4-0.20060102150405-abcdef123456") === "20060102150405"
 * Edge case: throws InvalidVersionError "malformed time" for a date Go's
 * time.Parse rejects (month 13, February 30, hour 24, second 60), and
 * "syntax error" when v is not a pseudo-version. Year 0000 is accepted.
 */
export function pseudoVersionTime(v: string): string {
  const { timestamp } = parsePseudoVersion(v);
  const field = (i: number, n = 2) => Number(timestamp.slice(i, i + n));
  const [y, mo, d, h, mi, s] = [field(0, 4), field(4), field(6), field(8), field(10), field(12)];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || s > 59) {
    throw new InvalidVersionError(v, `malformed time ${JSON.stringify(timestamp)}`, true);
  }
  return timestamp;
}

/**
 * pseudoVersionRev returns the revision part of pseudo-version v
 * (module.PseudoVersionRev).
 *
 * @example pseudoVersionRev("v1.2.4-0.20060102150405-abcdef123456+incompatible") === "abcdef123456"
 * Edge case: throws InvalidVersionError "syntax error" when v is not a pseudo-version.
 */
export function pseudoVersionRev(v: string): string {
  return parsePseudoVersion(v).rev;
}

/**
 * pseudoVersionBase returns the tag that pseudo-version v is based on, or ""
 * for form (1) (module.PseudoVersionBase).
 *
 * @example pseudoVersionBase("v1.2.4-0.20060102150405-abcdef123456+incompatible") === "v1.2.3+incompatible"
 * @example pseudoVersionBase("v1.3.0-pre.0.20060102150405-abcdef123456") === "v1.3.0-pre"
 * Edge case: `vX.0.0-0.…` ("negative patch number") and `vX.0.0-…+build`
 * ("lacks base version") throw InvalidVersionError: such versions were seen in
 * the wild but no tool makes them.
 */
export function pseudoVersionBase(v: string): string {
  const parsed = parsePseudoVersion(v);
  let base = parsed.base;
  const buildSuffix = parsed.build;
  const pre = prerelease(base);
  if (pre === "") {
    if (buildSuffix !== "") {
      throw new InvalidVersionError(
        v,
        `lacks base version, but has build metadata ${JSON.stringify(buildSuffix)}`,
        true,
      );
    }
    return "";
  }
  if (pre === "-0") {
    base = base.slice(0, base.length - pre.length);
    const i = base.lastIndexOf(".");
    const patch = decDecimal(base.slice(i + 1));
    if (patch === "") {
      throw new InvalidVersionError(v, `version before ${base} would have negative patch number`, true);
    }
    return base.slice(0, i + 1) + patch + buildSuffix;
  }
  return base.slice(0, base.length - ".0".length) + buildSuffix;
}

/**
 * incDecimal returns the decimal string plus one, at any length.
 *
 * @example incDecimal("99") === "100"
 * Edge case: "" is not a number; the result is "1".
 */
export function incDecimal(decimal: string): string {
  const digits = [...decimal];
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === "9"; i--) digits[i] = "0";
  if (i >= 0) digits[i] = String(Number(digits[i]) + 1);
  else digits.unshift("1");
  return digits.join("");
}

/**
 * decDecimal returns the decimal string minus one, at any length.
 *
 * @example decDecimal("100") === "99"
 * Edge case: zero ("0", "00") and "" return "".
 */
export function decDecimal(decimal: string): string {
  const digits = [...decimal];
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === "0"; i--) digits[i] = "9";
  if (i < 0) return "";
  if (i === 0 && digits[0] === "1" && digits.length > 1) digits.shift();
  else digits[i] = String(Number(digits[i]) - 1);
  return digits.join("");
}

interface PseudoParts {
  /** base is "vX.0.0", "vX.Y.(Z+1)-0" or "vX.Y.Z-pre.0". */
  base: string;
  timestamp: string;
  rev: string;
  build: string;
}

function parsePseudoVersion(v: string): PseudoParts {
  if (!isPseudoVersion(v)) throw new InvalidVersionError(v, "syntax error", true);
  const buildSuffix = build(v);
  let rest = v.slice(0, v.length - buildSuffix.length);
  const j = rest.lastIndexOf("-");
  const rev = rest.slice(j + 1);
  rest = rest.slice(0, j);
  const i = rest.lastIndexOf("-");
  const dot = rest.lastIndexOf(".");
  const cut = dot > i ? dot : i;
  return { base: rest.slice(0, cut), timestamp: rest.slice(cut + 1), rev, build: buildSuffix };
}

function countDashes(v: string): number {
  let n = 0;
  for (const c of v) if (c === "-") n++;
  return n;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
