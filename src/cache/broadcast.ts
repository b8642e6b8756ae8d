/**
 * Broadcast: one byte stream, read once from its source and handed to every
 * request that asks for it while it is produced, the way a zip being built
 * is sent to each client waiting for that zip.
 *
 * - The source is read from the first `join()` on, at its own pace, not at
 *   its readers': a build runs to the end (so it can be cached) even when
 *   its first client is slow or has gone away.
 * - While the bytes produced stay within `maxBytes`, every chunk is kept, so
 *   a reader that joins late starts from the first byte, and `beforeEnd`
 *   gets the complete body (for the cache).
 * - Past `maxBytes` the broadcast overflows: `onOverflow` runs, `join()`
 *   answers undefined from then on (that request must build its own),
 *   chunks every reader has passed are dropped, and the source is read only
 *   while the slowest reader is less than `LAG_BYTES` behind. Memory then
 *   stays near `maxBytes`, whatever the module's size; with no reader left
 *   the source is cancelled.
 * - The last chunk is held back until `beforeEnd` resolves: a check that
 *   fails there (a zip whose `h1:` disagrees with its pin) errors every
 *   reader before any has a complete body, and what it stores is stored
 *   before any reader has it all.
 */

import { concat } from "../git/object.ts";

/** LAG_BYTES is how far the slowest reader of an overflowed broadcast may fall behind the source. */
const LAG_BYTES = 4 << 20;

export interface BroadcastOptions {
  /** maxBytes bounds the bytes kept for late readers and for `beforeEnd`'s body. */
  maxBytes: number;
  /**
   * beforeEnd runs once the source has ended, before readers get its last
   * chunk, with the whole body (undefined after an overflow); a throw errors
   * the readers.
   */
  beforeEnd?: (body: Uint8Array | undefined) => Promise<void>;
  /** onOverflow runs once, when the bytes produced pass maxBytes. */
  onOverflow?: () => void;
}

/** AbandonedError ends an overflowed broadcast whose readers have all gone: nobody needs the rest. */
export class AbandonedError extends Error {
  override name = "AbandonedError";
}

/** Cursor is one reader's position: the index of the next chunk it reads. */
interface Cursor {
  next: number;
}

/**
 * Broadcast shares one source stream among readers; see the file comment.
 *
 * @example
 * const b = new Broadcast(zipStream, { maxBytes: 64 << 20 });
 * const a = new Response(b.join()), c = new Response(b.join()); // same bytes
 * await b.ended; // resolves once every byte is readable
 * Edge case: `join()` after an overflow answers undefined.
 */
export class Broadcast {
  /** ended resolves once beforeEnd passed and the last chunk is readable; it rejects as readers do. */
  readonly ended: Promise<void>;
  readonly #options: BroadcastOptions;
  #start: (() => void) | undefined;
  /** chunks holds published chunks from index `#dropped` on. */
  #chunks: Uint8Array[] = [];
  #dropped = 0;
  #heldBytes = 0;
  #producedBytes = 0;
  #overflowed = false;
  #ended = false;
  #failure: { error: unknown } | undefined;
  readonly #cursors = new Set<Cursor>();
  /** wakers are readers waiting for a chunk, and the source waiting for a slow reader. */
  #wakers: (() => void)[] = [];

  constructor(source: ReadableStream<Uint8Array>, options: BroadcastOptions) {
    this.#options = options;
    this.ended = new Promise<void>((start) => (this.#start = start)).then(() => this.#pump(source));
    this.ended.catch(() => {}); // readers and callers see the failure; nobody has to await it
  }

  /**
   * join returns a stream of every byte from the first, as it is produced,
   * or undefined once the broadcast has overflowed. The first join starts
   * reading the source. Cancel the stream to leave.
   */
  join(): ReadableStream<Uint8Array> | undefined {
    if (this.#overflowed) return undefined;
    this.#start?.();
    this.#start = undefined;
    const cursor: Cursor = { next: 0 };
    this.#cursors.add(cursor);
    const leave = () => {
      if (this.#cursors.delete(cursor)) this.#release();
    };
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const at = cursor.next - this.#dropped;
          if (at < this.#chunks.length) {
            controller.enqueue(this.#chunks[at]);
            cursor.next++;
            if (this.#overflowed) this.#release();
            return;
          }
          if (this.#failure) {
            leave();
            return controller.error(this.#failure.error);
          }
          if (this.#ended) {
            leave();
            return controller.close();
          }
          await new Promise<void>((wake) => this.#wakers.push(wake));
        }
      },
      cancel: leave,
    }, { highWaterMark: 0 });
  }

  async #pump(source: ReadableStream<Uint8Array>): Promise<void> {
    const input = source.getReader();
    try {
      let last: Uint8Array | undefined;
      for (;;) {
        const { done, value } = await input.read();
        if (done) break;
        if (last) await this.#publish(last);
        last = value;
      }
      if (this.#options.beforeEnd) {
        await this.#options.beforeEnd(this.#overflowed ? undefined : concat(last ? [...this.#chunks, last] : this.#chunks));
      }
      if (last) this.#chunks.push(last);
      this.#ended = true;
      this.#wake();
    } catch (error) {
      this.#failure = { error };
      this.#wake();
      input.cancel(error).catch(() => {});
      throw error;
    }
  }

  /** publish makes a chunk readable, and after an overflow waits for the slowest reader. */
  async #publish(chunk: Uint8Array): Promise<void> {
    this.#chunks.push(chunk);
    this.#heldBytes += chunk.length;
    this.#producedBytes += chunk.length;
    this.#wake();
    if (!this.#overflowed && this.#producedBytes > this.#options.maxBytes) {
      this.#overflowed = true;
      this.#options.onOverflow?.();
      this.#release();
    }
    while (this.#overflowed && this.#heldBytes > LAG_BYTES) {
      if (this.#cursors.size === 0) throw new AbandonedError("broadcast: every reader left an overflowed stream");
      await new Promise<void>((wake) => this.#wakers.push(wake));
    }
  }

  /** release drops the chunks every reader has passed, once the broadcast has overflowed. */
  #release(): void {
    if (!this.#overflowed) return;
    let slowest = this.#dropped + this.#chunks.length;
    for (const c of this.#cursors) slowest = Math.min(slowest, c.next);
    while (this.#dropped < slowest) {
      this.#heldBytes -= this.#chunks.shift()!.length;
      this.#dropped++;
    }
    this.#wake();
  }

  #wake(): void {
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }
}
