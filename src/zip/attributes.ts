/**
 * Git attributes, and the conversions `git archive` applies to every file.
 *
 * In direct mode the go command builds a module zip with
 * `git -c core.autocrlf=input -c core.eol=lf archive --format=zip <commit> -- <subdir>`
 * after appending `* -export-subst -export-ignore` to `$GIT_DIR/info/attributes`
 * (cmd/go codehost/git.go `ReadZip`, `ensureGitAttributes`; golang/go#27153).
 * `git archive` passes each regular file through convert_to_working_tree()
 * (archive.c `object_file_to_archive`), so the `.gitattributes` files of the
 * archived commit change the zip's bytes and so the module's `h1:` hash. We
 * reproduce git 2.39 here, the version the tests run against.
 *
 * Where attributes come from (attr.c): the archived commit's whole tree is read
 * into an index, and `.gitattributes` blobs are read from it, including those in
 * directories above the module's subdirectory; a work tree never matters. From
 * highest precedence to lowest: `info/attributes`, then `.gitattributes` from the
 * file's own directory up to the root, then the built-in `[attr]binary -diff
 * -merge -text`. Within one file a later line wins. Macros (`[attr]name ...`) are
 * honoured only in the root file, info/attributes and the built-ins. A line with
 * a negative pattern (`!x`) or an invalid attribute name is dropped whole.
 * Patterns are gitignore-style (dir.c `match_basename`, `match_pathname`,
 * wildmatch.c): no `/` matches the base name at any depth, otherwise the path
 * relative to the `.gitattributes` directory with FNM_PATHNAME; a pattern ending
 * in `/` only matches directories, so never a file.
 *
 * What changes bytes (convert.c `convert_to_working_tree_ca_internal`), in git's
 * order: `ident`, then end of line (only `eol=crlf`, `text=auto eol=crlf` and
 * their legacy `crlf` spellings add CRs: core.autocrlf=input turns everything
 * else into "leave LF alone"), then `working-tree-encoding`. `filter` drivers
 * are not configured on a proxy host and do nothing; export-subst and
 * export-ignore are switched off by the go command's info/attributes.
 */

import { ZipError } from "../errors.ts";
import { concat } from "../git/object.ts";
import { ICONV_CHARSETS } from "./iconv-charsets.ts";

/** AttributeValue is a set (`true`), unset (`false`) or string attribute. */
export type AttributeValue = boolean | string;

/** Attributes maps attribute names to values; unspecified ones are absent. */
export type Attributes = ReadonlyMap<string, AttributeValue>;

/** GO_INFO_ATTRIBUTES is what the go command appends to `$GIT_DIR/info/attributes`. */
export const GO_INFO_ATTRIBUTES = "\n* -export-subst -export-ignore\n";

/** GITATTRIBUTES is the name of a per-directory attributes file. */
export const GITATTRIBUTES = ".gitattributes";

/** Lines this long or longer are ignored (attr.h ATTR_MAX_LINE_LENGTH). */
const MAX_LINE_BYTES = 2048;

/** Attribute files this large or larger are ignored (attr.h ATTR_MAX_FILE_SIZE). */
const MAX_FILE_BYTES = 100 << 20;

const BUILTIN_ATTRIBUTES = "[attr]binary -diff -merge -text";

// ---------------------------------------------------------------------------
// Parsing (attr.c parse_attr_line, parse_attr; dir.c parse_path_pattern)

/** State is one `attr`, `-attr`, `!attr` or `attr=value`; null means `!attr`. */
interface State {
  name: string;
  value: AttributeValue | null;
}

const MUST_BE_DIR = 1;
const NO_DIR = 2;
const ENDS_WITH = 4;

/** Pattern is a parsed pattern; its text is a byte string (one char per byte). */
interface Pattern {
  text: string;
  /** prefix is the length of the leading part without wildcards. */
  prefix: number;
  flags: number;
}

type Rule =
  | { kind: "macro"; name: string; states: State[] }
  | { kind: "match"; pattern: Pattern; states: State[] };

const isBlank = (c: string | undefined) => c === " " || c === "\t" || c === "\r" || c === "\n";

function skipBlank(s: string, i: number): number {
  while (i < s.length && isBlank(s[i])) i++;
  return i;
}

