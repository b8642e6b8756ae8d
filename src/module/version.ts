/**
 * Go's semantic versions, as golang.org/x/mod/semver defines them.
 *
 * A version is `vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]`, always with the
 * leading `v` (semver.org has none). Numbers have no leading zeros. The
 * shorthands `v1` and `v1.2` are valid and mean `v1.0.0` and `v1.2.0`, but
 * they cannot carry a pre-release or build suffix (`v1.2-pre` is invalid).
 * Pre-release identifiers are non-empty `[0-9A-Za-z-]` and, when numeric,
 * have no leading zeros; build identifiers are non-empty `[0-9A-Za-z-]` and
 * may have leading zeros.
 *
 * Precedence is semver 2.0.0's: build metadata is ignored, a pre-release is
 * below its release, numeric identifiers are below alphanumeric ones, and an
 * invalid string is below every valid version (all invalid strings tie).
 *
 * This is not npm's semver: npm accepts `1.2.3` without `v`, rejects `v1`,
 * and coerces loosely. Never mix the two.
 *
 * Source: golang.org/x/mod semver/semver.go (fe2ec04).
 */

interface Parsed {
  major: string;
  minor: string;
  patch: string;
  /** short is what `canonical` appends to a shorthand: ".0.0", ".0" or "". */
  short: string;
  prerelease: string;
  build: string;
}

/**
 * isValid reports whether v is a valid Go semantic version.
 *
 * @example isValid("v1.2") === true
 * @example isValid("1.2.3") === false // the leading "v" is required
 */
export function isValid(v: string): boolean {
  return parse(v) !== undefined;
}

/**
 * canonical returns the canonical form of v: missing `.MINOR` and `.PATCH`
 * filled in, build metadata dropped. Two versions compare equal exactly when
 * their canonical forms are the same string.
 *
 * @example canonical("v1.2+meta") === ""  // shorthands take no suffix
 * @example canonical("v1.2.3+incompatible") === "v1.2.3"
 * Edge case: an invalid version returns "".
 */
export function canonical(v: string): string {
  const p = parse(v);
  if (!p) return "";
  if (p.build !== "") return v.slice(0, v.length - p.build.length);
  return v + p.short;
}

/**
 * major returns the `vMAJOR` prefix of v.
 *
 * @example major("v2.1.0") === "v2"
 * Edge case: an invalid version returns "".
 */
export function major(v: string): string {
  const p = parse(v);
  return p ? v.slice(0, 1 + p.major.length) : "";
}

/**
 * majorMinor returns the `vMAJOR.MINOR` prefix of v.
 *
 * @example majorMinor("v2.1.0") === "v2.1"
 * @example majorMinor("v2") === "v2.0"
 * Edge case: an invalid version returns "".
 */
export function majorMinor(v: string): string {
  const p = parse(v);
  if (!p) return "";
  const i = 1 + p.major.length;
  const j = i + 1 + p.minor.length;
  if (j <= v.length && v[i] === "." && v.slice(i + 1, j) === p.minor) return v.slice(0, j);
  return v.slice(0, i) + "." + p.minor;
}

/**
 * prerelease returns the `-PRERELEASE` suffix of v, with its dash.
 *
 * @example prerelease("v2.1.0-pre+meta") === "-pre"
 * Edge case: a release or an invalid version returns "".
 */
export function prerelease(v: string): string {
  return parse(v)?.prerelease ?? "";
}

/**
 * build returns the `+BUILD` suffix of v, with its plus.
 *
 * @example build("v2.1.0+incompatible") === "+incompatible"
 * Edge case: an invalid version returns "".
 */
export function build(v: string): string {
  return parse(v)?.build ?? "";
}

/**
 * compare returns -1, 0 or +1 as v is below, equal to or above w in
 * semantic version precedence (semver.Compare).
 *
 * @example compare("v1.0.0-rc.1", "v1.0.0") === -1
 * @example compare("v1.2", "v1.2.0+meta") === 0
 * Edge case: an invalid string is below every valid one, and all invalid
 * strings compare equal (`compare("bad", "") === 0`).
 */
export function compare(v: string, w: string): -1 | 0 | 1 {
  const pv = parse(v);
  const pw = parse(w);
  if (!pv && !pw) return 0;
  if (!pv) return -1;
  if (!pw) return 1;
  return (
    compareInt(pv.major, pw.major) ||
    compareInt(pv.minor, pw.minor) ||
    compareInt(pv.patch, pw.patch) ||
    comparePrerelease(pv.prerelease, pw.prerelease)
  );
}

