/**
 * The little of go.mod that a proxy reads, with golang.org/x/mod/modfile's
 * semantics: the module path, the `go` version and the retractions.
 *
 * Two readers exist in Go and both are needed:
 *   - `modfile.ModulePath` is a tolerant line scan that cmd/go uses to find a
 *     module's directory (coderepo.go `findDir`). It never fails: a file it
 *     cannot read has module path "". It knows nothing of blocks, so
 *     `module (` yields the path "(".
 *   - `modfile.ParseLax` is the real parser, run on dependencies' go.mod
 *     files (retractions in coderepo.go and modload; the `go` line in
 *     x/mod/zip). It keeps only `module`, `go`, `require`, `retract` and
 *     `ignore`; other directives, unknown blocks and malformed retractions
 *     are skipped, but a syntax error or a bad `require`, `module`, `go` or
 *     `ignore` line fails the whole file.
 *
 * Syntax: a line is tokens up to a newline; `verb (` at the end of a line
 * opens a block whose lines take the verb; `//` starts a comment (block
 * comments are an error); strings are `"…"` with Go escapes or `` `…` ``.
 * A retraction's rationale is the `//` comments right above it or after it
 * on its line, or failing both, the comments above its block.
 *
 * Source: golang.org/x/mod modfile/read.go, modfile/rule.go (fe2ec04);
 * go.dev/ref/mod#go-mod-file-retract.
 */

import { GoProxyError, InvalidVersionError } from "../errors.ts";
import {
  canonicalVersion, checkPathMajor, goQuote, isPrint, quoteRune, splitPathVersion, type ModuleVersion,
} from "./path.ts";
import { compare } from "./version.ts";

/** Retraction is one `retract` entry: a closed interval, low === high for a single version. */
export interface Retraction {
  low: string;
  high: string;
  rationale: string;
}

/** ModFile is what `parseLax` keeps of a go.mod. */
export interface ModFile {
  /** module is the declared path, or undefined without a module directive. */
  module: string | undefined;
  /** go is the `go` directive's version, or "". */
  go: string;
  require: ModuleVersion[];
  retract: Retraction[];
}

/**
 * modulePath returns the module path declared in a go.mod (modfile.ModulePath).
 *
 * @example modulePath('module "example.com/m" // c\r\n') === "example.com/m"
 * Edge case: never throws: a missing or malformed module line returns "",
 * and a `module (` block returns "(", exactly as cmd/go sees it.
 */
export function modulePath(gomod: Uint8Array | string): string {
  let rest = decode(gomod);
  while (rest.length > 0) {
    let line = rest;
    rest = "";
    const nl = line.indexOf("\n");
    if (nl >= 0) [line, rest] = [line.slice(0, nl), line.slice(nl + 1)];
    const comment = line.indexOf("//");
    if (comment >= 0) line = line.slice(0, comment);
    line = trimSpace(line);
    if (!line.startsWith("module")) continue;
    line = line.slice("module".length);
    const n = line.length;
    line = trimSpace(line);
    if (line.length === n || line.length === 0) continue; // "modulex" or a bare "module"
    if (line[0] === '"' || line[0] === "`") return unquote(line) ?? "";
    return line;
  }
  return "";
}

/**
 * parseGoVersion returns the `go` directive's version, as x/mod/zip reads it
 * to pick the vendor rule.
 *
 * @example parseGoVersion("module m\ngo 1.21.0\n") === "1.21.0"
 * Edge case: returns "" without a go line or when ParseLax fails; a lax
 * version such as `1.22-beta` is cut to "1.22".
 */
export function parseGoVersion(gomod: Uint8Array | string): string {
  try {
    return parseLax(gomod).go;
  } catch (err) {
    if (err instanceof GoProxyError) return "";
    throw err;
  }
}

