/**
 * The pieces of the smart-HTTP source on their own: pkt-lines, ref
 * advertisements, ls-refs answers, inflating with a reported length, the
 * streaming pack parser (against packs `git pack-objects` writes, and every
 * way to damage them), and the pack index writer (byte for byte what
 * `git index-pack` writes).
 */

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitObject } from "../../src/git/object.ts";
import { jsInflate, type PackInflate } from "../../src/sources/http-git/inflate.ts";
import { nodeInflate, nodeSha1 } from "../../src/sources/http-git/node.ts";
import { writePackIndex } from "../../src/sources/http-git/pack-index-writer.ts";
import { MissingBaseError, PackFormatError, parsePack } from "../../src/sources/http-git/pack-stream.ts";
import { pktLine, PktReader, ProtocolError } from "../../src/sources/http-git/pkt-line.ts";
import { parseAdvertisement, parseLsRefs } from "../../src/sources/http-git/protocol.ts";
import { jsSha1, objectId } from "../../src/sources/http-git/sha1.ts";
import { GIT_ENV, writeRepo } from "../helpers/git-repo.ts";

const execFileAsync = promisify(execFile);
const enc = new TextEncoder();

function stream(...parts: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const bytes = parts.map((p) => (typeof p === "string" ? enc.encode(p) : p));
  return new ReadableStream({
    start(c) {
      for (const b of bytes) c.enqueue(b);
      c.close();
    },
  });
}

const pkt = (s: string) => new TextDecoder().decode(pktLine(s));

describe("pkt-line", () => {
  it.for([
    { payload: "done\n", encoded: "0009done\n" },
    { payload: "", encoded: "0004" },
    { payload: "command=ls-refs\n", encoded: "0014command=ls-refs\n" },
  ])("pktLine($payload)", ({ payload, encoded }) => {
    expect(new TextDecoder().decode(pktLine(payload))).toBe(encoded);
  });

  it("reads data, flush, delimiter and response-end packets split across chunks", async () => {
    const r = new PktReader(stream("00", "09do", "ne\n000", "000010002"));
    expect(await r.readLine()).toBe("done");
    expect(await r.readLine()).toEqual({ kind: "flush" });
    expect(await r.readLine()).toEqual({ kind: "delim" });
    expect(await r.readLine()).toEqual({ kind: "end" });
    expect(await r.readLine()).toBeUndefined();
  });

  it.for([
    { name: "ERR line", input: pkt("ERR upload-pack: not our ref 1234\n"), message: "server error: upload-pack: not our ref 1234" },
    { name: "length cut short", input: "0010abc", message: "response truncated in a pkt-line" },
    { name: "non-hex length", input: "zz10abcdefghijkl", message: 'bad pkt-line length "zz10"' },
    { name: "length 3", input: "0003", message: "bad pkt-line length 3" },
  ])("$name is a ProtocolError", async ({ input, message }) => {
    const err = await new PktReader(stream(input)).read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toBe(message);
  });
});

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

describe("ref advertisements", () => {
  it("version 1: refs, peeled tags, HEAD's target; other refs left out", async () => {
    const adv = await parseAdvertisement(stream(
      pkt("# service=git-upload-pack\n"),
      "0000",
      pkt(`${A} HEAD\0multi_ack side-band-64k ofs-delta shallow symref=HEAD:refs/heads/main agent=git/2.39\n`),
      pkt(`${A} refs/heads/main\n`),
      pkt(`${B} refs/pull/1/head\n`),
      pkt(`${B} refs/tags/v1.0.0\n`),
      pkt(`${C} refs/tags/v1.0.0^{}\n`),
      pkt(`${C} refs/tags/v1.1.0\n`),
      "0000",
    ));
    expect(adv.version).toBe(1);
    if (adv.version !== 1) return;
    expect(adv.refs.head).toBe("refs/heads/main");
    expect(Object.fromEntries(adv.refs.byName)).toEqual({
      "refs/heads/main": { oid: A, peeled: A },
      "refs/tags/v1.0.0": { oid: B, peeled: C },
      "refs/tags/v1.1.0": { oid: C, peeled: C },
    });
    expect(adv.capabilities.has("shallow")).toBe(true);
  });

  it("version 1 of an empty repository has no refs", async () => {
    const adv = await parseAdvertisement(stream(pkt("# service=git-upload-pack\n"), "0000", pkt(`${"0".repeat(40)} capabilities^{}\0side-band-64k\n`), "0000"));
    expect(adv.version === 1 && adv.refs).toEqual({ head: undefined, byName: new Map() });
  });

  it("version 2: capabilities", async () => {
    const adv = await parseAdvertisement(stream(
      pkt("# service=git-upload-pack\n"),
      "0000",
      pkt("version 2\n"),
      pkt("agent=git/2.39.5\n"),
      pkt("ls-refs=unborn\n"),
      pkt("fetch=shallow wait-for-done filter\n"),
      pkt("object-format=sha1\n"),
      "0000",
    ));
    expect(adv).toEqual({
      version: 2,
      capabilities: new Map([["agent", "git/2.39.5"], ["ls-refs", "unborn"], ["fetch", "shallow wait-for-done filter"], ["object-format", "sha1"]]),
    });
  });

  it("a sha256 repository is refused", async () => {
    const err = await parseAdvertisement(stream(pkt("version 2\n"), pkt("object-format=sha256\n"), "0000")).catch((e: unknown) => e);
    expect((err as Error).message).toBe("object format sha256 is not supported");
  });

  it.for([
    {
      name: "peeled tags, HEAD's target",
      lines: [`${A} HEAD symref-target:refs/heads/main`, `${A} refs/heads/main`, `${B} refs/tags/v1.0.0 peeled:${C}`],
      want: { head: "refs/heads/main", byName: { "refs/heads/main": { oid: A, peeled: A }, "refs/tags/v1.0.0": { oid: B, peeled: C } } },
    },
    { name: "an unborn HEAD", lines: ["unborn HEAD symref-target:refs/heads/none"], want: { head: "refs/heads/none", byName: {} } },
    { name: "a detached HEAD", lines: [`${A} HEAD`], want: { head: A, byName: {} } },
  ])("ls-refs: $name", async ({ lines, want }) => {
    const refs = await parseLsRefs(stream(...lines.map((l) => pkt(l + "\n")), "0000"));
    expect({ head: refs.head, byName: Object.fromEntries(refs.byName) }).toEqual(want);
  });
});

