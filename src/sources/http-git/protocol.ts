/**
 * The smart HTTP protocol of git's upload-pack, versions 2 and 1
 * (Documentation/gitprotocol-http.txt, gitprotocol-v2.txt, gitprotocol-pack.txt).
 *
 * Discovery is `GET <repo>/info/refs?service=git-upload-pack`. A server
 * that speaks version 2 and sees `Git-Protocol: version=2` answers with its
 * capabilities; refs then come from a `command=ls-refs` POST, which lists
 * only the refs asked for (HEAD, branches, tags) with annotated tags peeled.
 * A version 1 server ignores the header and lists every ref right there,
 * capabilities after a NUL on the first line, peeled tags as `<ref>^{}`.
 *
 * Fetching is one POST to `<repo>/git-upload-pack`: wants, the depth and
 * filter, the haves, and "done", so the server answers with a pack at
 * once, multiplexed on side-band 1 (2 is progress, 3 a fatal error). A
 * version 1 server only accepts wants it advertised unless it says
 * `allow-reachable-sha1-in-want`; version 2 accepts any object it has.
 */

import type { Ref, Refs } from "../source.ts";
import { DELIM, FLUSH, pktLine, PktReader, ProtocolError, textOf } from "./pkt-line.ts";
import { concat, isObjectId } from "../../git/object.ts";

export const UPLOAD_PACK = "git-upload-pack";
export const ADVERTISEMENT_TYPE = "application/x-git-upload-pack-advertisement";
export const REQUEST_TYPE = "application/x-git-upload-pack-request";
export const RESULT_TYPE = "application/x-git-upload-pack-result";

/** Advertisement is what `info/refs` said: v2 capabilities, or v1 refs and capabilities. */
export type Advertisement =
  | { version: 2; capabilities: Map<string, string> }
  | { version: 1; capabilities: Map<string, string>; refs: Refs; symrefs: Map<string, string> };

/** isWantedRef says which refs a Go proxy reads: HEAD, branches and tags (cmd/go's `git ls-remote` filter). */
export function isWantedRef(name: string): boolean {
  return name === "HEAD" || name.startsWith("refs/heads/") || name.startsWith("refs/tags/");
}

/** parseAdvertisement reads the body of `info/refs?service=git-upload-pack`. */
export async function parseAdvertisement(body: ReadableStream<Uint8Array>): Promise<Advertisement> {
  const reader = new PktReader(body);
  try {
    let line = await reader.readLine();
    if (typeof line === "string" && line.startsWith("# service=")) {
      if (line !== `# service=${UPLOAD_PACK}`) throw new ProtocolError(`advertisement for ${line.slice(10)}`);
      const flush = await reader.readLine();
      if (typeof flush !== "object" || flush.kind !== "flush") throw new ProtocolError("no flush after the service line");
      line = await reader.readLine();
    }
    if (line === "version 2") {
      const capabilities = new Map<string, string>();
      for (;;) {
        const cap = await reader.readLine();
        if (cap === undefined) throw new ProtocolError("capability advertisement truncated");
        if (typeof cap !== "string") break;
        const eq = cap.indexOf("=");
        capabilities.set(eq < 0 ? cap : cap.slice(0, eq), eq < 0 ? "" : cap.slice(eq + 1));
      }
      checkObjectFormat(capabilities);
      return { version: 2, capabilities };
    }
    return await parseV1Refs(reader, line);
  } finally {
    await reader.cancel();
  }
}

async function parseV1Refs(reader: PktReader, first: Awaited<ReturnType<PktReader["readLine"]>>): Promise<Advertisement> {
  const capabilities = new Map<string, string>();
  const symrefs = new Map<string, string>();
  const byName = new Map<string, Ref>();
  let head: string | undefined;
  let line = first;
  for (let i = 0; ; i++) {
    if (line === undefined) throw new ProtocolError("ref advertisement truncated");
    if (typeof line !== "string") break;
    let text = line;
    if (i === 0) {
      const nul = text.indexOf("\0");
      if (nul >= 0) {
        for (const cap of text.slice(nul + 1).split(" ")) {
          if (cap === "") continue;
          const eq = cap.indexOf("=");
          const [key, value] = eq < 0 ? [cap, ""] : [cap.slice(0, eq), cap.slice(eq + 1)];
          if (key === "symref") {
            const colon = value.indexOf(":");
            if (colon > 0) symrefs.set(value.slice(0, colon), value.slice(colon + 1));
          } else capabilities.set(key, value);
        }
        text = text.slice(0, nul);
      }
    }
    const sp = text.indexOf(" ");
    const oid = text.slice(0, sp);
    const name = text.slice(sp + 1);
    if (sp !== 40 || !isObjectId(oid)) throw new ProtocolError(`bad ref line ${JSON.stringify(text.slice(0, 100))}`);
    if (name.endsWith("^{}")) {
      const ref = byName.get(name.slice(0, -3));
      if (ref) ref.peeled = oid;
    } else if (name === "HEAD") {
      head = oid;
    } else if (isWantedRef(name)) {
      byName.set(name, { oid });
    }
    line = await reader.readLine();
  }
  checkObjectFormat(capabilities);
  for (const ref of byName.values()) ref.peeled ??= ref.oid;
  const target = symrefs.get("HEAD");
  if (target && byName.has(target)) head = target;
  return { version: 1, capabilities, refs: { head, byName }, symrefs };
}

