/**
 * parseTxtar reads the txtar format of golang.org/x/tools/txtar, which the
 * x/mod zip fixtures use: a comment, then files, each introduced by a line
 * `-- name --` and holding every line up to the next such line. A last file
 * without a final newline gets one, as txtar does.
 */
export interface Txtar {
  comment: string;
  files: { name: string; data: string }[];
}

export function parseTxtar(text: string): Txtar {
  const lines = text.split(/(?<=\n)/);
  const archive: Txtar = { comment: "", files: [] };
  let current: { name: string; data: string } | undefined;
  for (const line of lines) {
    const m = /^-- (.+?) --\n?$/.exec(line);
    if (m) {
      current = { name: m[1]!.trim(), data: "" };
      archive.files.push(current);
    } else if (current) {
      current.data += line;
    } else {
      archive.comment += line;
    }
  }
  const last = archive.files[archive.files.length - 1];
  if (last && last.data !== "" && !last.data.endsWith("\n")) last.data += "\n";
  return archive;
}

/** txtarParams reads the `key=value` lines of a fixture's comment (x/mod zip_test.go readTest). */
export function txtarParams(comment: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (let line of comment.split("\n")) {
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`missing = in ${line}`);
    params[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return params;
}