describe("inflating with the stream's length", () => {
  const inflaters: [string, PackInflate][] = [["jsInflate", jsInflate], ["nodeInflate", nodeInflate]];
  const contents = [
    { name: "empty", data: new Uint8Array() },
    { name: "text", data: enc.encode("hello, gopher\n".repeat(100)) },
    { name: "64 KiB of noise", data: new Uint8Array(65536).map((_, i) => (i * 2654435761) >>> 24) },
  ];
  for (const [name, inflate] of inflaters) {
    it.for(contents)(`${name}: $name, followed by another stream`, async ({ data }) => {
      const z = deflateSync(data);
      const input = new Uint8Array([...z, ...deflateSync(enc.encode("next"))]);
      const out = await inflate(input, data.length);
      expect({ consumed: out.consumed, same: Buffer.from(out.data).equals(Buffer.from(data)) }).toEqual({ consumed: z.length, same: true });
    });

    it(`${name}: the stream's checksum repeated after it is not taken for its end`, async () => {
      const data = enc.encode("abc");
      const z = deflateSync(data);
      const input = new Uint8Array([...z, ...z.subarray(z.length - 4), 1, 2, 3]);
      expect((await inflate(input, 3)).consumed).toBe(z.length);
    });

    it.for([
      { why: "a wrong size", input: deflateSync(enc.encode("abcd")), size: 3 },
      { why: "a cut stream", input: deflateSync(enc.encode("abcd".repeat(50))).subarray(0, 10), size: 200 },
      { why: "a damaged stream", input: deflateSync(enc.encode("abcd")).map((b, i) => (i === 3 ? b ^ 0x55 : b)), size: 4 },
    ])(`${name} refuses $why`, async ({ input, size }) => {
      await expect(inflate(input, size)).rejects.toThrow();
    });
  }
});