/** sha256 repositories have 64-digit ids, which nothing else in gomodproxy reads. */
function checkObjectFormat(capabilities: Map<string, string>): void {
  const format = capabilities.get("object-format");
  if (format !== undefined && format !== "sha1") throw new ProtocolError(`object format ${format} is not supported`);
}

/** canWantAny says whether the server gives any object it has, not only what it advertised. */
export function canWantAny(adv: Advertisement): boolean {
  return adv.version === 2 || adv.capabilities.has("allow-reachable-sha1-in-want") || adv.capabilities.has("allow-any-sha1-in-want");
}

/** wantFor is what to ask a server for to get oid: itself, or for v1 the advertised ref that leads to it. */
export function wantFor(adv: Advertisement, oid: string): string | undefined {
  if (adv.version === 2 || canWantAny(adv)) return oid;
  if (adv.refs.head === oid) return oid;
  for (const ref of adv.refs.byName.values()) {
    if (ref.oid === oid) return oid;
    if (ref.peeled === oid) return ref.oid;
  }
  return undefined;
}

export function canDeepen(adv: Advertisement): boolean {
  if (adv.version === 1) return adv.capabilities.has("shallow");
  return (adv.capabilities.get("fetch") ?? "").split(" ").includes("shallow");
}

export function canFilter(adv: Advertisement): boolean {
  if (adv.version === 1) return adv.capabilities.has("filter");
  return (adv.capabilities.get("fetch") ?? "").split(" ").includes("filter");
}

/** commandHeader starts a v2 command: `command=…`, the agent and object format if the server has them, a delimiter. */
function commandHeader(command: string, capabilities: Map<string, string>, agent: string): Uint8Array[] {
  const out = [pktLine(`command=${command}\n`)];
  if (capabilities.has("agent")) out.push(pktLine(`agent=${agent}\n`));
  if (capabilities.has("object-format")) out.push(pktLine("object-format=sha1\n"));
  out.push(DELIM);
  return out;
}

/** lsRefsRequest asks a v2 server for HEAD, branches and tags, peeled, with HEAD's target. */
export function lsRefsRequest(capabilities: Map<string, string>, agent: string): Uint8Array {
  const features = (capabilities.get("ls-refs") ?? "").split(" ");
  const parts = commandHeader("ls-refs", capabilities, agent);
  parts.push(pktLine("peel\n"), pktLine("symrefs\n"));
  if (features.includes("unborn")) parts.push(pktLine("unborn\n"));
  for (const prefix of ["HEAD", "refs/heads/", "refs/tags/"]) parts.push(pktLine(`ref-prefix ${prefix}\n`));
  parts.push(FLUSH);
  return concat(parts);
}

/**
 * parseLsRefs reads an ls-refs answer: `<oid> <name>[ symref-target:<t>][ peeled:<oid>]`
 * lines, or `unborn HEAD symref-target:<t>` for a HEAD whose branch does not exist.
 */
export async function parseLsRefs(body: ReadableStream<Uint8Array>): Promise<Refs> {
  const reader = new PktReader(body);
  const byName = new Map<string, Ref>();
  let head: string | undefined;
  try {
    for (;;) {
      const line = await reader.readLine();
      if (line === undefined) throw new ProtocolError("ls-refs answer truncated");
      if (typeof line !== "string") break;
      const [oid, name, ...attributes] = line.split(" ");
      let peeled: string | undefined;
      let target: string | undefined;
      for (const a of attributes) {
        if (a.startsWith("peeled:")) peeled = a.slice(7);
        else if (a.startsWith("symref-target:")) target = a.slice(14);
      }
      if (name === "HEAD") {
        head = target ?? (isObjectId(oid) ? oid : undefined);
        continue;
      }
      if (!isObjectId(oid) || (peeled !== undefined && !isObjectId(peeled))) {
        throw new ProtocolError(`bad ls-refs line ${JSON.stringify(line.slice(0, 100))}`);
      }
      // Refs that are not annotated tags point at their commit: saying so spares reading the object.
      if (isWantedRef(name)) byName.set(name, { oid, peeled: peeled ?? oid });
    }
  } finally {
    await reader.cancel();
  }
  return { head, byName };
}

/** FetchRequest says what one upload-pack request asks for. */
export interface FetchRequest {
  wants: string[];
  /** haves are commits whose closure (cut at `shallows`) the client has. */
  haves: string[];
  /** shallows are the commits the client has without their parents. */
  shallows: string[];
  /** depth limits history to this many commits from each want; 0 for no limit. */
  depth: number;
  /** filter is a partial-clone filter spec, e.g. "tree:0". */
  filter?: string;
}

