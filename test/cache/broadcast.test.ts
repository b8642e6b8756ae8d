/**
 * Broadcast: one source stream shared by every reader that joins while it is
 * produced. Sources here are pull-driven streams that count what was read
 * from them, so the tests see how far the source ran ahead of the readers.
 */
import { describe, expect, it } from "vitest";
import { AbandonedError, Broadcast } from "../../src/cache/broadcast.ts";

/** counted is a source of `n` chunks of `size` bytes (chunk i filled with i), read only when pulled. */
function counted(n: number, size: number, fail?: { at: number; error: Error }) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (fail && state.pulled === fail.at) return controller.error(fail.error);
      if (state.pulled === n) return controller.close();
      controller.enqueue(new Uint8Array(size).fill(state.pulled % 256));
      state.pulled++;
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

const bytes = async (s: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(s).arrayBuffer());
const tick = () => new Promise((r) => setTimeout(r, 5));

describe("Broadcast", () => {
  it("reads nothing from its source before the first join", async () => {
    const { stream, state } = counted(4, 10);
    new Broadcast(stream, { maxBytes: 1000 });
    await tick();
    expect(state.pulled).toBe(0);
  });

  it("gives every reader, early or late, the same bytes from the first", async () => {
    const { stream } = counted(50, 100);
    const b = new Broadcast(stream, { maxBytes: 1 << 20 });
    const first = bytes(b.join()!);
    await b.ended;
    const late = await bytes(b.join()!);
    expect(late.length).toBe(5000);
    expect(await first).toEqual(late);
    expect(late[0]).toBe(0);
    expect(late[4999]).toBe(49);
  });

  it("runs to the end for beforeEnd when every reader left before the overflow", async () => {
    const { stream, state } = counted(20, 100);
    let whole: Uint8Array | undefined;
    const b = new Broadcast(stream, { maxBytes: 1 << 20, beforeEnd: async (body) => void (whole = body) });
    await b.join()!.cancel();
    await b.ended;
    expect(state.pulled).toBe(20);
    expect(whole?.length).toBe(2000);
  });

  it("holds back the last chunk until beforeEnd passes, and errors every reader if it throws", async () => {
    const { stream } = counted(3, 10);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new Broadcast(stream, {
      maxBytes: 1000,
      beforeEnd: async () => {
        await gate;
        throw new Error("h1: mismatch");
      },
    });
    const reader = b.join()!.getReader();
    expect((await reader.read()).value?.[0]).toBe(0);
    expect((await reader.read()).value?.[0]).toBe(1);
    const third = reader.read();
    await tick();
    release();
    await expect(third).rejects.toThrow("h1: mismatch");
    await expect(b.ended).rejects.toThrow("h1: mismatch");
  });

  it("passes a source failure to every reader", async () => {
    const { stream } = counted(10, 10, { at: 4, error: new Error("object missing") });
    const b = new Broadcast(stream, { maxBytes: 1000 });
    const [x, y] = [b.join()!, b.join()!];
    await expect(bytes(x)).rejects.toThrow("object missing");
    await expect(bytes(y)).rejects.toThrow("object missing");
  });

  it("past maxBytes refuses new readers and reads the source only as fast as the slowest reader", async () => {
    const { stream, state } = counted(100, 1 << 20); // 100 MiB
    let overflowed = 0;
    const b = new Broadcast(stream, { maxBytes: 8 << 20, onOverflow: () => overflowed++ });
    const reader = b.join()!.getReader();
    await reader.read();
    await tick();
    // Kept for late readers up to maxBytes, then at most 4 MiB ahead of this reader.
    expect(state.pulled).toBeGreaterThan(8);
    expect(state.pulled).toBeLessThanOrEqual(8 + 6);
    expect(overflowed).toBe(1);
    expect(b.join()).toBeUndefined();
    let total = 1 << 20;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
    }
    expect(total).toBe(100 << 20);
    await b.ended;
  });

  it("cancels its source once every reader of an overflowed stream has left", async () => {
    const { stream, state } = counted(100, 1 << 20);
    const b = new Broadcast(stream, { maxBytes: 2 << 20 });
    const s = b.join()!;
    const reader = s.getReader();
    await reader.read();
    await tick();
    await reader.cancel();
    await expect(b.ended).rejects.toBeInstanceOf(AbandonedError);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(20);
  });
});
