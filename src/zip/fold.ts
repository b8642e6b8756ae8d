/**
 * Case folding for module zip file names, as x/mod zip's `strToFold`.
 *
 * Two file names collide when they are equal under Unicode simple case
 * folding (Go's `strings.EqualFold`): `M.GO` and `m.go`, but also `ſ.go`
 * (U+017F) and `s.go`, or `µ` (U+00B5) and `μ` (U+03BC). strToFold maps every
 * character to the smallest member of its folding orbit (Go iterates
 * `unicode.SimpleFold` to find it), then A–Z to a–z, so that
 * `strToFold(a) === strToFold(b)` exactly when `EqualFold(a, b)`.
 *
 * JavaScript has no SimpleFold, but its `u`+`i` regular expressions match by
 * the same simple case folding (CaseFolding.txt statuses C and S). The orbit
 * table is therefore built once, on first use of a non-ASCII name, from the
 * single-character `toLowerCase`/`toUpperCase` mappings, keeping only the
 * pairs such a regular expression confirms. That drops mappings that are not
 * simple folds, such as dotless `ı` → `I` (Turkic, status T). Every cased
 * character lies below U+20000, so only that range is scanned: 30–150 ms,
 * once per process, and only if a name is not ASCII.
 *
 * The result was checked against Go 1.19's `unicode.SimpleFold` for every
 * code point: identical for all of Go's Unicode 13. The runtimes know newer
 * Unicode (14–16), so for letters added since (e.g. U+2C2F, U+A7C0,
 * U+10570) we find collisions that Go 1.19 misses but Go 1.21+ (Unicode 15)
 * also finds; runtimes may disagree only on Unicode 16 letters.
 */

/**
 * strToFold returns a string such that `strToFold(s) === strToFold(t)`
 * exactly when s and t are equal under simple case folding.
 *
 * @example strToFold("Go.MOD") === "go.mod"
 * @example strToFold("\u212a") === "k" // KELVIN SIGN folds with K and k
 * Edge case: all-ASCII names without upper case are returned unchanged
 * without building the table.
 */
export function strToFold(s: string): string {
  if (!/[A-Z\u0080-\uffff]/.test(s)) return s;
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    let r = c < 0x80 ? c : (orbitMinimum().get(c) ?? c);
    if (r >= 0x41 && r <= 0x5a) r += 0x20;
    out += String.fromCodePoint(r);
  }
  return out;
}

const LAST_CASED_PLANE_END = 0x1ffff;

let minimumOf: Map<number, number> | undefined;

/** orbitMinimum maps each character that folds with another to the smallest one of its orbit. */
function orbitMinimum(): Map<number, number> {
  if (minimumOf) return minimumOf;
  const cased = /\p{Changes_When_Casemapped}/u;
  const neighbours = new Map<number, number[]>();
  const link = (a: number, b: number) => {
    if (!neighbours.has(a)) neighbours.set(a, []);
    if (!neighbours.has(b)) neighbours.set(b, []);
    neighbours.get(a)!.push(b);
    neighbours.get(b)!.push(a);
  };
  for (let c = 0; c <= LAST_CASED_PLANE_END; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCodePoint(c);
    if (!cased.test(s)) continue;
    for (const t of [s.toLowerCase(), s.toUpperCase()]) {
      const d = t.codePointAt(0)!;
      if (t === s || t.length !== String.fromCodePoint(d).length) continue;
      if (new RegExp(`^\\u{${c.toString(16)}}$`, "iu").test(t)) link(c, d);
    }
  }
  const table = new Map<number, number>();
  for (const start of neighbours.keys()) {
    if (table.has(start)) continue;
    const orbit = [start];
    const seen = new Set(orbit);
    for (let i = 0; i < orbit.length; i++) {
      for (const n of neighbours.get(orbit[i])!) {
        if (!seen.has(n)) {
          seen.add(n);
          orbit.push(n);
        }
      }
    }
    const min = Math.min(...orbit);
    for (const c of orbit) table.set(c, min);
  }
  minimumOf = table;
  return table;
}
