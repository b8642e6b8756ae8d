/**
 * Remote: one upstream repository as seen with one set of credentials
 * (one partition), fetched lazily into its store.
 *
 * What is fetched, and when:
 * - refs: `ls-refs` (v2) or the `info/refs` listing (v1), kept `refsTtlMs`
 *   and read again after that or when a request asks for fresh data;
 * - an object the store lacks (`readObject`): a pack for it at depth 1, so
 *   asking for a commit brings its whole tree, which is what reading a
 *   version needs (`.mod` and `.zip`). Commits whose tree we fetched this
 *   way are sent as haves, each declared shallow (the server must not
 *   assume we have their parents), so the next version of the same
 *   repository brings only what changed;
 * - a commit's ancestry (`prepare(commit, { history: true })`, asked for
 *   by pseudo-versions, branch and hash queries): the commits back to the
 *   root, with the filter `tree:0` where the server allows filters (commits
 *   only) and whole otherwise. Commits whose ancestry we hold are the haves.
 *   Calls within one turn of the event loop go out as one request.
 * A version 1 server without `allow-reachable-sha1-in-want` only gives
 * what it advertises: then wants are tips (an annotated tag for its
 * commit), and anything else makes us fetch every tip once.
 *
 * Concurrent requests for the same object, ancestry or refs share one
 * upstream request. Objects never leave a store, so no object is fetched
 * twice unless the memory store evicted it.
 */

import { findCause, GoProxyError, NotFoundError, UpstreamError } from "../../errors.ts";
import { type GitObject, parseCommit } from "../../git/object.ts";
import type { Refs } from "../source.ts";
import type { PackInflate } from "./inflate.ts";
import { MissingBaseError, PackFormatError, parsePack } from "./pack-stream.ts";
import { ProtocolError } from "./pkt-line.ts";
import {
  ADVERTISEMENT_TYPE,
  type Advertisement,
  canDeepen,
  canFilter,
  canWantAny,
  type FetchRequest,
  fetchRequestV1,
  fetchRequestV2,
  lsRefsRequest,
  packOf,
  parseAdvertisement,
  parseLsRefs,
  REQUEST_TYPE,
  RESULT_TYPE,
  UPLOAD_PACK,
  wantFor,
} from "./protocol.ts";
import type { HashFactory } from "./sha1.ts";
import type { PartitionStore } from "./store.ts";
import type { Transport } from "./transport.ts";

/** MAX_HAVES bounds the haves of one request; git's first round sends 16 to 32. */
const MAX_HAVES = 64;
/** MAX_REMEMBERED bounds the commits remembered as complete, for haves. */
const MAX_REMEMBERED = 4096;
/** CAPABILITIES_TTL_MS is how long a v2 server's capabilities are trusted. */
const CAPABILITIES_TTL_MS = 60 * 60_000;

export interface RemoteOptions {
  transport: Transport;
  /** authorization is the header sent upstream, or none. */
  authorization?: string;
  store: PartitionStore;
  keepRaw: boolean;
  refsTtlMs: number;
  inflate: PackInflate;
  sha1: HashFactory;
  /** protocol 2 asks for version 2 and accepts 1; protocol 1 never asks. */
  protocol: 1 | 2;
  /** filter lets ancestry fetches ask for commits only, where the server allows it. */
  filter: boolean;
  agent: string;
  now: () => number;
}

interface Timed<T> {
  value: T;
  at: number;
}

export class Remote {
  #base: string;
  #advertisement?: Timed<Advertisement | undefined>;
  #advertising?: Promise<Timed<Advertisement | undefined>>;
  #refs?: Timed<Refs>;
  #listing?: Promise<Timed<Refs>>;
  #inflight = new Map<string, Promise<void>>();
  /** #snapshots are commits fetched with their whole tree. */
  #snapshots = new Set<string>();
  /** #histories are commits whose every ancestor is in the store. */
  #histories = new Set<string>();
  #batch?: { commits: Set<string>; done: Promise<void> };
  /** #allTips is the v1 advertisement whose tips were all fetched. */
  #allTips?: Advertisement;

  /** url is the repository URL, without credentials. */
  constructor(readonly url: string, private readonly o: RemoteOptions) {
    this.#base = url.replace(/\/+$/, "");
  }