describe("SHA-1", () => {
  it.for([
    { type: "blob", text: "", id: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391" },
    { type: "blob", text: "hello\n", id: "ce013625030ba8dba906f756967f9e9ca394464a" },
    { type: "tree", text: "", id: "4b825dc642cb6eb9a060e54bf8d69288fbee4904" },
  ])("objectId($type, $text)", ({ type, text, id }) => {
    expect(objectId(type, enc.encode(text), jsSha1)).toBe(id);
    expect(objectId(type, enc.encode(text), nodeSha1)).toBe(id);
  });
});

// ---- packs ----------------------------------------------------------------------

let tmp = "";
let gitDir = "";
const packs = new Map<string, Uint8Array>();
let catFile = new Map<string, GitObject>();

async function gitOut(args: string[], input?: string): Promise<Buffer> {
  const child = execFileAsync("git", ["--git-dir", gitDir, ...args], { env: GIT_ENV, encoding: "buffer", maxBuffer: 256 << 20 });
  if (input !== undefined) child.child.stdin!.end(input);
  return (await child).stdout;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "gomodproxy-packs-"));
  gitDir = join(tmp, "r.git");
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}\n`).join("");
  const commits = Array.from({ length: 12 }, (_, i) => {
    const files: Record<string, string | Uint8Array> = { "grow.txt": lines(200 + 40 * i), [`f${i % 3}.txt`]: `version ${i}\n` + lines(50) };
    if (i === 0) files["big.bin"] = new Uint8Array(300_000).map((_, k) => (k * 7) & 255);
    return { id: `c${i}`, date: `2020-01-${String(i + 1).padStart(2, "0")}T00:00:00Z`, files };
  });
  await writeRepo({ root: "example.com/packs", commits, tags: { "v1.0.0": { commit: "c5", message: "v1\n" } } }, gitDir);
  packs.set("ofs", new Uint8Array(await gitOut(["pack-objects", "--stdout", "--revs", "--all", "--delta-base-offset"], "")));
  packs.set("ref", new Uint8Array(await gitOut(["pack-objects", "--stdout", "--revs", "--all"], "")));
  const tip = (await gitOut(["rev-parse", "main"])).toString().trim();
  packs.set("thin", new Uint8Array(await gitOut(["pack-objects", "--stdout", "--revs", "--thin", "--delta-base-offset"], `${tip}\n^${tip}~1\n`)));
  const ids = (await gitOut(["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"])).toString().trim().split("\n");
  const out = await gitOut(["cat-file", "--batch"], ids.join("\n") + "\n");
  catFile = new Map();
  let at = 0;
  for (const oid of ids) {
    const nl = out.indexOf(10, at);
    const [, type, size] = out.subarray(at, nl).toString().split(" ");
    catFile.set(oid, { type: type as GitObject["type"], data: new Uint8Array(out.subarray(nl + 1, nl + 1 + Number(size))) });
    at = nl + 1 + Number(size) + 1;
  }
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe("parsePack", () => {
  it.for([
    { pack: "ofs", chunk: 1 << 16, inflate: "node" },
    { pack: "ofs", chunk: 7, inflate: "node" },
    { pack: "ref", chunk: 1 << 16, inflate: "node" },
    { pack: "ofs", chunk: 1 << 16, inflate: "web" },
    { pack: "ref", chunk: 1000, inflate: "web" },
  ])("$pack deltas, $chunk-byte chunks, $inflate inflate: every object as git has it", async ({ pack, chunk, inflate }) => {
    const parsed = await parsePack(chunks(packs.get(pack)!, chunk), { inflate: inflate === "node" ? nodeInflate : jsInflate, sha1: nodeSha1 });
    expect(parsed.objects.size).toBe(catFile.size);
    for (const [oid, object] of parsed.objects) {
      const want = catFile.get(oid)!;
      expect({ oid, type: object.type, same: Buffer.from(object.data).equals(Buffer.from(want.data)) }).toEqual({ oid, type: want.type, same: true });
    }
  });

  it("a thin pack takes its outside bases from the store, and says which it used", async () => {
    const parsed = await parsePack(chunks(packs.get("thin")!, 4096), { inflate: nodeInflate, findBase: async (oid) => catFile.get(oid) });
    expect(parsed.bases.size).toBeGreaterThan(0);
    for (const [oid, object] of parsed.objects) expect(Buffer.from(object.data).equals(Buffer.from(catFile.get(oid)!.data))).toBe(true);
  });

  it("a thin pack without its bases is a MissingBaseError", async () => {
    await expect(parsePack(chunks(packs.get("thin")!, 4096), { inflate: nodeInflate })).rejects.toBeInstanceOf(MissingBaseError);
  });

  it("every damaged byte, cut and appended byte is refused, and no object comes out", async () => {
    const pack = packs.get("ofs")!;
    const step = Math.max(1, Math.floor(pack.length / 400));
    const damaged: Uint8Array[] = [];
    for (let at = 0; at < pack.length; at += step) {
      const copy = pack.slice();
      copy[at] ^= 0x01;
      damaged.push(copy);
    }
    for (const cut of [0, 4, 12, 13, 100, pack.length >> 1, pack.length - 21, pack.length - 20, pack.length - 1]) damaged.push(pack.subarray(0, cut));
    damaged.push(new Uint8Array([...pack, 0]));
    let refused = 0;
    for (const bytes of damaged) {
      await parsePack(chunks(bytes, 8192), { inflate: nodeInflate, sha1: nodeSha1 }).then(
        () => {},
        (err: unknown) => {
          expect(err).toBeInstanceOf(PackFormatError);
          refused++;
        },
      );
    }
    expect(refused).toBe(damaged.length);
  });
});

describe("writePackIndex", () => {
  it.for(["ofs", "ref"])("the index of a %s pack is byte for byte git index-pack's", async (name) => {
    const parsed = await parsePack(chunks(packs.get(name)!, 1 << 16), { inflate: nodeInflate, keepRaw: true });
    const packFile = join(tmp, `${name}.pack`);
    await writeFile(packFile, packs.get(name)!);
    await execFileAsync("git", ["index-pack", "-o", join(tmp, `${name}.idx`), packFile], { env: GIT_ENV });
    const want = await readFile(join(tmp, `${name}.idx`));
    expect(Buffer.from(writePackIndex(parsed.entries, parsed.checksum)).equals(want)).toBe(true);
  });
});
