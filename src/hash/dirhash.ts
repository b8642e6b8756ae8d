/**
 * The `h1:` hashes of go.sum and the checksum database
 * (golang.org/x/mod/sumdb/dirhash, `Hash1`, `HashZip`; cmd/go modfetch
 * `goModSum`).
 *
 * Hash1 of a list of files:
 * - sort the file names by byte order (`slices.Sort` on Go strings, which
 *   are UTF-8 bytes; JavaScript's default sort compares UTF-16 code units,
 *   which disagrees for names mixing U+E000–U+FFFF with U+10000 and above);
 * - for each file write one line: the lowercase hex SHA-256 of its content,
 *   two spaces, the name, "\n";
 * - the hash is "h1:" and the standard base64 of the SHA-256 of all lines.
 * Names containing "\n" are rejected, since they would forge a line.
 *
 * - The zip hash (the `path version h1:` line) hashes every entry of the zip
 *   under its full entry name, `module@version/` prefix included; a
 *   directory entry counts as an empty file, which is why module zips must
 *   not have any (golang/go#53448).
 * - The go.mod hash (the `path version/go.mod h1:` line) is Hash1 of one file
 *   named exactly "go.mod" holding the `.mod` bytes.
 *
 * Only names and contents count: compression, times and modes do not, so a
 * proxy need not reproduce cmd/go's zip bytes, only the same files.
 * Everything here is web-standard (`crypto.subtle`) or plain JavaScript.
 */

import { ZipError } from "../errors.ts";
import { toHex } from "../git/object.ts";
import { readZip } from "../zip/reader.ts";
import { nativeSha256 } from "../builtins.ts";
import { sha256Sync, SUBTLE_MIN_BYTES } from "./sha256.ts";

/** HashFile is one file to hash: its name in the hash and a way to read it. */
export interface HashFile {
  name: string;
  open(): Promise<Uint8Array> | Uint8Array;
}

/**
 * Hash1Builder computes an `h1:` hash incrementally: add files in any order
 * as they stream past (for example while writing a zip), then call `sum`.
 * It keeps one short line per file, never the contents.
 *
 * @example
 * const h = new Hash1Builder();
 * await h.add("example.com/m@v1.0.0/go.mod", bytes);
 * await h.sum(); // "h1:…"
 * Edge case: adding the same name twice keeps both lines, as Hash1 does
 * for a list with duplicates.
 */
export class Hash1Builder {
  readonly #lines: { name: string; hex: string }[] = [];

  /** add hashes data and records it under name. */
  async add(name: string, data: Uint8Array): Promise<void> {
    checkHashName(name);
    this.addDigest(name, await sha256(data));
  }

  /** addDigest records a file whose SHA-256 is already known. */
  addDigest(name: string, digest: Uint8Array): void {
    checkHashName(name);
    if (digest.length !== 32) throw new TypeError("dirhash: a SHA-256 digest has 32 bytes");
    this.#lines.push({ name, hex: toHex(digest) });
  }

  /** sum returns the `h1:` hash of the files added so far. */
  async sum(): Promise<string> {
    // UTF-16 order is byte order unless a name has a character above U+FFFF.
    const astral = this.#lines.some((l) => /[\ud800-\udfff]/.test(l.name));
    const lines = [...this.#lines].sort(
      astral ? (a, b) => compareBytewise(a.name, b.name) : (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    const summary = lines.map(({ name, hex }) => `${hex}  ${name}\n`).join("");
    return "h1:" + toBase64(await sha256(new TextEncoder().encode(summary)));
  }
}

/**
 * hash1 returns the `h1:` hash of files (dirhash.Hash1). Names are checked
 * before any file is opened; files are opened one at a time.
 *
 * @example await hash1([]) === "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
 * Edge case: a name containing "\n" throws ZipError, as Hash1 refuses it.
 */
export async function hash1(files: readonly HashFile[]): Promise<string> {
  for (const f of files) checkHashName(f.name);
  const h = new Hash1Builder();
  for (const f of files) await h.add(f.name, await f.open());
  return h.sum();
}

/**
 * hashZip returns the `h1:` hash of the zip file in zipBytes
 * (dirhash.HashZip): every entry, under its full name, prefix included.
 *
 * @example await hashZip(bytesOfEmptyZip) === "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
 * Edge case: when two entries share a name, both lines hash the content of
 * the last one, as HashZip's name→file map does.
 */
export async function hashZip(zipBytes: Uint8Array): Promise<string> {
  const entries = readZip(zipBytes);
  const last = new Map(entries.map((e) => [e.name, e]));
  return hash1(entries.map((e) => ({ name: e.name, open: () => last.get(e.name)!.read() })));
}

/**
 * hashGoMod returns the hash recorded on a go.sum `/go.mod` line: Hash1 of
 * one file named "go.mod" holding the `.mod` bytes (modfetch `goModSum`).
 *
 * @example await hashGoMod(new TextEncoder().encode("module example.com/m\n"))
 * Edge case: an empty `.mod` still hashes one (empty) file, not zero files.
 */
export function hashGoMod(mod: Uint8Array): Promise<string> {
  return hash1([{ name: "go.mod", open: () => mod }]);
}

/**
 * sha256 returns the SHA-256 digest of data: the runtime's node:crypto
 * where it has one (builtins.ts); else `crypto.subtle` for large inputs and
 * plain JavaScript for small ones, where the subtle call's own cost
 * dominates (see sha256.ts).
 */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  if (nativeSha256) return nativeSha256(data);
  if (data.length < SUBTLE_MIN_BYTES) return sha256Sync(data);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
}

function checkHashName(name: string): void {
  if (name.includes("\n")) throw new ZipError("dirhash: filenames with newlines are not supported");
  // A lone surrogate cannot be encoded as UTF-8: the line would silently
  // hash U+FFFD instead of the name Go sees.
  if (/\p{Cs}/u.test(name)) throw new ZipError(`dirhash: file name ${JSON.stringify(name)} is not valid UTF-8`);
}

/**
 * compareBytewise orders strings as their UTF-8 bytes sort, which is code
 * point order: UTF-16 code units agree except that surrogates (U+D800–U+DFFF,
 * standing for U+10000 and above) must sort after U+E000–U+FFFF.
 */
export function compareBytewise(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}



function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
