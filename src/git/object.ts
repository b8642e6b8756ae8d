/**
 * Git objects: their canonical encoding, their ids, and parsing.
 *
 * An object id is the SHA-1 of `<type> <size>\0<content>` (git's
 * `hash_object_file`). Commits, tags and trees have fixed text or binary
 * layouts (Documentation/gitformat-*.txt); we parse just what a Go proxy
 * needs: trees (mode, name, id), commits (tree, parents, committer time) and
 * annotated tags (target object).
 *
 * Every source (memory, disk, smart HTTP) stores objects in this encoding, so
 * one fixture gives the same commit ids everywhere, and therefore the same
 * pseudo-versions and Origin hashes.
 */

export type ObjectType = "commit" | "tree" | "blob" | "tag";

/** GitObject is one object as git stores it, without the `type size\0` header. */
export interface GitObject {
  type: ObjectType;
  data: Uint8Array;
}

/** Tree entry modes, as git writes them (octal text, no leading zero). */
export const MODE_FILE = "100644";
export const MODE_EXECUTABLE = "100755";
export const MODE_SYMLINK = "120000";
export const MODE_GITLINK = "160000";
export const MODE_TREE = "40000";

export interface TreeEntry {
  mode: string;
  /** name is the entry name decoded as UTF-8; see `nameOK`. */
  name: string;
  oid: string;
  /** nameOK is false when the raw name bytes are not valid UTF-8. */
  nameOK: boolean;
}

/** Signature is a commit's author/committer or a tag's tagger line. */
export interface Signature {
  name: string;
  email: string;
  /** time is seconds since the Unix epoch. */
  time: number;
  /** tz is git's offset text, for example "+0100". */
  tz: string;
}

export interface Commit {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

export interface Tag {
  object: string;
  type: ObjectType;
  tag: string;
  tagger?: Signature;
  message: string;
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** isObjectId reports whether s is a full lowercase hex SHA-1 object id. */
export function isObjectId(s: string): boolean {
  return /^[0-9a-f]{40}$/.test(s);
}

/** hashObject returns the object id of an object: `hashObject("blob", bytes("")) === "e69de29b…"`. */
export async function hashObject(type: ObjectType, data: Uint8Array): Promise<string> {
  const header = encoder.encode(`${type} ${data.length}\0`);
  const all = new Uint8Array(header.length + data.length);
  all.set(header, 0);
  all.set(data, header.length);
  const digest = await crypto.subtle.digest("SHA-1", all);
  return toHex(new Uint8Array(digest));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** toHex writes bytes as lowercase hex, two digits a byte: `toHex(new Uint8Array([0, 171])) === "00ab"`. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** fromHex reads hex digits two at a time into bytes; the caller checks the text is hex. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * encodeTree writes a tree object. Entries are sorted as git sorts them:
 * by name bytes, with a tree's name compared as if it ended in "/".
 */
export function encodeTree(entries: { mode: string; name: string; oid: string }[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => compareBytes(treeSortKey(a), treeSortKey(b)));
  const parts: Uint8Array[] = [];
  for (const e of sorted) {
    parts.push(encoder.encode(`${e.mode} ${e.name}\0`), fromHex(e.oid));
  }
  return concat(parts);
}

function treeSortKey(e: { mode: string; name: string }): Uint8Array {
  return encoder.encode(e.mode === MODE_TREE ? e.name + "/" : e.name);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function signatureText(s: Signature): string {
  return `${s.name} <${s.email}> ${s.time} ${s.tz}`;
}

/** encodeCommit writes a commit object as `git commit-tree` does. */
export function encodeCommit(c: Commit): Uint8Array {
  let s = `tree ${c.tree}\n`;
  for (const p of c.parents) s += `parent ${p}\n`;
  s += `author ${signatureText(c.author)}\n`;
  s += `committer ${signatureText(c.committer)}\n\n`;
  s += c.message;
  return encoder.encode(s);
}

/** encodeTag writes an annotated tag object as `git tag -a` does. */
export function encodeTag(t: Tag): Uint8Array {
  let s = `object ${t.object}\ntype ${t.type}\ntag ${t.tag}\n`;
  if (t.tagger) s += `tagger ${signatureText(t.tagger)}\n`;
  s += `\n${t.message}`;
  return encoder.encode(s);
}

/** parseTree reads a tree object's entries in stored order. */
export function parseTree(data: Uint8Array): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    const nul = data.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > data.length) throw new Error("malformed tree object");
    const mode = utf8.decode(data.subarray(i, space));
    const rawName = data.subarray(space + 1, nul);
    let name: string;
    let nameOK = true;
    try {
      name = strictUtf8.decode(rawName);
    } catch {
      name = utf8.decode(rawName);
      nameOK = false;
    }
    entries.push({ mode, name, oid: toHex(data.subarray(nul + 1, nul + 21)), nameOK });
    i = nul + 21;
  }
  return entries;
}

/** parseSignature reads "Name <email> 1700000000 +0000". */
export function parseSignature(line: string): Signature {
  const m = /^(.*?) ?<([^>]*)> (-?\d+) ([+-]\d{4})$/.exec(line);
  if (!m) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
  return { name: m[1], email: m[2], time: Number(m[3]), tz: m[4] };
}

function headers(data: Uint8Array): { fields: [string, string][]; message: string } {
  const text = utf8.decode(data);
  const end = text.indexOf("\n\n");
  const head = end < 0 ? text : text.slice(0, end);
  const message = end < 0 ? "" : text.slice(end + 2);
  const fields: [string, string][] = [];
  for (const line of head.split("\n")) {
    if (line.startsWith(" ")) continue; // continuation of a multi-line header (gpgsig)
    const sp = line.indexOf(" ");
    fields.push(sp < 0 ? [line, ""] : [line.slice(0, sp), line.slice(sp + 1)]);
  }
  return { fields, message };
}

/** parseCommit reads a commit object. */
export function parseCommit(data: Uint8Array): Commit {
  const { fields, message } = headers(data);
  let tree = "";
  const parents: string[] = [];
  let author: Signature | undefined;
  let committer: Signature | undefined;
  for (const [k, v] of fields) {
    if (k === "tree") tree = v;
    else if (k === "parent") parents.push(v);
    else if (k === "author") author = parseSignature(v);
    else if (k === "committer") committer = parseSignature(v);
  }
  if (!isObjectId(tree) || !committer) throw new Error("malformed commit object");
  return { tree, parents, author: author ?? committer, committer, message };
}

/** parseTag reads an annotated tag object. */
export function parseTag(data: Uint8Array): Tag {
  const { fields, message } = headers(data);
  let object = "";
  let type: ObjectType = "commit";
  let tag = "";
  let tagger: Signature | undefined;
  for (const [k, v] of fields) {
    if (k === "object") object = v;
    else if (k === "type") type = v as ObjectType;
    else if (k === "tag") tag = v;
    else if (k === "tagger") tagger = parseSignature(v);
  }
  if (!isObjectId(object)) throw new Error("malformed tag object");
  return { object, type, tag, tagger, message };
}
