/**
 * Loose objects: `objects/<first 2 hex digits>/<other 38>`, each a zlib
 * stream of `<type> <size>\0<content>` (Documentation/gitformat-loose.txt
 * describes the same header for hashing). The header is inflated first so
 * that the whole object inflates into a buffer of the size it declares.
 */

import type { GitObject, ObjectType } from "../../git/object.ts";
import { type FileSystem, readFileOrUndefined } from "./file-system.ts";
import { type Inflate, inflatePrefix } from "./inflate.ts";

/** PREFIX_BYTES of zlib stream always hold the header (even after a dynamic Huffman table) and inflate to at most ~0.5 MiB. */
const PREFIX_BYTES = 512;

const TYPES = new Set(["blob", "tree", "commit", "tag"]);

/** readLoose returns the loose object `oid` of an objects directory, or undefined when there is none. */
export async function readLoose(
  fs: FileSystem,
  objectsDir: string,
  oid: string,
  inflate: Inflate,
): Promise<GitObject | undefined> {
  const file = await readFileOrUndefined(fs, `${objectsDir}/${oid.slice(0, 2)}/${oid.slice(2)}`);
  if (!file) return undefined;
  const start = inflatePrefix(file.subarray(0, PREFIX_BYTES));
  const nul = start.subarray(0, 32).indexOf(0);
  const header = new TextDecoder().decode(start.subarray(0, nul < 0 ? 0 : nul));
  const m = /^([a-z]+) (0|[1-9][0-9]*)$/.exec(header);
  if (!m || !TYPES.has(m[1])) throw new Error("loose object has a malformed header");
  const size = Number(m[2]);
  if (size > file.length * 1032 + 64) throw new Error(`loose object claims ${size} bytes`);
  const all = await inflate(file, nul + 1 + size);
  return { type: m[1] as ObjectType, data: all.subarray(nul + 1) };
}
