import { describe, expect, it } from "vitest";
import { SingleFlight } from "../../src/cache/single-flight.ts";

describe("SingleFlight", () => {
  it("run() shares one call among concurrent callers of a key", async () => {
    const flights = new SingleFlight<object>();
    let calls = 0;
    const build = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return {};
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => flights.run("k", build)));
    expect(calls).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(flights.inFlight).toBe(0);
  });

  it("run() keeps different keys apart", async () => {
    const flights = new SingleFlight<string>();
    const [a, b] = await Promise.all([flights.run("a", async () => "A"), flights.run("b", async () => "B")]);
    expect([a, b]).toEqual(["A", "B"]);
  });

  it("run() frees a key whose call failed, so the next call builds again", async () => {
    const flights = new SingleFlight<string>();
    await expect(flights.run("k", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await flights.run("k", async () => "ok")).toBe("ok");
  });

  it("run() starts a new call for a key once the previous one settled", async () => {
    const flights = new SingleFlight<number>();
    let calls = 0;
    await flights.run("k", async () => ++calls);
    await flights.run("k", async () => ++calls);
    expect(calls).toBe(2);
  });
});