/**
 * max canonicalizes v and w and returns the greater (semver.Max, deprecated
 * in x/mod because the result is canonicalized).
 *
 * @example max("v1.2", "v1.1.9") === "v1.2.0"
 * Edge case: an invalid argument loses; two invalid arguments return "".
 */
export function max(v: string, w: string): string {
  const cv = canonical(v);
  const cw = canonical(w);
  return compare(cv, cw) > 0 ? cv : cw;
}

/**
 * sort sorts list in place by `compare`, breaking ties by byte-wise string
 * comparison (semver.Sort), and returns it.
 *
 * @example sort(["v1.0", "v1", "bad"]) // ["bad", "v1", "v1.0"]
 * Edge case: invalid strings sort first, among themselves by bytes.
 */
export function sort(list: string[]): string[] {
  return list.sort((a, b) => compare(a, b) || compareStrings(a, b));
}

/**
 * compareStrings compares by Unicode code point, which is the byte order of
 * the UTF-8 encodings that Go's strings.Compare uses (JavaScript's `<`
 * compares UTF-16 units and orders U+E000..U+FFFF after astral characters).
 */
export function compareStrings(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : 1;
}

function parse(v: string): Parsed | undefined {
  if (v === "" || v[0] !== "v") return undefined;
  const p: Parsed = { major: "", minor: "", patch: "", short: "", prerelease: "", build: "" };
  let rest: string;
  let t = parseInt(v.slice(1));
  if (!t) return undefined;
  [p.major, rest] = t;
  if (rest === "") {
    p.minor = "0";
    p.patch = "0";
    p.short = ".0.0";
    return p;
  }
  if (rest[0] !== ".") return undefined;
  t = parseInt(rest.slice(1));
  if (!t) return undefined;
  [p.minor, rest] = t;
  if (rest === "") {
    p.patch = "0";
    p.short = ".0";
    return p;
  }
  if (rest[0] !== ".") return undefined;
  t = parseInt(rest.slice(1));
  if (!t) return undefined;
  [p.patch, rest] = t;
  if (rest[0] === "-") {
    const i = rest.indexOf("+") < 0 ? rest.length : rest.indexOf("+");
    if (!isDottedIdents(rest.slice(1, i), true)) return undefined;
    p.prerelease = rest.slice(0, i);
    rest = rest.slice(i);
  }
  if (rest[0] === "+") {
    if (!isDottedIdents(rest.slice(1), false)) return undefined;
    p.build = rest;
    rest = "";
  }
  return rest === "" ? p : undefined;
}

/** parseInt splits a leading decimal number without leading zeros off v. */
function parseInt(v: string): [string, string] | undefined {
  let i = 0;
  while (i < v.length && isDigit(v[i]!)) i++;
  if (i === 0 || (v[0] === "0" && i !== 1)) return undefined;
  return [v.slice(0, i), v.slice(i)];
}

/**
 * isDottedIdents checks a pre-release (numeric identifiers without leading
 * zeros) or build (any identifiers) body: non-empty `[0-9A-Za-z-]` parts.
 */
function isDottedIdents(s: string, noLeadingZeros: boolean): boolean {
  for (const id of s.split(".")) {
    if (!/^[0-9A-Za-z-]+$/.test(id)) return false;
    if (noLeadingZeros && /^0[0-9]+$/.test(id)) return false;
  }
  return true;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isNum(s: string): boolean {
  return /^[0-9]*$/.test(s);
}

/** compareInt compares decimal strings of any length without leading zeros. */
function compareInt(x: string, y: string): -1 | 0 | 1 {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

function comparePrerelease(x: string, y: string): -1 | 0 | 1 {
  if (x === y) return 0;
  if (x === "") return 1;
  if (y === "") return -1;
  const xs = x.slice(1).split(".");
  const ys = y.slice(1).split(".");
  for (let i = 0; i < xs.length && i < ys.length; i++) {
    const dx = xs[i]!;
    const dy = ys[i]!;
    if (dx === dy) continue;
    const ix = isNum(dx);
    const iy = isNum(dy);
    if (ix !== iy) return ix ? -1 : 1;
    if (ix && dx.length !== dy.length) return dx.length < dy.length ? -1 : 1;
    return dx < dy ? -1 : 1;
  }
  return xs.length < ys.length ? -1 : 1;
}