function skipNonBlank(s: string, i: number): number {
  while (i < s.length && !isBlank(s[i])) i++;
  return i;
}

/** cString cuts s at its first NUL, as C string functions would. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/** isAttrName is attr.c `attr_name_valid`: [-._0-9A-Za-z]+, not starting with '-'. */
function isAttrName(name: string): boolean {
  return /^[._0-9A-Za-z][-._0-9A-Za-z]*$/.test(name);
}

/** parseRules parses one attributes file given as a byte string. */
function parseRules(text: string, macrosAllowed: boolean): Rule[] {
  const rules: Rule[] = [];
  // The index reader treats the blob as a C string: a NUL ends the file.
  for (const line of cString(text).split("\n")) {
    const rule = parseLine(line, macrosAllowed);
    if (rule) rules.push(rule);
  }
  return rules;
}

function parseLine(line: string, macrosAllowed: boolean): Rule | undefined {
  const cp = skipBlank(line, 0);
  if (cp === line.length || line[cp] === "#") return undefined;
  if (line.length >= MAX_LINE_BYTES) return undefined;

  let name: string;
  let statesAt: number;
  const quoted = line[cp] === '"' ? unquoteC(line, cp) : undefined;
  if (quoted) {
    name = quoted.value;
    statesAt = quoted.end;
  } else {
    statesAt = skipNonBlank(line, cp);
    name = line.slice(cp, statesAt);
  }

  let macro: string | undefined;
  if (name.length > "[attr]".length && name.startsWith("[attr]")) {
    if (!macrosAllowed) return undefined;
    const rest = cString(name);
    const start = skipBlank(rest, "[attr]".length);
    macro = rest.slice(start, skipNonBlank(rest, start));
    if (!isAttrName(macro)) return undefined;
  }

  const states: State[] = [];
  for (let i = skipBlank(line, statesAt); i < line.length;) {
    const ep = skipNonBlank(line, i);
    let equals = line.indexOf("=", i);
    if (equals > ep) equals = -1;
    const prefixed = line[i] === "-" || line[i] === "!";
    // `-attr=x` and `!attr=x` ignore the value, as git does.
    const value: AttributeValue | null = prefixed
      ? (line[i] === "-" ? false : null)
      : equals >= 0
      ? utf8Decode(line.slice(equals + 1, ep))
      : true;
    const start = prefixed ? i + 1 : i;
    const attr = line.slice(start, Math.max(start, equals >= 0 ? equals : ep));
    if (!isAttrName(attr)) return undefined;
    states.push({ name: attr, value });
    i = skipBlank(line, ep);
  }

  if (macro !== undefined) return { kind: "macro", name: macro, states };
  const pattern = parsePattern(cString(name));
  // git warns "Negative patterns are ignored in git attributes" and drops the line.
  if (pattern === undefined) return undefined;
  return { kind: "match", pattern, states };
}

function parsePattern(p: string): Pattern | undefined {
  if (p.startsWith("!")) return undefined;
  let flags = 0;
  let len = p.length;
  if (len > 0 && p[len - 1] === "/") {
    len--;
    flags |= MUST_BE_DIR;
  }
  const text = p.slice(0, len);
  if (!text.includes("/")) flags |= NO_DIR;
  if (text.startsWith("*") && simpleLength(text.slice(1)) === len - 1) flags |= ENDS_WITH;
  return { text, prefix: simpleLength(text), flags };
}

/** simpleLength is dir.c `simple_length`: the length of s before its first glob character. */
function simpleLength(s: string): number {
  let i = 0;
  while (i < s.length && !isGlobSpecial(s.charCodeAt(i))) i++;
  return i;
}