/** fetchRequestV2 encodes `command=fetch`. */
export function fetchRequestV2(capabilities: Map<string, string>, agent: string, r: FetchRequest): Uint8Array {
  const parts = commandHeader("fetch", capabilities, agent);
  // thin-pack: with shallow haves, git leaves out what the haves hold only for a thin pack (pack-objects --objects-edge-aggressive).
  parts.push(pktLine("thin-pack\n"), pktLine("ofs-delta\n"), pktLine("no-progress\n"));
  for (const oid of r.wants) parts.push(pktLine(`want ${oid}\n`));
  for (const oid of r.shallows) parts.push(pktLine(`shallow ${oid}\n`));
  if (r.depth > 0) parts.push(pktLine(`deepen ${r.depth}\n`));
  if (r.filter) parts.push(pktLine(`filter ${r.filter}\n`));
  for (const oid of r.haves) parts.push(pktLine(`have ${oid}\n`));
  parts.push(pktLine("done\n"), FLUSH);
  return concat(parts);
}

/** fetchRequestV1 encodes the v1 want/have exchange of a stateless (HTTP) client. */
export function fetchRequestV1(capabilities: Map<string, string>, agent: string, r: FetchRequest): Uint8Array {
  const caps = [capabilities.has("side-band-64k") ? "side-band-64k" : "side-band"];
  if (capabilities.has("thin-pack")) caps.push("thin-pack");
  if (capabilities.has("ofs-delta")) caps.push("ofs-delta");
  if (capabilities.has("no-progress")) caps.push("no-progress");
  if (r.depth > 0 || r.shallows.length > 0) caps.push("shallow");
  if (r.filter) caps.push("filter");
  if (capabilities.has("agent")) caps.push(`agent=${agent}`);
  const parts: Uint8Array[] = [];
  r.wants.forEach((oid, i) => parts.push(pktLine(i === 0 ? `want ${oid} ${caps.join(" ")}\n` : `want ${oid}\n`)));
  for (const oid of r.shallows) parts.push(pktLine(`shallow ${oid}\n`));
  if (r.depth > 0) parts.push(pktLine(`deepen ${r.depth}\n`));
  if (r.filter) parts.push(pktLine(`filter ${r.filter}\n`));
  parts.push(FLUSH);
  for (const oid of r.haves) parts.push(pktLine(`have ${oid}\n`));
  parts.push(pktLine("done\n"));
  return concat(parts);
}

/**
 * packOf reads an upload-pack answer up to its pack and returns the pack's
 * bytes, taken off side-band 1. Version 2 answers are sections
 * (`acknowledgments`, `shallow-info`, `wanted-refs`, `packfile`); version 1
 * answers give shallow lines (when depth or shallows were sent) and
 * ACK/NAK lines first.
 */
export async function* packOf(body: ReadableStream<Uint8Array>, version: 1 | 2, shallowSent: boolean): AsyncGenerator<Uint8Array> {
  const reader = new PktReader(body);
  try {
    if (version === 2) {
      for (;;) {
        const section = await reader.readLine();
        if (typeof section !== "string") throw new ProtocolError("fetch answer has no packfile section");
        if (section === "packfile") break;
        for (;;) {
          const line = await reader.readLine();
          if (line === undefined || (typeof line !== "string" && line.kind === "flush")) {
            throw new ProtocolError(`fetch answer ends in section ${section}`);
          }
          if (typeof line !== "string") break;
        }
      }
      yield* sideband(reader, undefined);
      return;
    }
    if (shallowSent) {
      for (;;) {
        const line = await reader.readLine();
        if (line === undefined) throw new ProtocolError("fetch answer truncated in shallow lines");
        if (typeof line !== "string") break;
      }
    }
    for (;;) {
      const pkt = await reader.read();
      if (!pkt || pkt.kind !== "data") throw new ProtocolError("fetch answer has no pack");
      const text = textOf(pkt.data);
      if (text === "NAK" || text.startsWith("ACK ")) continue;
      yield* sideband(reader, pkt.data);
      return;
    }
  } finally {
    await reader.cancel();
  }
}

/** sideband yields band-1 payloads until the flush that ends the pack; band 3 is the server giving up. */
async function* sideband(reader: PktReader, first: Uint8Array | undefined): AsyncGenerator<Uint8Array> {
  let data = first;
  for (;;) {
    if (!data) {
      const pkt = await reader.read();
      if (!pkt) throw new ProtocolError("fetch answer ends inside the pack");
      if (pkt.kind === "flush") return;
      if (pkt.kind !== "data") throw new ProtocolError(`unexpected ${pkt.kind} packet inside the pack`);
      data = pkt.data;
    }
    const band = data[0];
    if (band === 1) yield data.subarray(1);
    else if (band === 3) {
      const message = textOf(data.subarray(1)).trim();
      throw new ProtocolError(`server error: ${message}`, message);
    } else if (band !== 2) throw new ProtocolError(`unknown side-band ${band}`);
    data = undefined;
  }
}
