/**
 * SyncReads: which pack reads run synchronously (node-fs.ts). A fake clock
 * and a hand-run "event loop came round" callback stand in for time.
 */
import { describe, expect, test } from "vitest";
import { SyncReads } from "../../src/sources/fs-git/node-fs.ts";

function setup() {
  const state = { now: 0, pending: [] as (() => void)[] };
  const reads = new SyncReads(() => state.now, (fn) => state.pending.push(fn));
  /** read asks for a read that takes `ms` and returns "sync" or "async". */
  const read = (ms = 0.01, length = 8192) => (reads.run(length, () => ((state.now += ms), length)) === undefined ? "async" : "sync");
  const loopComesRound = () => state.pending.splice(0).forEach((fn) => fn());
  return { state, read, loopComesRound };
}

describe("SyncReads", () => {
  test("the first read goes through the I/O threads; after the event loop comes round, reads are synchronous", () => {
    const { read, loopComesRound } = setup();
    expect(read()).toBe("async");
    expect(read()).toBe("async"); // still waiting for the event loop
    loopComesRound();
    expect(read()).toBe("sync");
    expect(read()).toBe("sync");
  });

  test("after a 10 ms slice every read is asynchronous until the event loop has come round", () => {
    const { state, read, loopComesRound } = setup();
    read();
    loopComesRound();
    for (let i = 0; i < 9; i++) expect(read(1)).toBe("sync");
    state.now += 1.5;
    expect([read(), read(), read()]).toEqual(["async", "async", "async"]);
    loopComesRound();
    expect(read()).toBe("sync");
  });

  test("reads over 256 KiB are always asynchronous", () => {
    const { read, loopComesRound } = setup();
    read();
    loopComesRound();
    expect(read(0.01, 256 << 10)).toBe("sync");
    expect(read(0.01, (256 << 10) + 1)).toBe("async");
  });

  test("three slow reads in a row turn reads asynchronous for a second; slow reads apart do not", () => {
    const { state, read, loopComesRound } = setup();
    read();
    loopComesRound();
    expect([read(3), read(0.01), read(3), read(0.01)]).toEqual(["sync", "sync", "sync", "sync"]);
    state.now += 20;
    expect(read()).toBe("async"); // a new slice
    loopComesRound();
    expect([read(3), read(3), read(3)]).toEqual(["sync", "sync", "sync"]);
    expect(read()).toBe("async");
    state.now += 990;
    expect(read()).toBe("async");
    state.now += 11;
    loopComesRound();
    expect(read()).toBe("async"); // the slice that began long ago has ended: wait for the loop once more
    loopComesRound();
    expect(read()).toBe("sync");
  });
});