  /**
   * advertise reads `info/refs` unless a copy younger than maxAgeMs exists,
   * and returns undefined when the server says there is no repository
   * (404, 410, or an answer that is not a smart-HTTP advertisement).
   */
  async advertise(maxAgeMs: number): Promise<Advertisement | undefined> {
    const cached = this.#advertisement;
    if (cached && this.o.now() - cached.at < maxAgeMs) return cached.value;
    this.#advertising ??= this.#advertiseNow().finally(() => (this.#advertising = undefined));
    return (await this.#advertising).value;
  }

  /** invalidate makes the next `refs` and `advertise` ask the server. */
  invalidate(): void {
    this.#advertisement = this.#advertisement && { ...this.#advertisement, at: -Infinity };
    this.#refs = this.#refs && { ...this.#refs, at: -Infinity };
  }

  async #advertiseNow(): Promise<Timed<Advertisement | undefined>> {
    const at = this.o.now();
    const url = `${this.#base}/info/refs?service=${UPLOAD_PACK}`;
    const response = await this.o.transport.send(url, {
      method: "GET",
      headers: this.o.protocol === 2 ? { "git-protocol": "version=2" } : {},
      authorization: this.o.authorization,
    });
    let value: Advertisement | undefined;
    const type = response.headers.get("content-type") ?? "";
    if (response.status === 200 && type.split(";")[0].trim() === ADVERTISEMENT_TYPE) {
      value = await guard(this.url, () => parseAdvertisement(response.body));
      // Follow a redirect for the POSTs as git does (`/repo` → `/repo.git`).
      const moved = response.url.replace(/\/info\/refs\?service=git-upload-pack$/, "");
      if (moved !== response.url) this.#base = moved;
    } else {
      await response.body.cancel().catch(() => {});
    }
    this.#advertisement = { value, at };
    return this.#advertisement;
  }

  /** refs lists HEAD, branches and tags; `fresh` skips the cached copy. */
  async refs(fresh: boolean): Promise<Refs> {
    const cached = this.#refs;
    let timed: Timed<Refs>;
    if (!fresh && cached && this.o.now() - cached.at < this.o.refsTtlMs) timed = cached;
    else {
      this.#listing ??= this.#list(fresh).finally(() => (this.#listing = undefined));
      timed = await this.#listing;
    }
    return { head: timed.value.head, byName: new Map([...timed.value.byName].map(([k, v]) => [k, { ...v }])) };
  }

