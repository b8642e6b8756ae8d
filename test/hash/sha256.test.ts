import { describe, expect, test } from "vitest";
import { sha256 } from "../../src/hash/dirhash.ts";
import { sha256Sync, SUBTLE_MIN_BYTES } from "../../src/hash/sha256.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

describe("sha256Sync", () => {
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
  test.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
    ["a".repeat(1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
  ])("sha256Sync(%j…)", (text, want) => {
    expect(hex(sha256Sync(new TextEncoder().encode(text)))).toBe(want);
  });

  const sizes = [...Array.from({ length: 130 }, (_, i) => i), 4095, 4096, 4097, 65_536 + 17];
  test.each(sizes)("sha256Sync(%i bytes) equals crypto.subtle", async (n) => {
    const data = new Uint8Array(n).map((_, i) => (i * 131 + n) & 0xff);
    const want = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
    expect(hex(sha256Sync(data))).toBe(want);
    expect(hex(await sha256(data))).toBe(want);
  });

  test("SUBTLE_MIN_BYTES is a small-file threshold", () => {
    expect(SUBTLE_MIN_BYTES).toBeGreaterThanOrEqual(1024);
    expect(SUBTLE_MIN_BYTES).toBeLessThanOrEqual(64 << 10);
  });
});
