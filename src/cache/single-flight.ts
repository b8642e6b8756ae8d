/**
 * SingleFlight: concurrent requests for the same uncached answer share one
 * build (the idea of Go's golang.org/x/sync/singleflight).
 *
 * `run(key, fn)` calls fn unless a call for key is already in flight, in
 * which case it returns that call's promise, so every waiter gets the very
 * same result object (the same bytes). The key is free again as soon as the
 * call settles: a failure is not remembered, and a caller that arrives after
 * a success finds the answer in the cache instead.
 */

/** SingleFlight shares one call per key among concurrent callers. */
export class SingleFlight<T> {
  readonly #flights = new Map<string, Promise<T>>();

  /** inFlight is the number of keys being built now. */
  get inFlight(): number {
    return this.#flights.size;
  }

  /**
   * run returns the in-flight call for key, or starts `fn()`.
   *
   * @example
   * const flights = new SingleFlight<Uint8Array>();
   * const [a, b] = await Promise.all([flights.run("k", build), flights.run("k", build)]); // build ran once, a === b
   * Edge case: a call that rejects frees the key at once; the next call builds again.
   */
  run(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = this.#flights.get(key);
    if (existing) return existing;
    const call = fn();
    this.#flights.set(key, call);
    const release = () => {
      if (this.#flights.get(key) === call) this.#flights.delete(key);
    };
    call.then(release, release);
    return call;
  }
}
