import { describe, expect, it } from "vitest";
import { parseAuthorization, withoutCredentials } from "../../src/auth/credentials.ts";

const basic = (userPass: string) => "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode(userPass)));

describe("parseAuthorization", () => {
  const cases: { header: string; want: string | undefined }[] = [
    { header: basic("gopher:s3cret-token"), want: "s3cret-token" },
    { header: basic(":s3cret-token"), want: "s3cret-token" },
    { header: basic("s3cret-token:"), want: "s3cret-token" }, // netrc with only a login
    { header: basic("u:pa:ss"), want: "pa:ss" }, // only the first colon separates
    { header: basic("u:tökén"), want: "tökén" }, // UTF-8 (RFC 7617 charset)
    { header: "basic " + btoa("u:tok"), want: "tok" },
    { header: "BASIC  " + btoa("u:tok"), want: "tok" },
    { header: "Bearer s3cret-token", want: "s3cret-token" },
    { header: "bearer s3cret-token", want: "s3cret-token" },
    { header: basic(":"), want: undefined },
    { header: basic("no-colon"), want: undefined },
    { header: "Basic !!!not-base64", want: undefined },
    { header: "Basic " + btoa("u:\xff\xfe"), want: undefined }, // not UTF-8
    { header: "Basic", want: undefined },
    { header: "Bearer", want: undefined },
    { header: "Bearer a b", want: undefined },
    { header: "Digest username=x", want: undefined },
    { header: "", want: undefined },
    { header: "s3cret-token", want: undefined },
  ];
  for (const c of cases) {
    it(`parseAuthorization(${JSON.stringify(c.header)})`, () => {
      expect(parseAuthorization(c.header)).toBe(c.want);
    });
  }
});

describe("withoutCredentials", () => {
  it("withoutCredentials drops Authorization, Proxy-Authorization and Cookie and keeps the rest", () => {
    const abort = new AbortController();
    const req = new Request("https://proxy.test/a.b/@v/list", {
      headers: { authorization: "Bearer x", "proxy-authorization": "Basic y", cookie: "s=z", accept: "*/*", "user-agent": "Go-http-client/1.1" },
      signal: abort.signal,
    });
    const out = withoutCredentials(req);
    expect([...out.headers.keys()].sort()).toEqual(["accept", "user-agent"]);
    expect(out.url).toBe(req.url);
    expect(out.method).toBe("GET");
    abort.abort();
    expect(out.signal.aborted).toBe(true);
    expect(req.headers.get("authorization")).toBe("Bearer x"); // the original is untouched
  });

  it("withoutCredentials returns a request without credentials as it is", () => {
    const req = new Request("https://proxy.test/a.b/@v/list");
    expect(withoutCredentials(req)).toBe(req);
  });
});
