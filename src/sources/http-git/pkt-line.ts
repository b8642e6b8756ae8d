/**
 * pkt-line framing (Documentation/gitprotocol-common.txt, "pkt-line Format").
 *
 * Every message of the smart protocol is a sequence of pkt-lines: four hex
 * digits giving the length of the line including those four digits, then
 * the payload. Lengths 0000 (flush), 0001 (delimiter, protocol v2) and 0002
 * (response end, v2) are special packets without payload; 0003 is invalid,
 * as is anything over 65520. Text lines end in "\n", which we strip.
 *
 * An `ERR <message>` line may come instead of any other line when the
 * server gives up; `PktReader` turns it into `ProtocolError` so that every
 * caller sees it the same way. The reader pulls from a byte stream and
 * copies a packet's payload only when it spans two network chunks.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** MAX_PKT_BYTES is the longest pkt-line, length prefix included (LARGE_PACKET_MAX). */
export const MAX_PKT_BYTES = 65520;

/** ProtocolError says the server broke the protocol or reported an error (`ERR`, sideband 3). */
export class ProtocolError extends Error {
  /** serverMessage is the text of an `ERR` line or sideband error, when that is what it was. */
  constructor(message: string, readonly serverMessage?: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

export type Pkt =
  | { kind: "data"; data: Uint8Array }
  | { kind: "flush" }
  | { kind: "delim" }
  | { kind: "end" };

/** pktLine encodes one text or binary pkt-line: `pktLine("done\n")` is "0009done\n". */
export function pktLine(payload: string | Uint8Array): Uint8Array {
  const data = typeof payload === "string" ? encoder.encode(payload) : payload;
  const length = data.length + 4;
  if (length > MAX_PKT_BYTES) throw new Error(`pkt-line of ${length} bytes is too long`);
  const out = new Uint8Array(length);
  out.set(encoder.encode(length.toString(16).padStart(4, "0")), 0);
  out.set(data, 4);
  return out;
}

export const FLUSH = encoder.encode("0000");
export const DELIM = encoder.encode("0001");

/** PktReader reads pkt-lines from a byte stream. */
export class PktReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** read returns the next packet, or undefined at a clean end of stream. */
  async read(): Promise<Pkt | undefined> {
    const head = await this.#take(4, true);
    if (!head) return undefined;
    const hex = decoder.decode(head);
    if (!/^[0-9a-f]{4}$/i.test(hex)) throw new ProtocolError(`bad pkt-line length ${JSON.stringify(hex)}`);
    const length = parseInt(hex, 16);
    if (length === 0) return { kind: "flush" };
    if (length === 1) return { kind: "delim" };
    if (length === 2) return { kind: "end" };
    if (length < 4 || length > MAX_PKT_BYTES) throw new ProtocolError(`bad pkt-line length ${length}`);
    const data = (await this.#take(length - 4, false))!;
    if (data.length >= 4 && data[0] === 0x45 && data[1] === 0x52 && data[2] === 0x52 && data[3] === 0x20) {
      const message = decoder.decode(data.subarray(4)).trim();
      throw new ProtocolError(`server error: ${message}`, message);
    }
    return { kind: "data", data };
  }

  /** readLine returns the next packet's payload as text without its final "\n", or the special packet. */
  async readLine(): Promise<string | Exclude<Pkt, { kind: "data" }> | undefined> {
    const pkt = await this.read();
    if (!pkt || pkt.kind !== "data") return pkt;
    return textOf(pkt.data);
  }

  /** cancel releases the stream. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  async #take(n: number, allowEnd: boolean): Promise<Uint8Array | undefined> {
    if (this.#chunk.length - this.#at >= n) {
      const out = this.#chunk.subarray(this.#at, this.#at + n);
      this.#at += n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    for (;;) {
      const room = Math.min(n - filled, this.#chunk.length - this.#at);
      out.set(this.#chunk.subarray(this.#at, this.#at + room), filled);
      filled += room;
      this.#at += room;
      if (filled === n) return out;
      if (this.#done) break;
      const { done, value } = await this.#reader.read();
      if (done) {
        this.#done = true;
        break;
      }
      this.#chunk = value;
      this.#at = 0;
    }
    if (filled === 0 && allowEnd) return undefined;
    throw new ProtocolError("response truncated in a pkt-line");
  }
}

/** textOf decodes a text pkt-line payload without its final "\n". */
export function textOf(data: Uint8Array): string {
  const end = data.length > 0 && data[data.length - 1] === 0x0a ? data.length - 1 : data.length;
  return decoder.decode(data.subarray(0, end));
}