  async #list(fresh: boolean): Promise<Timed<Refs>> {
    const at = this.o.now();
    const first = await this.advertise(CAPABILITIES_TTL_MS);
    let refs: Refs;
    if (first?.version === 2) {
      const response = await this.#post(lsRefsRequest(first.capabilities, this.o.agent), 2);
      refs = await guard(this.url, () => parseLsRefs(response.body));
    } else {
      const adv = await this.advertise(fresh ? 0 : this.o.refsTtlMs);
      if (!adv) throw new NotFoundError(`repository ${this.url} not found`);
      if (adv.version === 2) return this.#list(fresh); // the server was upgraded
      refs = adv.refs;
    }
    this.#refs = { value: refs, at };
    return this.#refs;
  }

  /** readObject returns an object, fetching it (and, for a commit, its tree) when the store lacks it. */
  async readObject(oid: string): Promise<GitObject> {
    const here = await this.o.store.get(oid);
    if (here) return here;
    await this.#once(`object ${oid}`, () => this.#fetchObject(oid));
    const fetched = await this.o.store.get(oid);
    if (!fetched) throw new UpstreamError(`upstream ${this.url}: did not send object ${oid}`, 502);
    return fetched;
  }

  /** prepare fetches a commit with its tree, or with `history` its ancestry, unless the store has it. */
  async prepare(commit: string, options: { history: boolean }): Promise<void> {
    if (!options.history) {
      await this.readObject(commit);
      return;
    }
    if (this.#histories.has(commit)) return;
    if (await this.#hasHistory(commit)) {
      remember(this.#histories, commit);
      return;
    }
    await this.#once(`history ${commit}`, () => this.#queueHistory(commit));
  }

  async #once(key: string, run: () => Promise<void>): Promise<void> {
    let p = this.#inflight.get(key);
    if (!p) {
      p = run().finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    await p;
  }

  async #fetchObject(oid: string): Promise<void> {
    const adv = await this.#capabilities();
    const shallow = canDeepen(adv);
    const want = wantFor(adv, oid);
    if (want === undefined) {
      await this.#fetchAllTips(adv);
      return;
    }
    const haves = shallow ? recent(this.#snapshots) : [];
    const request: FetchRequest = { wants: [want], haves, shallows: haves, depth: shallow ? 1 : 0 };
    await this.#fetch(adv, request);
    // A have we no longer hold whole (evicted from memory) can hide the object: ask again without haves.
    if (haves.length > 0 && !(await this.o.store.get(oid))) await this.#fetch(adv, { ...request, haves: [], shallows: [] });
    const object = await this.o.store.get(oid);
    if (object?.type === "commit") remember(this.#snapshots, oid);
  }

  #queueHistory(commit: string): Promise<void> {
    if (!this.#batch) {
      const batch = { commits: new Set<string>(), done: Promise.resolve() };
      batch.done = new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
        if (this.#batch === batch) this.#batch = undefined;
        return this.#fetchHistory([...batch.commits]);
      });
      this.#batch = batch;
    }
    this.#batch.commits.add(commit);
    return this.#batch.done;
  }

  async #fetchHistory(commits: string[]): Promise<void> {
    const adv = await this.#capabilities();
    const wants = commits.map((c) => wantFor(adv, c));
    if (wants.some((w) => w === undefined)) {
      await this.#fetchAllTips(adv);
    } else {
      // Commits only, where the server allows it and can later give us any tree we ask for.
      const filter = this.o.filter && canFilter(adv) && canWantAny(adv) ? "tree:0" : undefined;
      const haves = recent(this.#histories);
      await this.#fetch(adv, { wants: wants as string[], haves, shallows: [], depth: 0, filter });
    }
    for (const c of commits) remember(this.#histories, c);
  }

  /** #fetchAllTips fetches every advertised tip whole: a v1 server's only way to reach other commits. */
  async #fetchAllTips(adv: Advertisement): Promise<void> {
    if (adv.version !== 1) throw new Error("fetchAllTips is for version 1 servers");
    if (this.#allTips === adv) return;
    const wants = new Set<string>();
    for (const ref of adv.refs.byName.values()) wants.add(ref.oid);
    const head = adv.refs.head;
    if (head && /^[0-9a-f]{40}$/.test(head)) wants.add(head);
    if (wants.size > 0) await this.#fetch(adv, { wants: [...wants], haves: recent(this.#histories), shallows: [], depth: 0 });
    for (const ref of adv.refs.byName.values()) {
      remember(this.#histories, ref.peeled ?? ref.oid);
      remember(this.#snapshots, ref.peeled ?? ref.oid);
    }
    this.#allTips = adv;
  }

  /** #capabilities is the advertisement for fetching: refs as fresh as `refs()` saw them for v1. */
  async #capabilities(): Promise<Advertisement> {
    const adv = await this.advertise(CAPABILITIES_TTL_MS);
    if (!adv) throw new UpstreamError(`upstream ${this.url}: repository disappeared`, 502);
    if (adv.version === 1) return (await this.advertise(this.o.refsTtlMs)) ?? adv;
    return adv;
  }

  /** #fetch fetches a pack into the store; a thin pack whose bases we lost (evicted) is asked for again without haves. */
  async #fetch(adv: Advertisement, request: FetchRequest): Promise<void> {
    try {
      await this.#fetchPack(adv, request);
    } catch (err) {
      if (request.haves.length === 0 || !findCause(err, MissingBaseError)) throw err;
      await this.#fetchPack(adv, { ...request, haves: [], shallows: [] });
    }
  }

  async #fetchPack(adv: Advertisement, request: FetchRequest): Promise<void> {
    const body = adv.version === 2
      ? fetchRequestV2(adv.capabilities, this.o.agent, request)
      : fetchRequestV1(adv.capabilities, this.o.agent, request);
    const response = await this.#post(body, adv.version);
    const shallowSent = request.depth > 0 || request.shallows.length > 0;
    const pack = await guard(this.url, () =>
      parsePack(packOf(response.body, adv.version, shallowSent), {
        inflate: this.o.inflate,
        sha1: this.o.sha1,
        findBase: (oid) => this.o.store.get(oid),
        keepRaw: this.o.keepRaw,
      })
    );
    await this.o.store.add(pack);
  }

  async #post(body: Uint8Array, version: 1 | 2) {
    const headers: Record<string, string> = { "content-type": REQUEST_TYPE, accept: RESULT_TYPE };
    if (version === 2) headers["git-protocol"] = "version=2";
    const response = await this.o.transport.send(`${this.#base}/${UPLOAD_PACK}`, {
      method: "POST",
      headers,
      body,
      authorization: this.o.authorization,
    });
    if (response.status !== 200) throw new UpstreamError(`upstream ${this.url}: ${UPLOAD_PACK} answered ${response.status}`, 502);
    return response;
  }

  /** #hasHistory walks the stored ancestry of commit, stopping at commits known to be complete. */
  async #hasHistory(commit: string): Promise<boolean> {
    const seen = new Set<string>();
    const stack = [commit];
    while (stack.length > 0) {
      const oid = stack.pop()!;
      if (seen.has(oid) || this.#histories.has(oid)) continue;
      seen.add(oid);
      const object = await this.o.store.get(oid);
      if (!object || object.type !== "commit") return false;
      stack.push(...parseCommit(object.data).parents);
    }
    return true;
  }
}

function remember(set: Set<string>, oid: string): void {
  set.delete(oid);
  set.add(oid);
  if (set.size > MAX_REMEMBERED) set.delete(set.values().next().value!);
}

/** recent returns the most recently remembered commits, newest first. */
function recent(set: Set<string>): string[] {
  return [...set].slice(-MAX_HAVES).reverse();
}

/**
 * guard runs a protocol step and turns what the server did wrong into the
 * client's answer: `not our ref` (the object does not exist upstream) is
 * NotFoundError; any other protocol or pack fault is 502.
 */
async function guard<T>(url: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (process.env.DEBUG_HTTP) console.error("GUARD", url, err);
    if (err instanceof GoProxyError) throw err;
    if (err instanceof ProtocolError) {
      // upload-pack's wording since git 1.6 (upload-pack.c); the protocol has no error codes.
      if (err.serverMessage && /\bnot our ref\b/.test(err.serverMessage)) {
        throw new NotFoundError(`upstream ${url}: ${err.serverMessage}`, { cause: err });
      }
      throw new UpstreamError(`upstream ${url}: ${err.message}`, 502, { cause: err });
    }
    if (err instanceof PackFormatError) throw new UpstreamError(`upstream ${url}: bad pack: ${err.message}`, 502, { cause: err });
    throw err;
  }
}
