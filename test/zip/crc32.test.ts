import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, test } from "vitest";
import { crc32 as exported, crc32JS } from "../../src/zip/crc32.ts";

const enc = new TextEncoder();

// crc32 is node:zlib's where the runtime has it (so under vitest); crc32JS runs everywhere else.
describe.each([["crc32", exported], ["crc32JS", crc32JS]])("%s", (_, crc32) => {
  test.each([
    ["", 0],
    ["a", 0xe8b7be43],
    ["hi", 0xd8932aac],
    ["123456789", 0xcbf43926], // the CRC-32/ISO-HDLC check value
    ["The quick brown fox jumps over the lazy dog", 0x414fa339],
  ])("crc32(%j) === %i", (text, want) => {
    expect(crc32(enc.encode(text))).toBe(want);
  });

  test.each([0, 1, 7, 8, 9, 15, 16, 17, 1000, 65_537])("crc32(%i bytes) matches zlib, whole and in parts", (n) => {
    const data = new Uint8Array(n).map((_, i) => (i * 167 + 13) & 0xff);
    const whole = crc32(data);
    expect(whole).toBe(zlibCrc32(data));
    for (const cut of [0, 1, 3, Math.floor(n / 2), n]) {
      if (cut > n) continue;
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(whole);
    }
  });
});
