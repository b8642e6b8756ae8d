/**
 * A fixed module-like zip, written by the same code on every runtime: the
 * writer test runs this file under Deno and Bun and compares the SHA-256
 * with Node's. Run directly: `deno run test/zip/writer-sample.ts`,
 * `bun test/zip/writer-sample.ts`.
 */
import { createZipStream, type ZipEntry } from "../../src/zip/writer.ts";

/** sampleEntries returns 300 entries of Go-like text, some with non-ASCII names, one empty. */
export function sampleEntries(): ZipEntry[] {
  const enc = new TextEncoder();
  const entries: ZipEntry[] = [
    { name: "example.com/sample@v1.2.3/go.mod", data: enc.encode("module example.com/sample\n\ngo 1.21\n") },
    { name: "example.com/sample@v1.2.3/empty.txt", data: new Uint8Array() },
    { name: "example.com/sample@v1.2.3/ünïcödé/豈.go", data: enc.encode("package x\n") },
  ];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < 297; i++) {
    let text = `package p${i}\n\n`;
    const lines = next() % 200;
    for (let j = 0; j < lines; j++) text += `func F${j}(x int) int { return x * ${next() % 1000} }\n`;
    entries.push({ name: `example.com/sample@v1.2.3/pkg${i % 17}/file${i}.go`, data: enc.encode(text) });
  }
  return entries;
}

/** sampleZipSha256 returns the hex SHA-256 of the zip of sampleEntries. */
export async function sampleZipSha256(): Promise<string> {
  const zip = await new Response(createZipStream(sampleEntries())).arrayBuffer();
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", zip));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

if ((import.meta as { main?: boolean }).main) console.log(await sampleZipSha256());