/**
 * parseRetractions returns the go.mod's `retract` entries (modfile.ParseLax).
 *
 * @example parseRetractions("module m\nretract [v1.0.0, v1.0.5] // broken\n") // [{ low: "v1.0.0", high: "v1.0.5", rationale: "broken" }]
 * Edge case: versions are kept as written (neither checked nor
 * canonicalized), malformed retractions are skipped, and a go.mod that
 * ParseLax rejects throws GoProxyError with Go's `go.mod:line: reason` text.
 */
export function parseRetractions(gomod: Uint8Array | string): Retraction[] {
  return parseLax(gomod).retract;
}

/**
 * isRetracted reports whether version lies in one of the intervals, by
 * semver precedence (cmd/go modload and coderepo.go).
 *
 * @example isRetracted("v1.0.3", [{ low: "v1.0.0", high: "v1.0.5", rationale: "" }]) === true
 * Edge case: build metadata is ignored (v1.0.0+meta is retracted by v1.0.0),
 * and an invalid bound matches nothing valid.
 */
export function isRetracted(version: string, retractions: readonly Retraction[]): boolean {
  return retractions.some((r) => compare(r.low, version) <= 0 && compare(version, r.high) <= 0);
}

/**
 * mustQuote reports whether s needs quotes to be one go.mod token (modfile.MustQuote).
 *
 * @example mustQuote("a b") === true
 * Edge case: "" and anything containing `//` or `/*` must be quoted; a lone
 * `(` need not.
 */
export function mustQuote(s: string): boolean {
  for (const r of s) {
    if (" \"'`".includes(r)) return true;
    if ("()[]{},".includes(r)) {
      if (s.length > 1) return true;
    } else if (!isPrint(r)) return true;
  }
  return s === "" || s.includes("//") || s.includes("/*");
}

/**
 * autoQuote returns s, Go-quoted if it must be (modfile.AutoQuote), as used
 * for the synthesized `module <path>\n` of a module without go.mod.
 *
 * @example autoQuote("example.com/m") === "example.com/m"
 * Edge case: autoQuote("a b") === '"a b"'; a valid module path is never quoted.
 */
export function autoQuote(s: string): string {
  return mustQuote(s) ? goQuote(s) : s;
}

/**
 * parseLax parses a dependency's go.mod as modfile.ParseLax does and keeps
 * the module path, go version, requirements and retractions.
 *
 * @example parseLax("module m\nrequire x.y/z v1.2\n").require // [{ path: "x.y/z", version: "v1.2.0" }]
 * Edge case: throws GoProxyError with all of Go's messages, one per line,
 * each `go.mod:line[:col]: reason`.
 */
export function parseLax(gomod: Uint8Array | string): ModFile {
  const stmts = new Parser(decode(gomod)).parseFile();
  const f: ModFile = { module: undefined, go: "", require: [], retract: [] };
  const errs: string[] = [];
  let seenGo = false;
  for (const x of stmts) {
    if (x.kind === "line") add(undefined, x, x.tokens[0]!, x.tokens.slice(1));
    else if (x.kind === "block" && x.tokens.length === 1) for (const l of x.lines) add(x, l, x.tokens[0]!, l.tokens);
  }
  if (errs.length > 0) throw new GoProxyError(errs.join("\n"));
  return f;

  function add(block: Block | undefined, line: Line, verb: string, args: string[]): void {
    const errorf = (msg: string): void => void errs.push(position(line.start) + msg);
    switch (verb) {
      case "go": {
        if (seenGo) return errorf("repeated go statement");
        if (args.length !== 1) return errorf("go directive expects exactly one argument");
        let v = args[0]!;
        if (!GO_VERSION_RE.test(v)) {
          const m = LAX_GO_VERSION_RE.exec(v);
          if (!m) return errorf(`invalid go version '${v}': must match format 1.23.0`);
          v = m[1]!;
        }
        seenGo = true;
        f.go = v;
        return;
      }
      case "module": {
        if (f.module !== undefined) return errorf("repeated module statement");
        f.module = "";
        if (args.length !== 1) return errorf("usage: module module/path");
        const s = parseString(args[0]!);
        if (s.error) return errorf(`invalid quoted string: ${s.error}`);
        f.module = s.value;
        return;
      }
      case "require": {
        if (args.length !== 2) return errorf("usage: require module/path v1.2.3");
        const path = parseString(args[0]!);
        if (path.error) return errorf(`invalid quoted string: ${path.error}`);
        const directive = path.value === "" ? "require: " : `require ${path.value}: `;
        const raw = parseString(args[1]!);
        const v = raw.error ? "" : canonicalVersion(raw.value);
        if (raw.error || v === "") {
          const reason = raw.error ?? "must be of the form v1.2.3";
          return errorf(`${directive}version ${goQuote(raw.error ? args[1]! : raw.value)} invalid: ${reason}`);
        }
        const split = splitPathVersion(path.value);
        if (!split.ok) return errorf("invalid module path");
        try {
          checkPathMajor(v, split.pathMajor);
        } catch (err) {
          if (!(err instanceof InvalidVersionError)) throw err;
          return errorf(`${directive}version ${goQuote(v)} invalid: ${err.reason}`);
        }
        f.require.push({ path: path.value, version: v });
        return;
      }
      case "retract": {
        // Lax parsing skips retractions it cannot read: later Go versions may add syntax.
        const interval = parseVersionInterval(args);
        if (interval) f.retract.push({ ...interval, rationale: directiveComment(block, line) });
        return;
      }
      case "ignore": {
        if (args.length !== 1) return errorf("ignore directive expects exactly one argument");
        const s = parseString(args[0]!);
        if (s.error) return errorf(`invalid quoted string: ${s.error}`);
        return;
      }
    }
  }
}