/** unquoteC is quote.c `unquote_c_style`; undefined when the quoting is malformed. */
function unquoteC(s: string, at: number): { value: string; end: number } | undefined {
  const escapes: Record<string, string> = {
    a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"',
  };
  let out = "";
  for (let i = at + 1; i < s.length;) {
    const c = s[i++];
    if (c === '"') return { value: out, end: i };
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = s[i++];
    if (e === undefined) return undefined;
    if (Object.hasOwn(escapes, e)) {
      out += escapes[e];
    } else if (e >= "0" && e <= "3" && /^[0-7]{2}$/.test(s.slice(i, i + 2))) {
      out += String.fromCharCode(parseInt(e + s.slice(i, i + 2), 8));
      i += 2;
    } else {
      return undefined;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Matching (attr.c path_matches; dir.c match_basename, match_pathname)

function pathMatches(path: string, baseNameAt: number, pat: Pattern, base: string): boolean {
  if (pat.flags & MUST_BE_DIR) return false; // we only ever ask about files
  if (pat.flags & NO_DIR) {
    const name = path.slice(baseNameAt);
    if (pat.prefix === pat.text.length) return name === pat.text;
    if (pat.flags & ENDS_WITH) return name.endsWith(pat.text.slice(1));
    return wildmatch(pat.text, name, false);
  }
  let pattern = pat.text;
  let prefix = pat.prefix;
  if (pattern.startsWith("/")) {
    pattern = pattern.slice(1);
    prefix--;
  }
  if (base !== "" && !(path.startsWith(base) && path[base.length] === "/")) return false;
  let name = base === "" ? path : path.slice(base.length + 1);
  if (prefix > 0) {
    if (prefix > name.length || pattern.slice(0, prefix) !== name.slice(0, prefix)) return false;
    pattern = pattern.slice(prefix);
    name = name.slice(prefix);
    if (pattern === "" && name === "") return true;
  }
  return wildmatch(pattern, name, true);
}

const MATCH = 0;
const NO_MATCH = 1;
const ABORT_ALL = -1;
const ABORT_TO_STARSTAR = -2;

const SLASH = 0x2f;
const STAR = 0x2a;
const BACKSLASH = 0x5c;

function isGlobSpecial(c: number): boolean {
  return c === STAR || c === 0x3f || c === 0x5b || c === BACKSLASH;
}

/** wildmatch is git's wildmatch.c (without WM_CASEFOLD) on byte strings. */
function wildmatch(pattern: string, text: string, pathname: boolean): boolean {
  return dowild(pattern, 0, text, 0, pathname) === MATCH;
}

function dowild(p: string, pi: number, t: string, ti: number, pathname: boolean): number {
  const at = (s: string, i: number) => (i < s.length ? s.charCodeAt(i) : 0);
  const start = pi;
  for (; pi < p.length; ti++, pi++) {
    let pc = p.charCodeAt(pi);
    let tc = at(t, ti);
    if (tc === 0 && pc !== STAR) return ABORT_ALL;
    switch (pc) {
      case BACKSLASH:
        pc = at(p, ++pi);
        if (tc !== pc) return NO_MATCH;
        continue;
      default:
        if (tc !== pc) return NO_MATCH;
        continue;
      case 0x3f: // ?
        if (pathname && tc === SLASH) return NO_MATCH;
        continue;
      case STAR: {
        let matchSlash: boolean;
        if (at(p, ++pi) === STAR) {
          const prev = pi - 2;
          while (at(p, ++pi) === STAR);
          if (!pathname) {
            matchSlash = true;
          } else if (
            (prev < start || at(p, prev) === SLASH) &&
            (at(p, pi) === 0 || at(p, pi) === SLASH || (at(p, pi) === BACKSLASH && at(p, pi + 1) === SLASH))
          ) {
            // "**/" may match no directory at all: foo/**/bar matches foo/bar.
            if (at(p, pi) === SLASH && dowild(p, pi + 1, t, ti, pathname) === MATCH) return MATCH;
            matchSlash = true;
          } else {
            matchSlash = false;
          }
        } else {
          matchSlash = !pathname;
        }
        if (pi >= p.length) {
          if (!matchSlash && t.indexOf("/", ti) >= 0) return NO_MATCH;
          return MATCH;
        }
        if (!matchSlash && at(p, pi) === SLASH) {
          const slash = t.indexOf("/", ti);
          if (slash < 0) return NO_MATCH;
          ti = slash;
          break; // the loop's increment consumes both slashes
        }
        for (;;) {
          if (tc === 0) break;
          if (!isGlobSpecial(at(p, pi))) {
            pc = at(p, pi);
            while ((tc = at(t, ti)) !== 0 && (matchSlash || tc !== SLASH)) {
              if (tc === pc) break;
              ti++;
            }
            if (tc !== pc) return NO_MATCH;
          }
          const matched = dowild(p, pi, t, ti, pathname);
          if (matched !== NO_MATCH) {
            if (!matchSlash || matched !== ABORT_TO_STARSTAR) return matched;
          } else if (!matchSlash && tc === SLASH) {
            return ABORT_TO_STARSTAR;
          }
          tc = at(t, ++ti);
        }
        return ABORT_ALL;
      }
      case 0x5b: { // [
        pc = at(p, ++pi);
        if (pc === 0x5e) pc = 0x21; // '^' means '!'
        const negated = pc === 0x21;
        if (negated) pc = at(p, ++pi);
        let prev = 0;
        let matched = false;
        do {
          if (pc === 0) return ABORT_ALL;
          if (pc === BACKSLASH) {
            pc = at(p, ++pi);
            if (pc === 0) return ABORT_ALL;
            if (tc === pc) matched = true;
          } else if (pc === 0x2d && prev !== 0 && at(p, pi + 1) !== 0 && at(p, pi + 1) !== 0x5d) {
            pc = at(p, ++pi);
            if (pc === BACKSLASH) {
              pc = at(p, ++pi);
              if (pc === 0) return ABORT_ALL;
            }
            if (tc <= pc && tc >= prev) matched = true;
            pc = 0;
          } else if (pc === 0x5b && at(p, pi + 1) === 0x3a) {
            const s = (pi += 2);
            while ((pc = at(p, pi)) !== 0 && pc !== 0x5d) pi++;
            if (pc === 0) return ABORT_ALL;
            const n = pi - s - 1;
            if (n < 0 || at(p, pi - 1) !== 0x3a) {
              // no ":]": an ordinary '[' in the set
              pi = s - 2;
              pc = 0x5b;
              if (tc === pc) matched = true;
              continue;
            }
            const test = CHARACTER_CLASSES[p.slice(s, s + n)];
            if (!test) return ABORT_ALL;
            if (test(tc)) matched = true;
            pc = 0;
          } else if (tc === pc) {
            matched = true;
          }
        } while ((prev = pc, (pc = at(p, ++pi)) !== 0x5d));
        if (matched === negated || (pathname && tc === SLASH)) return NO_MATCH;
        continue;
      }
    }
  }
  return ti < t.length ? NO_MATCH : MATCH;
}

// git's own ASCII ctype (ctype.c), which wildmatch's [:class:] uses.
const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isPrint = (c: number) => c >= 0x20 && c <= 0x7e;
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const CHARACTER_CLASSES: Record<string, (c: number) => boolean> = {
  alnum: (c) => isAlpha(c) || isDigit(c),
  alpha: isAlpha,
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: isDigit,
  graph: (c) => isPrint(c) && !isSpace(c),
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: isPrint,
  punct: (c) => c > 0x20 && c < 0x7f && !isAlpha(c) && !isDigit(c),
  space: isSpace,
  upper: (c) => c >= 0x41 && c <= 0x5a,
  xdigit: (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
};

// ---------------------------------------------------------------------------
// The stack of attribute files (attr.c prepare_attr_stack, fill, macroexpand_one)

interface Frame {
  dir: string;
  /** base is dir as a UTF-8 byte string, for matching. */
  base: string;
  rules: Rule[];
}

/**
 * AttributeStack answers git's attributes for the files of one commit while a
 * tree walker descends through it. The walker pushes every directory it enters,
 * from the root down, with that directory's `.gitattributes` blob, and pops it
 * on the way out; so each blob is read and parsed once.
 *
 * The stack must start at the repository root even when the module lives in a
 * subdirectory: `.gitattributes` above the module apply too. Git reads a
 * `.gitattributes` tree entry whatever its blob mode, so a symlink named
 * `.gitattributes` contributes its target text; a tree or submodule entry of
 * that name contributes nothing.
 *
 * ```ts
 * const attrs = new AttributeStack();
 * attrs.push("", rootGitattributes);          // undefined when absent
 * attrs.push("api", apiGitattributes);
 * const a = attrs.get("api/doc.txt");         // Map { "text" => true, "eol" => "crlf", ... }
 * const bytes = convertToWorkingTree("api/doc.txt", blob, a, blobOid);
 * attrs.pop();
 * ```
 */
export class AttributeStack {
  readonly #builtin: Rule[];
  readonly #info: Rule[];
  readonly #frames: Frame[] = [];
  #macros: Map<string, State[]> | undefined;

  /**
   * @param info the text of `$GIT_DIR/info/attributes`; the default is what the
   *   go command writes, `* -export-subst -export-ignore`.
   */
  constructor(info: string | Uint8Array = GO_INFO_ATTRIBUTES) {
    this.#builtin = parseRules(BUILTIN_ATTRIBUTES, true);
    this.#info = parseRules(typeof info === "string" ? byteString(utf8Encode(info)) : byteString(info), true);
  }

  /** depth is the number of directories pushed. */
  get depth(): number {
    return this.#frames.length;
  }

  /**
   * push enters directory dir ("" for the root, then "a", "a/b", ...: each a
   * child of the previous one) with the bytes of its `.gitattributes` blob, or
   * undefined when it has none. Macros are honoured only in the root's file.
   */
  push(dir: string, gitattributes?: Uint8Array): void {
    const top = this.#frames.at(-1);
    const ok = top === undefined ? dir === "" : dir !== "" && parentDir(dir) === top.dir && !dir.endsWith("/");
    if (!ok) throw new Error(`AttributeStack.push(${JSON.stringify(dir)}): not a child of ${JSON.stringify(top?.dir)}`);
    const rules = gitattributes && gitattributes.length < MAX_FILE_BYTES
      ? parseRules(byteString(gitattributes), dir === "")
      : [];
    this.#frames.push({ dir, base: byteString(utf8Encode(dir)), rules });
    this.#macros = undefined;
  }

  /** pop leaves the directory pushed last. */
  pop(): void {
    if (this.#frames.pop() === undefined) throw new Error("AttributeStack.pop: empty stack");
    this.#macros = undefined;
  }

  /**
   * get returns the attributes of the file at path, which must lie directly in
   * the directory pushed last. For `* -text` and `a.txt text` in one file,
   * `get("a.txt")` is `Map { "text" => true }`.
   */
  get(path: string): Attributes {
    const top = this.#frames.at(-1);
    if (top === undefined || parentDir(path) !== top.dir || path === top.dir) {
      throw new Error(`AttributeStack.get(${JSON.stringify(path)}): not in ${JSON.stringify(top?.dir)}`);
    }
    const bytes = byteString(utf8Encode(path));
    const baseNameAt = bytes.lastIndexOf("/") + 1;
    const macros = this.#macroTable();
    const values = new Map<string, AttributeValue | null>();
    const fill = (states: State[]) => {
      for (let i = states.length - 1; i >= 0; i--) {
        const { name, value } = states[i];
        if (values.has(name)) continue;
        values.set(name, value);
        const macro = macros.get(name);
        if (macro && value === true) fill(macro);
      }
    };
    for (const frame of this.#precedence()) {
      for (let i = frame.rules.length - 1; i >= 0; i--) {
        const rule = frame.rules[i];
        if (rule.kind === "match" && pathMatches(bytes, baseNameAt, rule.pattern, frame.base)) fill(rule.states);
      }
    }
    const attrs = new Map<string, AttributeValue>();
    for (const [name, value] of values) if (value !== null) attrs.set(name, value);
    return attrs;
  }

  /** #precedence lists the frames from highest precedence to lowest. */
  *#precedence(): Generator<Pick<Frame, "base" | "rules">> {
    yield { base: "", rules: this.#info };
    for (let i = this.#frames.length - 1; i >= 0; i--) yield this.#frames[i];
    yield { base: "", rules: this.#builtin };
  }

  /** #macroTable maps each macro to its definition of highest precedence. */
  #macroTable(): Map<string, State[]> {
    if (this.#macros) return this.#macros;
    const macros = new Map<string, State[]>();
    for (const frame of this.#precedence()) {
      for (let i = frame.rules.length - 1; i >= 0; i--) {
        const rule = frame.rules[i];
        if (rule.kind === "macro" && !macros.has(rule.name)) macros.set(rule.name, rule.states);
      }
    }
    return (this.#macros = macros);
  }
}

function parentDir(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

// ---------------------------------------------------------------------------
// Conversion (convert.c)

/**
 * convertToWorkingTree returns the bytes `git archive` writes for a regular
 * file (not a symlink) with blob contents data, attributes attrs and blob id
 * blobOid, under the go command's `core.autocrlf=input core.eol=lf`. It returns
 * data itself when nothing changes: `convertToWorkingTree("a.go", d, new Map(), id) === d`.
 *
 * It throws ZipError where git dies (`working-tree-encoding` set without a
 * value) and where git would convert to an encoding we do not implement:
 * serving different bytes would be worse than failing.
 */
export function convertToWorkingTree(
  path: string,
  data: Uint8Array,
  attrs: Attributes,
  blobOid: string,
): Uint8Array {
  const encoding = attrs.get("working-tree-encoding");
  // git's "false" value is the string "\0(builtin)false", so its strlen() check
  // takes `-working-tree-encoding` for "no encoding"; only a bare set one dies.
  if (encoding === true) throw new ZipError(`${path}: true/false are no valid working-tree-encodings`);
  let out = attrs.get("ident") === true ? identToWorktree(data, blobOid) : data;
  const action = crlfAction(attrs);
  if (action === "text-crlf" || action === "auto-crlf") out = crlfToWorktree(out, action === "auto-crlf");
  if (typeof encoding === "string" && encoding !== "" && out.length > 0 && !sameEncoding(encoding, "UTF-8")) {
    out = encodeToWorktree(path, out, encoding);
  }
  return out;
}

type CrlfAction = "binary" | "text" | "text-input" | "text-crlf" | "auto" | "auto-input" | "auto-crlf";

/** crlfAction is convert.c `convert_attrs` with core.autocrlf=input. */
function crlfAction(attrs: Attributes): CrlfAction {
  const fromValue = (v: AttributeValue | undefined): CrlfAction | undefined =>
    v === true ? "text" : v === false ? "binary" : v === "input" ? "text-input" : v === "auto" ? "auto" : undefined;
  let action = fromValue(attrs.get("text")) ?? fromValue(attrs.get("crlf"));
  if (action !== "binary") {
    const eol = attrs.get("eol");
    if (action === "auto" && eol === "lf") action = "auto-input";
    else if (action === "auto" && eol === "crlf") action = "auto-crlf";
    else if (eol === "lf") action = "text-input";
    else if (eol === "crlf") action = "text-crlf";
  }
  // core.autocrlf=input: plain `text` checks out LF, no attribute means "auto, LF".
  if (action === "text") return "text-input";
  return action ?? "auto-input";
}

interface TextStats {
  nul: number;
  loneCR: number;
  loneLF: number;
  crlf: number;
  printable: number;
  nonPrintable: number;
}

/** gatherStats is convert.c `gather_stats`. */
function gatherStats(buf: Uint8Array): TextStats {
  const s: TextStats = { nul: 0, loneCR: 0, loneLF: 0, crlf: 0, printable: 0, nonPrintable: 0 };
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x0d) {
      if (buf[i + 1] === 0x0a) {
        s.crlf++;
        i++;
      } else {
        s.loneCR++;
      }
    } else if (c === 0x0a) {
      s.loneLF++;
    } else if (c === 0x7f) {
      s.nonPrintable++;
    } else if (c < 0x20) {
      // BS, HT, ESC and FF count as printable
      if (c === 0x08 || c === 0x09 || c === 0x1b || c === 0x0c) s.printable++;
      else {
        if (c === 0) s.nul++;
        s.nonPrintable++;
      }
    } else {
      s.printable++;
    }
  }
  // A DOS end-of-file mark (^Z) at the very end does not make a file binary.
  if (buf.length > 0 && buf[buf.length - 1] === 0x1a) s.nonPrintable--;
  return s;
}

/** isBinary is convert.c `convert_is_binary`: a lone CR, a NUL, or over 1/128 non-printable bytes. */
function isBinary(s: TextStats): boolean {
  return s.loneCR > 0 || s.nul > 0 || (s.printable >> 7) < s.nonPrintable;
}

/** crlfToWorktree is convert.c `crlf_to_worktree` for an action whose output is CRLF. */
function crlfToWorktree(src: Uint8Array, auto: boolean): Uint8Array {
  if (src.length === 0) return src;
  const s = gatherStats(src);
  if (s.loneLF === 0) return src;
  // text=auto leaves files that already hold a CR, or look binary, alone;
  // an explicit eol=crlf converts every LF, even in binary files.
  if (auto && (s.loneCR > 0 || s.crlf > 0 || isBinary(s))) return src;
  const out = new Uint8Array(src.length + s.loneLF);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === 0x0a && (i === 0 || src[i - 1] !== 0x0d)) out[o++] = 0x0d;
    out[o++] = src[i];
  }
  return out;
}

/** countIdent is convert.c `count_ident`: how many `$Id$` or `$Id:...$` there are. */
function countIdent(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length;) {
    if (b[i++] !== 0x24) continue;
    if (b.length - i < 3) break;
    if (b[i] !== 0x49 || b[i + 1] !== 0x64) continue;
    const ch = b[i + 2];
    i += 3;
    if (ch === 0x24) n++;
    if (ch !== 0x3a) continue;
    while (i < b.length) {
      const c = b[i++];
      if (c === 0x24) {
        n++;
        break;
      }
      if (c === 0x0a) break;
    }
  }
  return n;
}

/**
 * identToWorktree is convert.c `ident_to_worktree`: `$Id$`, and `$Id:xxx$` on
 * one line without inner spaces, become `$Id: <blob id> $`. It works on any
 * bytes, binary files included.
 */
function identToWorktree(src: Uint8Array, blobOid: string): Uint8Array {
  if (countIdent(src) === 0) return src;
  const expansion = utf8Encode(`Id: ${blobOid} $`);
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    const dollar = src.indexOf(0x24, pos);
    if (dollar < 0) break;
    parts.push(src.subarray(pos, dollar + 1));
    pos = dollar + 1;
    if (src.length - pos < 3 || src[pos] !== 0x49 || src[pos + 1] !== 0x64) continue;
    if (src[pos + 2] === 0x24) {
      pos += 3;
    } else if (src[pos + 2] === 0x3a) {
      const end = src.indexOf(0x24, pos + 3);
      if (end < 0) break; // an unterminated `$Id:` ends the search
      if (src.subarray(pos + 3, end).includes(0x0a)) continue;
      // `$Id: a b $` is some other system's keyword: keep it.
      const space = src.subarray(pos + 4, Math.max(pos + 4, end)).indexOf(0x20);
      if (space >= 0 && pos + 4 + space < end - 1) continue;
      pos = end + 1;
    } else {
      continue;
    }
    parts.push(expansion);
  }
  parts.push(src.subarray(pos));
  return concat(parts);
}

/** encodeToWorktree is convert.c `encode_to_worktree` through glibc iconv. */
function encodeToWorktree(path: string, src: Uint8Array, name: string): Uint8Array {
  const encode = encoderFor(name);
  if (!encode) {
    // iconv_open fails for a name glibc does not know: git says "failed to encode" and keeps the bytes.
    if (!ICONV_CHARSETS.has(name.toUpperCase())) return src;
    throw new ZipError(`${path}: working-tree-encoding ${JSON.stringify(name)} is not supported`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(src);
  } catch {
    return src; // iconv fails on invalid UTF-8; git reports an error and keeps the bytes
  }
  return encode(text) ?? src; // likewise for a character the encoding lacks
}

/** sameUtfEncoding is utf8.c `same_utf_encoding`: "UTF-16LE" is "utf16le". */
function sameUtfEncoding(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/^utf-?/i, "");
  return /^utf/i.test(a) && /^utf/i.test(b) && strip(a).toLowerCase() === strip(b).toLowerCase();
}

/** sameEncoding is utf8.c `same_encoding`. */
function sameEncoding(a: string, b: string): boolean {
  return sameUtfEncoding(a, b) || a.toLowerCase() === b.toLowerCase();
}

type Encoder = (text: string) => Uint8Array | undefined;

const UTF16_LE_BOM = [0xff, 0xfe];
const UTF16_BE_BOM = [0xfe, 0xff];

/**
 * encoderFor returns an encoder for what glibc's iconv_open accepts as name, or
 * undefined for a name we do not implement. glibc upper-cases names and drops
 * characters other than [A-Z0-9_.,:/-]; git itself adds UTF-16LE-BOM,
 * UTF-16BE-BOM, and "latin-1" as a fallback. Byte order marks follow glibc on a
 * little-endian host: "UTF-16" and "UTF-32" write FF FE and little-endian units
 * (macOS's libiconv writes big-endian, so the go command differs there).
 */
function encoderFor(name: string): Encoder | undefined {
  if (sameUtfEncoding("UTF-16LE-BOM", name)) return utf16(true, UTF16_LE_BOM);
  if (sameUtfEncoding("UTF-16BE-BOM", name)) return utf16(false, UTF16_BE_BOM);
  const glibc = name.toUpperCase().replace(/[^A-Z0-9_.,:/-]/g, "");
  return GLIBC_ENCODERS.get(glibc) ?? (name.toLowerCase() === "latin-1" ? singleByte(0xff) : undefined);
}

function utf16(littleEndian: boolean, bom: number[] = []): Encoder {
  return (text) => {
    const out = new Uint8Array(bom.length + text.length * 2);
    out.set(bom);
    const view = new DataView(out.buffer);
    for (let i = 0; i < text.length; i++) view.setUint16(bom.length + 2 * i, text.charCodeAt(i), littleEndian);
    return out;
  };
}

function utf32(littleEndian: boolean, bom = false): Encoder {
  return (text) => {
    const points = Array.from(text, (c) => c.codePointAt(0) ?? 0);
    if (bom) points.unshift(0xfeff);
    const out = new Uint8Array(points.length * 4);
    const view = new DataView(out.buffer);
    points.forEach((cp, i) => view.setUint32(4 * i, cp, littleEndian));
    return out;
  };
}

/** singleByte encodes code points up to max as themselves, others through extra. */
function singleByte(max: number, extra: ReadonlyMap<number, number> = new Map()): Encoder {
  return (text) => {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const b = c <= max ? c : extra.get(c);
      if (b === undefined) return undefined;
      out[i] = b;
    }
    return out;
  };
}

/** windows-1252 bytes 0x80-0x9F as glibc's CP1252 maps them; 0 marks the five unassigned bytes. */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

function cp1252(): Encoder {
  const extra = new Map<number, number>();
  for (let c = 0xa0; c <= 0xff; c++) extra.set(c, c);
  CP1252_HIGH.forEach((cp, i) => cp && extra.set(cp, 0x80 + i));
  return singleByte(0x7f, extra);
}

/** GLIBC_ENCODERS lists glibc 2.36's names (gconv-modules aliases) for what we implement. */
const GLIBC_ENCODERS: ReadonlyMap<string, Encoder> = new Map(
  ([
    [["UTF-16", "UTF16"], utf16(true, UTF16_LE_BOM)],
    [["UTF-16LE", "UTF16LE"], utf16(true)],
    [["UTF-16BE", "UTF16BE"], utf16(false)],
    [["UTF-32", "UTF32"], utf32(true, true)],
    [["UTF-32LE", "UTF32LE"], utf32(true)],
    [["UTF-32BE", "UTF32BE"], utf32(false)],
    [
      ["ISO-8859-1", "ISO-IR-100", "ISO_8859-1:1987", "ISO_8859-1", "ISO8859-1", "ISO88591", "LATIN1", "L1",
        "IBM819", "CP819", "CSISOLATIN1", "8859_1", "OSF00010001"],
      singleByte(0xff),
    ],
    [["CP1252", "WINDOWS-1252", "MS-ANSI"], cp1252()],
    [
      ["ANSI_X3.4-1968", "ISO-IR-6", "ANSI_X3.4-1986", "ISO_646.IRV:1991", "ASCII", "ISO646-US", "US-ASCII", "US",
        "IBM367", "CP367", "CSASCII", "OSF00010020"],
      singleByte(0x7f),
    ],
  ] as const).flatMap(([names, encoder]) => names.map((n): [string, Encoder] => [n, encoder])),
);

// ---------------------------------------------------------------------------
// Bytes

function utf8Encode(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** utf8Decode turns a byte string (as parsed) into text, replacing invalid UTF-8. */
function utf8Decode(bytes: string): string {
  return new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
}

/** byteString maps each byte to one char, so that git's byte-wise rules apply to strings. */
function byteString(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return s;
}
