/**
 * HTTP requests to an upstream git server, with bounded time and every
 * failure turned into the error the client should see.
 *
 * Time: an answer's headers must come within `timeoutMs`, and then each
 * chunk of its body within `timeoutMs` of the last; a whole transfer is cut
 * after `transferTimeoutMs`. A server that goes silent is therefore noticed
 * after `timeoutMs`, however large the pack, and a server that trickles is
 * stopped at `transferTimeoutMs`.
 *
 * Failures (`UpstreamError` status, what `toResponse` answers):
 * - no connection, reset, DNS failure, a body cut short: 502;
 * - a timeout of either kind: 504;
 * - 401 and 403 from the upstream: 401 and 403, so the go command stops and
 *   says so instead of trying the next proxy with a private path;
 * - 404 and 410: reported to the caller (`status`, with an empty body),
 *   which alone knows whether "missing" is an answer (probing for a
 *   repository) or a fault;
 * - any other status, or a redirect to another origin: 502.
 * Redirects within the upstream's origin are followed for GET (code hosts
 * redirect `/repo` to `/repo.git`); credentials are never sent to another
 * origin. Messages name the URL, never a credential.
 */

import { UpstreamError } from "../../errors.ts";
import { concat } from "../../git/object.ts";

export interface TransportOptions {
  /** fetch sends requests. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** timeoutMs bounds the wait for headers and between body chunks. */
  timeoutMs: number;
  /** transferTimeoutMs bounds one whole request, body included. */
  transferTimeoutMs: number;
  /** userAgent names gomodproxy to the upstream. */
  userAgent: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  /** url is the final URL, after same-origin redirects. */
  url: string;
  /** body streams the answer; its errors are `UpstreamError`s. */
  body: ReadableStream<Uint8Array>;
}

const MAX_REDIRECTS = 5;

/**
 * Transport sends requests to one upstream origin. `send` resolves for any
 * status the caller must interpret (2xx, 404, 410) and rejects with
 * `UpstreamError` for everything else.
 */
export class Transport {
  constructor(private readonly options: TransportOptions) {}

  async send(
    url: string,
    init: { method: "GET" | "POST"; headers?: Record<string, string>; body?: Uint8Array; authorization?: string },
  ): Promise<UpstreamResponse> {
    const controller = new AbortController();
    let timedOut = false;
    const timeout = (ms: number) =>
      setTimeout(() => {
        timedOut = true;
        controller.abort(new UpstreamError(`upstream ${url}: timed out`, 504));
      }, ms);
    const whole = timeout(this.options.transferTimeoutMs);
    const fail = (err: unknown): UpstreamError => {
      clearTimeout(whole);
      if (err instanceof UpstreamError) return err;
      if (timedOut) return new UpstreamError(`upstream ${url}: timed out`, 504, { cause: err });
      return new UpstreamError(`upstream ${url}: ${describe(err)}`, 502, { cause: err });
    };

    let current = url;
    let response: Response | undefined;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { "user-agent": this.options.userAgent, ...init.headers };
      if (init.authorization) headers.authorization = init.authorization;
      const waiting = timeout(this.options.timeoutMs);
      const attempt = () =>
        (this.options.fetch ?? fetch)(current, {
          method: init.method,
          headers,
          body: init.body as Uint8Array<ArrayBuffer> | undefined,
          redirect: "manual",
          signal: controller.signal,
        });
      try {
        // A kept-alive connection the server closed as we wrote fails at once; try a fresh one, as curl does.
        response = await attempt().catch((err) => {
          if (timedOut || err instanceof UpstreamError) throw err;
          return attempt();
        });
      } catch (err) {
        throw fail(err);
      } finally {
        clearTimeout(waiting);
      }
      if (response.status < 300 || response.status >= 400 || response.status === 304) break;
      await response.body?.cancel().catch(() => {});
      const location = response.headers.get("location");
      const next = location ? new URL(location, current) : undefined;
      if (!next || next.origin !== new URL(current).origin || init.method !== "GET" || hop >= MAX_REDIRECTS) {
        throw fail(new Error(`unexpected redirect (${response.status}) to ${next?.origin ?? "nowhere"}`));
      }
      current = next.href;
    }

    const { status } = response;
    if (status === 401 || status === 403) {
      await response.body?.cancel().catch(() => {});
      throw fail(new UpstreamError(`upstream ${url}: ${status}`, status));
    }
    if (status !== 200) {
      await response.body?.cancel().catch(() => {});
      if (status !== 404 && status !== 410) throw fail(new Error(`status ${status}`));
      clearTimeout(whole);
      return { status, headers: response.headers, url: current, body: new Blob([]).stream() };
    }
    const reader = response.body?.getReader();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull: async (out) => {
        if (!reader) return out.close();
        const idle = timeout(this.options.timeoutMs);
        try {
          const { done, value } = await reader.read();
          if (cancelled) return;
          if (done) {
            clearTimeout(whole);
            out.close();
          } else {
            out.enqueue(value);
          }
        } catch (err) {
          if (!cancelled) out.error(fail(err));
        } finally {
          clearTimeout(idle);
        }
      },
      cancel: async (reason) => {
        cancelled = true;
        clearTimeout(whole);
        await reader?.cancel(reason).catch(() => {});
      },
    });
    return { status, headers: response.headers, url: current, body };
  }
}

/** readAll reads a whole body, for the short answers (advertisements, go-get pages). */
export async function readAll(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new UpstreamError(`upstream answer larger than ${limit} bytes`, 502);
    }
    parts.push(value);
  }
  return concat(parts);
}

/** describe names a network failure without echoing anything the server sent. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${(err.cause as Error & { code?: string }).code ?? err.cause.message}` : "";
  return `${err.message}${cause}`;
}