const GO_VERSION_RE = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;
const LAX_GO_VERSION_RE = /^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$/s;

/** parseVersionInterval reads `v` or `[lo, hi]`; retract versions are not canonicalized. */
function parseVersionInterval(toks: string[]): { low: string; high: string } | undefined {
  const version = (t: string | undefined) => (t === undefined ? undefined : parseString(t));
  if (toks.length === 0 || toks[0] === "(") return undefined;
  if (toks[0] !== "[") {
    const v = version(toks[0]);
    return v && !v.error ? { low: v.value, high: v.value } : undefined;
  }
  const low = version(toks[1]);
  if (!low || low.error || toks[2] !== ",") return undefined;
  const high = version(toks[3]);
  if (!high || high.error || toks[4] !== "]") return undefined;
  return { low: low.value, high: high.value };
}

/** parseString unquotes a `"…"` token and rejects quotes elsewhere (modfile.parseString). */
function parseString(t: string): { value: string; error?: string } {
  if (t.startsWith('"')) {
    const v = unquote(t);
    return v === undefined ? { value: "", error: "invalid syntax" } : { value: v };
  }
  // Other quotes are reserved, so that 'x' is an error rather than a name with quotes in it.
  if (/["'`]/.test(t)) return { value: "", error: "unquoted string cannot contain quote" };
  return { value: t };
}

/** directiveComment is modfile.parseDirectiveComment: the line's comments, else its block's. */
function directiveComment(block: Block | undefined, line: Line): string {
  let c: Comments = line;
  if (block && line.before.length === 0 && line.suffix.length === 0) c = block;
  return [...c.before, ...c.suffix]
    .filter((x) => x.token.startsWith("//"))
    .map((x) => trimSpace(x.token.slice(2)))
    .join("\n");
}

/**
 * unquote is Go's strconv.Unquote for `"…"` and `` `…` `` strings, or
 * undefined for invalid syntax. `\x` and octal escapes are bytes; bytes that
 * do not form UTF-8 decode to U+FFFD, where Go would keep them raw.
 */
function unquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  if (s[0] === "`") {
    return s.indexOf("`", 1) === s.length - 1 ? s.slice(1, -1).replaceAll("\r", "") : undefined;
  }
  if (s[0] !== '"') return undefined;
  const bytes: number[] = [];
  const utf8 = (cp: number) => bytes.push(...new TextEncoder().encode(String.fromCodePoint(cp)));
  let i = 1;
  while (i < s.length && s[i] !== '"') {
    const c = s[i]!;
    if (c === "\n") return undefined;
    if (c !== "\\") {
      const cp = s.codePointAt(i)!;
      utf8(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = s[i + 1];
    i += 2;
    if (e !== undefined && e in CHAR_ESCAPES) {
      bytes.push(CHAR_ESCAPES[e]!);
    } else if (e === "x" || e === "u" || e === "U") {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = s.slice(i, i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      const v = Number.parseInt(hex, 16);
      i += n;
      if (e === "x") bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
      else utf8(v);
    } else if (e !== undefined && /[0-7]/.test(e) && /^[0-7]{2}$/.test(s.slice(i, i + 2))) {
      const v = Number.parseInt(e + s.slice(i, i + 2), 8);
      if (v > 255) return undefined;
      bytes.push(v);
      i += 2;
    } else {
      return undefined;
    }
  }
  if (i !== s.length - 1) return undefined; // no closing quote, or text after it
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const CHAR_ESCAPES: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, '"': 34,
};

/** decode reads go.mod bytes as UTF-8, keeping a BOM (which Go treats as a character, not as a marker). */
function decode(gomod: Uint8Array | string): string {
  return typeof gomod === "string" ? gomod : new TextDecoder("utf-8", { ignoreBOM: true }).decode(gomod);
}

/** SPACE is Go's unicode.IsSpace; String.prototype.trim differs (it trims U+FEFF, keeps U+0085). */
const SPACE = "\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM_RE = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, "g");

function trimSpace(s: string): string {
  return s.replace(TRIM_RE, "");
}

// ---- The go.mod syntax tree: modfile/read.go's lexer and parser. ----

interface Pos {
  line: number;
  /** col counts characters from 1, as Go's LineRune. */
  col: number;
  offset: number;
}
interface Comment {
  start: Pos;
  token: string;
}
interface Comments {
  before: Comment[];
  suffix: Comment[];
}
interface Line extends Comments {
  kind: "line";
  start: Pos;
  end: Pos;
  tokens: string[];
}
interface Block extends Comments {
  kind: "block";
  start: Pos;
  tokens: string[];
  lparen: Comments & { pos: Pos };
  lines: Line[];
  rparen: Comments & { pos: Pos };
}
interface CommentBlock extends Comments {
  kind: "comments";
  start: Pos;
}
type Stmt = Line | Block | CommentBlock;

type Kind = "EOF" | "EOLCOMMENT" | "COMMENT" | "IDENT" | "STRING" | "\n" | "(" | ")" | "[" | "]" | "{" | "}" | ",";
interface Token {
  kind: Kind;
  text: string;
  pos: Pos;
  end: Pos;
}

const isEOL = (k: Kind) => k === "EOF" || k === "EOLCOMMENT" || k === "\n";

function position(p: Pos): string {
  return p.col > 1 ? `go.mod:${p.line}:${p.col}: ` : `go.mod:${p.line}: `;
}

const noComments = (): Comments => ({ before: [], suffix: [] });

class Parser {
  #src: string;
  #i = 0;
  #pos: Pos = { line: 1, col: 1, offset: 0 };
  #tok!: Token;
  /** suffix holds end-of-line comments until assignComments attaches them. */
  #suffix: Comment[] = [];

  constructor(src: string) {
    this.#src = src;
    this.#readToken();
  }

  parseFile(): Stmt[] {
    const stmts: Stmt[] = [];
    let cb: CommentBlock | undefined;
    for (;;) {
      const k = this.#tok.kind;
      if (k === "\n") {
        this.#lex();
        if (cb) stmts.push(cb);
        cb = undefined;
      } else if (k === "COMMENT") {
        const tok = this.#lex();
        cb ??= { kind: "comments", start: tok.pos, ...noComments() };
        cb.before.push({ start: tok.pos, token: tok.text });
      } else if (k === "EOF") {
        if (cb) stmts.push(cb);
        this.#assignComments(stmts);
        return stmts;
      } else {
        this.#parseStmt(stmts);
        if (cb) stmts[stmts.length - 1]!.before = cb.before;
        cb = undefined;
      }
    }
  }

  #parseStmt(stmts: Stmt[]): void {
    const first = this.#lex();
    const tokens = [first.text];
    let end = first.end;
    for (;;) {
      const tok = this.#lex();
      if (isEOL(tok.kind)) {
        stmts.push({ kind: "line", start: first.pos, end, tokens, ...noComments() });
        return;
      }
      if (tok.kind !== "(") {
        tokens.push(tok.text);
        end = tok.end;
        continue;
      }
      // `(` ends a line only as a block opener; elsewhere it is a token (and, as in Go, does not move `end`).
      const next = this.#tok.kind;
      if (isEOL(next)) {
        stmts.push(this.#parseLineBlock(first.pos, tokens, tok));
        return;
      }
      if (next !== ")") {
        tokens.push(tok.text);
        continue;
      }
      const rparen = this.#lex();
      if (isEOL(this.#tok.kind)) {
        this.#lex();
        stmts.push(this.#block(first.pos, tokens, tok, rparen.pos, []));
        return;
      }
      tokens.push(tok.text, rparen.text);
    }
  }

  #block(start: Pos, tokens: string[], lparen: Token, rparen: Pos, lines: Line[]): Block {
    return {
      kind: "block", start, tokens, lines, ...noComments(),
      lparen: { pos: lparen.pos, ...noComments() },
      rparen: { pos: rparen, ...noComments() },
    };
  }

  #parseLineBlock(start: Pos, tokens: string[], lparen: Token): Block {
    const x = this.#block(start, tokens, lparen, start, []);
    let comments: Comment[] = [];
    const blank: Comment = { start: { line: 0, col: 0, offset: 0 }, token: "" };
    for (;;) {
      switch (this.#tok.kind) {
        case "EOLCOMMENT":
          this.#lex();
          break;
        case "\n":
          // A blank line is kept as an empty comment; it still counts as "comments before" a line.
          this.#lex();
          if ((comments.length === 0 && x.lines.length > 0) || (comments.length > 0 && comments.at(-1)!.token !== "")) {
            comments.push(blank);
          }
          break;
        case "COMMENT": {
          const tok = this.#lex();
          comments.push({ start: tok.pos, token: tok.text });
          break;
        }
        case "EOF":
          return this.#error(`syntax error (unterminated block started at go.mod:${start.line}:${start.col})`);
        case ")": {
          const rparen = this.#lex();
          if (comments.length === 1 && comments[0] === blank) comments = [];
          x.rparen.before = comments;
          x.rparen.pos = rparen.pos;
          if (!isEOL(this.#tok.kind)) this.#error("syntax error (expected newline after closing paren)");
          this.#lex();
          return x;
        }
        default: {
          const l = this.#parseLine();
          x.lines.push(l);
          l.before = comments;
          comments = [];
        }
      }
    }
  }

  #parseLine(): Line {
    const first = this.#lex();
    if (isEOL(first.kind)) this.#error("internal parse error: parseLine at end of line");
    const line: Line = { kind: "line", start: first.pos, end: first.end, tokens: [first.text], ...noComments() };
    for (let tok = this.#lex(); !isEOL(tok.kind); tok = this.#lex()) {
      line.tokens.push(tok.text);
      line.end = tok.end;
    }
    return line;
  }

  /**
   * assignComments gives each end-of-line comment to the last single-line
   * syntax (line, paren, one-line block) that ends before it, walking the
   * postorder list backwards as read.go does.
   */
  #assignComments(stmts: Stmt[]): void {
    type Expr = { comments: Comments; start: Pos; end: Pos };
    const paren = (c: Comments & { pos: Pos }): Expr => ({ comments: c, start: c.pos, end: after(c.pos) });
    const post: Expr[] = [];
    for (const x of stmts) {
      if (x.kind === "line") post.push({ comments: x, start: x.start, end: x.end });
      else if (x.kind === "comments") post.push({ comments: x, start: x.start, end: x.start });
      else {
        post.push(paren(x.lparen));
        for (const l of x.lines) post.push({ comments: l, start: l.start, end: l.end });
        post.push(paren(x.rparen), { comments: x, start: x.start, end: after(x.rparen.pos) });
      }
    }
    const suffix = this.#suffix;
    for (const x of post.toReversed()) {
      if (x.start.line !== x.end.line) continue;
      while (suffix.length > 0 && x.end.offset <= suffix.at(-1)!.start.offset) {
        x.comments.suffix.unshift(suffix.pop()!);
      }
    }
  }

  #lex(): Token {
    const tok = this.#tok;
    this.#readToken();
    return tok;
  }

  #peekRune(): string {
    const cp = this.#src.codePointAt(this.#i);
    return cp === undefined ? "" : String.fromCodePoint(cp);
  }

  #readRune(): string {
    const r = this.#peekRune();
    this.#i += r.length;
    this.#pos = r === "\n"
      ? { line: this.#pos.line + 1, col: 1, offset: this.#i }
      : { line: this.#pos.line, col: this.#pos.col + 1, offset: this.#i };
    return r;
  }

  #error(msg: string): never {
    throw new GoProxyError(position(this.#pos) + msg);
  }

  #readToken(): void {
    const src = this.#src;
    for (;;) {
      if (this.#i >= src.length) break;
      const c = this.#peekRune();
      if (c === " " || c === "\t" || c === "\r") {
        this.#readRune();
        continue;
      }
      if (src.startsWith("//", this.#i)) {
        const start = this.#pos;
        const lineStart = src.lastIndexOf("\n", this.#i - 1) + 1;
        // A comment after a token on the same line is a suffix comment; alone on its line it is a line comment.
        const isSuffix = trimSpace(src.slice(lineStart, this.#i)) !== "";
        while (this.#i < src.length && this.#readRune() !== "\n");
        let text = src.slice(start.offset, this.#i);
        text = text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;
        this.#tok = { kind: isSuffix ? "EOLCOMMENT" : "COMMENT", text, pos: start, end: this.#pos };
        if (isSuffix) this.#suffix.push({ start, token: text });
        return;
      }
      if (src.startsWith("/*", this.#i)) this.#error("mod files must use // comments (not /* */ comments)");
      break;
    }
    const start = this.#pos;
    const token = (kind: Kind) => {
      this.#tok = { kind, text: src.slice(start.offset, this.#i), pos: start, end: this.#pos };
    };
    if (this.#i >= src.length) return token("EOF");
    const c = this.#peekRune();
    if ("\n()[]{},".includes(c)) {
      this.#readRune();
      return token(c as Kind);
    }
    if (c === '"' || c === "`") {
      this.#readRune();
      for (;;) {
        if (this.#i >= src.length) {
          this.#pos = start;
          this.#error("unexpected EOF in string");
        }
        if (this.#peekRune() === "\n") this.#error("unexpected newline in string");
        const r = this.#readRune();
        if (r === c) break;
        if (r === "\\" && c !== "`") {
          if (this.#i >= src.length) {
            this.#pos = start;
            this.#error("unexpected EOF in string");
          }
          this.#readRune();
        }
      }
      return token("STRING");
    }
    if (!isIdent(c)) this.#error(`unexpected input character ${quoteRune(c)}`);
    while (this.#i < src.length && isIdent(this.#peekRune())) {
      if (src.startsWith("//", this.#i)) break;
      if (src.startsWith("/*", this.#i)) this.#error("mod files must use // comments (not /* */ comments)");
      this.#readRune();
    }
    token("IDENT");
  }
}

/** isIdent: most printable characters are identifier characters, except a little ASCII punctuation. */
function isIdent(c: string): boolean {
  return !" ()[]{},".includes(c) && isPrint(c);
}

/** after is the position one character on, the end of a one-character paren. */
function after(p: Pos): Pos {
  return { line: p.line, col: p.col + 1, offset: p.offset + 1 };
}
