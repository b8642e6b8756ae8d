/**
 * Differential test of src/zip/attributes.ts against the real `git archive`.
 *
 * Every case is a commit built from text with `git fast-import` (so blobs hold
 * exactly the bytes written: CRLF, NUL, invalid UTF-8), archived as the go
 * command does (`-c core.autocrlf=input -c core.eol=lf`, after appending
 * `* -export-subst -export-ignore` to info/attributes of a bare repository),
 * and compared byte for byte with what a tree walker using AttributeStack and
 * convertToWorkingTree produces for the same commit.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZipError } from "../../src/errors.ts";
import { AttributeStack, convertToWorkingTree, GITATTRIBUTES, GO_INFO_ATTRIBUTES } from "../../src/zip/attributes.ts";

/** A file's contents: text is written as UTF-8; use bin() for raw bytes. */
type Entry = string | Uint8Array | { symlink: string } | { executable: string };

interface Case {
  files: Record<string, Entry>;
  /** subdir is the module's directory, given to `git archive` as a pathspec. */
  subdir?: string;
  /**
   * "git-dies": git archive fails, and so must we.
   * "refused": we throw ZipError on purpose (an encoding we do not implement),
   * whatever git does.
   */
  outcome?: "git-dies" | "refused";
}

/** bin maps each char code (0-255) to one byte. */
const bin = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

const lines = (n: number, line: string) => line.repeat(n);

const cases: Record<string, Case> = {
  // --- eol=crlf and text=auto
  "eol=crlf on LF text": { files: { ".gitattributes": "* eol=crlf\n", "a.txt": "one\ntwo\n" } },
  "eol=crlf on text already CRLF": { files: { ".gitattributes": "*.txt eol=crlf\n", "a.txt": "one\r\ntwo\r\n" } },
  "eol=crlf on mixed LF and CRLF": { files: { ".gitattributes": "*.txt eol=crlf\n", "a.txt": "a\r\nb\nc\n" } },
  "eol=crlf on CR CR LF": { files: { ".gitattributes": "*.txt eol=crlf\n", "a.txt": "a\r\r\nb\n" } },
  "eol=crlf on binary-looking content with NUL": {
    files: { ".gitattributes": "*.bin eol=crlf\n", "a.bin": bin("\x00\x01\n\x02\n\xff") },
  },
  "eol=crlf on lone CR": { files: { ".gitattributes": "*.txt eol=crlf\n", "a.txt": "a\rb\nc" } },
  "eol=crlf without trailing newline": { files: { ".gitattributes": "*.txt eol=crlf\n", "a.txt": "a\nb" } },
  "eol=crlf on a file starting with LF": { files: { ".gitattributes": "*.txt eol=crlf\n", "a.txt": "\n\nx\n" } },
  "eol=crlf on empty file": { files: { ".gitattributes": "* eol=crlf ident\n", "empty.txt": "" } },
  "eol=lf on CRLF text stays CRLF": { files: { ".gitattributes": "*.txt eol=lf\n", "a.txt": "a\r\nb\r\n" } },
  "text on CRLF text stays CRLF": { files: { ".gitattributes": "*.txt text\n", "a.txt": "a\r\nb\n" } },
  "text=auto alone on LF text": { files: { ".gitattributes": "* text=auto\n", "a.txt": "a\nb\n" } },
  "text=auto eol=crlf on LF text": { files: { ".gitattributes": "* text=auto eol=crlf\n", "a.txt": "a\nb\n" } },
  "text=auto eol=crlf on mixed LF and CRLF": {
    files: { ".gitattributes": "* text=auto eol=crlf\n", "a.txt": "a\r\nb\n" },
  },
  "text=auto eol=crlf on lone CR": { files: { ".gitattributes": "* text=auto eol=crlf\n", "a.txt": "a\rb\n" } },
  "text=auto eol=crlf on NUL content": {
    files: { ".gitattributes": "* text=auto eol=crlf\n", "a.txt": "a\x00b\nc\n" },
  },
  "text=auto eol=crlf on a 10 KB file with one NUL byte": {
    files: {
      ".gitattributes": "* text=auto eol=crlf\n",
      "big.txt": lines(200, "the quick brown fox jumps over the lazy dog\n") + "\x00" + lines(30, "tail\n"),
      "big-clean.txt": lines(250, "the quick brown fox jumps over the lazy dog\n"),
    },
  },
  "text=auto eol=crlf at the 1/128 non-printable threshold": {
    files: {
      ".gitattributes": "* text=auto eol=crlf\n",
      // binary when (printable >> 7) < non-printable; LF counts as neither
      "128-printable-1-control.txt": "x".repeat(128) + "\n\x01",
      "127-printable-1-control.txt": "x".repeat(127) + "\n\x01",
      "256-printable-2-control.txt": "x".repeat(256) + "\x01\x02\n",
      "256-printable-3-control.txt": "x".repeat(256) + "\x01\x02\x7f\n",
    },
  },
  "text=auto eol=crlf with a trailing ^Z": {
    files: { ".gitattributes": "* text=auto eol=crlf\n", "dos.txt": "a\nb\n\x1a", "mid.txt": "a\n\x1ab\n" },
  },
  "text=auto eol=crlf with BS HT ESC FF": {
    files: { ".gitattributes": "* text=auto eol=crlf\n", "a.txt": "\b\t\x1b\f".repeat(3) + "\n" },
  },
  "text=auto eol=crlf on invalid UTF-8": {
    files: { ".gitattributes": "* text=auto eol=crlf\n", "a.txt": bin("caf\xe9\nna\xefve\n") },
  },
  "-text eol=crlf": { files: { ".gitattributes": "* -text eol=crlf\n", "a.txt": "a\nb\n" } },
  "text=input eol=crlf": { files: { ".gitattributes": "* text=input eol=crlf\n", "a.txt": "a\nb\n" } },
  "text=bogus eol=crlf": { files: { ".gitattributes": "* text=bogus eol=crlf\n", "a.txt": "a\nb\n" } },
  "eol=CRLF in upper case is ignored": { files: { ".gitattributes": "* eol=CRLF\n", "a.txt": "a\nb\n" } },
  "eol set without a value is ignored": { files: { ".gitattributes": "* text eol\n", "a.txt": "a\nb\n" } },

  // --- legacy crlf attribute
  "legacy crlf": { files: { ".gitattributes": "* crlf\n", "a.txt": "a\nb\n" } },
  "legacy -crlf with eol=crlf": { files: { ".gitattributes": "* -crlf eol=crlf\n", "a.txt": "a\nb\n" } },
  "legacy crlf=input with eol=crlf": { files: { ".gitattributes": "* crlf=input eol=crlf\n", "a.txt": "a\nb\n" } },
  "legacy crlf=auto with eol=crlf on mixed": {
    files: { ".gitattributes": "* crlf=auto eol=crlf\n", "a.txt": "a\nb\n", "m.txt": "a\r\nb\n" },
  },
  "text overrides legacy -crlf": { files: { ".gitattributes": "* -crlf text eol=crlf\n", "a.txt": "a\nb\n" } },

  // --- binary macro and other macros
  "binary macro with eol=crlf": {
    files: { ".gitattributes": "* eol=crlf\n*.bin binary\n", "a.bin": "a\nb\n", "a.txt": "a\nb\n" },
  },
  "binary then text on one line": { files: { ".gitattributes": "*.x binary text eol=crlf\n", "a.x": "a\nb\n" } },
  "text then binary on one line": { files: { ".gitattributes": "*.x text binary eol=crlf\n", "a.x": "a\nb\n" } },
  "-binary does not expand the macro": {
    files: { ".gitattributes": "* eol=crlf\n*.x -binary\n", "a.x": "a\nb\n" },
  },
  "macro defined at the root": {
    files: { ".gitattributes": "[attr]windows text eol=crlf\n*.bat windows\n", "run.bat": "echo\nexit\n" },
  },
  "macro defined at the root, used in a nested file": {
    files: {
      ".gitattributes": "[attr]windows text eol=crlf\n",
      "sub/.gitattributes": "*.bat windows\n",
      "sub/run.bat": "echo\nexit\n",
    },
  },
  "macro defined in a nested file is ignored": {
    files: {
      "sub/.gitattributes": "[attr]windows text eol=crlf\n*.bat windows\n",
      "sub/run.bat": "echo\nexit\n",
    },
  },
  "binary macro redefined at the root": {
    files: { ".gitattributes": "[attr]binary eol=crlf\n*.txt binary\n", "a.txt": "a\nb\n" },
  },
  "macro expanding to a macro": {
    files: {
      ".gitattributes": "[attr]crlf-text text eol=crlf\n[attr]win crlf-text\n*.txt win\n",
      "a.txt": "a\nb\n",
    },
  },
  "later macro definition wins": {
    files: { ".gitattributes": "[attr]m -text\n[attr]m eol=crlf\n*.txt m\n", "a.txt": "a\nb\n" },
  },

  // --- precedence
  "later line wins within a file": {
    files: { ".gitattributes": "*.txt eol=crlf\n*.txt eol=lf\n*.md eol=lf\n*.md eol=crlf\n", "a.txt": "a\n", "b.md": "b\n" },
  },
  "a tree named .gitattributes is not an attributes file": {
    files: { ".gitattributes/x.txt": "* eol=crlf\n", "a.txt": "a\n" },
  },
  "nested .gitattributes overriding the root": {
    files: {
      ".gitattributes": "* eol=crlf\n",
      "a.txt": "a\nb\n",
      "sub/.gitattributes": "*.txt -text\n",
      "sub/a.txt": "a\nb\n",
      "sub/b.go": "package b\n",
      "sub/deeper/c.txt": "c\nd\n",
    },
  },
  "nested .gitattributes enabling conversion": {
    files: { "sub/.gitattributes": "*.txt eol=crlf\n", "sub/a.txt": "a\n", "a.txt": "a\n" },
  },
  "!attr in a nested file unsets the root's": {
    files: { ".gitattributes": "* eol=crlf\n", "sub/.gitattributes": "*.txt !eol\n", "sub/a.txt": "a\n", "sub/b.md": "b\n" },
  },
  "info/attributes beats export-subst and export-ignore": {
    files: {
      ".gitattributes": "* export-subst\nignored.txt export-ignore\n",
      "a.txt": "commit $Format:%H$\n",
      "ignored.txt": "still here\n",
    },
  },

  // --- patterns
  "pattern without slash matches the base name at any depth": {
    files: { ".gitattributes": "a.txt eol=crlf\n", "a.txt": "a\n", "x/a.txt": "a\n", "x/y/a.txt": "a\n", "b.txt": "b\n" },
  },
  "pattern with slash is relative to its .gitattributes": {
    files: {
      ".gitattributes": "sub/*.txt eol=crlf\n",
      "sub/a.txt": "a\n",
      "sub/deep/a.txt": "a\n",
      "other/sub/a.txt": "a\n",
      "sub/.gitattributes": "deep/*.txt eol=crlf\n",
      "x/.gitattributes": "sub/*.txt eol=crlf\n",
      "x/sub/a.txt": "a\n",
    },
  },
  "leading slash anchors": {
    files: { ".gitattributes": "/a.txt eol=crlf\n", "a.txt": "a\n", "sub/a.txt": "a\n" },
  },
  "double-star patterns": {
    files: {
      ".gitattributes": "**/gen/*.txt eol=crlf\nlib/** eol=crlf\na/**/b.md eol=crlf\n",
      "gen/x.txt": "x\n",
      "p/q/gen/x.txt": "x\n",
      "gen/sub/x.txt": "x\n",
      "lib/one.go": "l\n",
      "lib/deep/two.go": "l\n",
      "a/b.md": "b\n",
      "a/x/y/b.md": "b\n",
      "ab/b.md": "b\n",
    },
  },
  "directory-only patterns do not match files": {
    files: {
      ".gitattributes": "sub/ eol=crlf\na.txt/ eol=crlf\nsub eol=crlf\n",
      "sub/a.txt": "a\n",
      "a.txt": "a\n",
    },
  },
  "star does not cross a slash in a path pattern": {
    files: { ".gitattributes": "sub/* eol=crlf\n", "sub/a": "a\n", "sub/d/a": "a\n" },
  },
  "wildcards and character classes": {
    files: {
      ".gitattributes": "?.q eol=crlf\n[ab].r eol=crlf\n[!a].s eol=crlf\n[[:digit:]]*.t eol=crlf\n*.[ch] eol=crlf\nx\\*.u eol=crlf\n",
      "a.q": "a\n",
      "ab.q": "a\n",
      "b.r": "b\n",
      "c.r": "c\n",
      "a.s": "a\n",
      "b.s": "b\n",
      "1x.t": "1\n",
      "x1.t": "x\n",
      "m.c": "c\n",
      "m.h": "h\n",
      "m.go": "g\n",
      "x*.u": "u\n",
      "xy.u": "u\n",
    },
  },
  "patterns are case-sensitive": {
    files: { ".gitattributes": "*.TXT eol=crlf\n", "a.txt": "a\n", "B.TXT": "b\n" },
  },
  "quoted patterns": {
    files: {
      ".gitattributes":
        '"with space.txt" eol=crlf\n"caf\\303\\251.txt" eol=crlf\n"tab\\there.txt" eol=crlf\n"glued.txt"eol=crlf\n"open eol=crlf\n',
      "glued.txt": "e\n",
      '"open': "f\n",
      "with space.txt": "a\n",
      "café.txt": "b\n",
      "tab\there.txt": "c\n",
      "with.txt": "d\n",
    },
  },
  "negative pattern line is ignored": {
    files: { ".gitattributes": "*.txt eol=crlf\n!a.txt -text\n", "a.txt": "a\n", "b.txt": "b\n" },
  },
  "escaped leading exclamation mark is literal": {
    files: { ".gitattributes": "\\!a.txt eol=crlf\n", "!a.txt": "a\n" },
  },
  "invalid attribute name drops the whole line": {
    files: { ".gitattributes": "*.txt eol=crlf b@d\n*.md eol=crlf\n", "a.txt": "a\n", "b.md": "b\n" },
  },
  "comments, blank lines and CRLF line ends in .gitattributes": {
    files: { ".gitattributes": bin("# comment\r\n\r\n   \t\r\n  *.txt   eol=crlf  \r\n#*.md eol=crlf\r\n"), "a.txt": "a\n", "b.md": "b\n" },
  },
  "UTF-8 BOM in .gitattributes is part of the first pattern": {
    files: { ".gitattributes": "\ufeff*.txt eol=crlf\n*.md eol=crlf\n", "a.txt": "a\n", "b.md": "b\n" },
  },
  "NUL in .gitattributes ends it": {
    files: { ".gitattributes": "*.txt eol=crlf\n\x00\n*.md eol=crlf\n", "a.txt": "a\n", "b.md": "b\n" },
  },
  "overly long line in .gitattributes is ignored": {
    files: {
      ".gitattributes": `*.txt eol=crlf ${"x".repeat(2040)}\n*.md eol=crlf ${"y".repeat(2020)}\n`,
      "a.txt": "a\n",
      "b.md": "b\n",
    },
  },
  ".gitattributes itself is converted": {
    files: { ".gitattributes": "* text eol=crlf\n", "sub/.gitattributes": "# sub\n" },
  },
  ".gitattributes as a symlink is read through its blob": {
    files: { ".gitattributes": { symlink: "*.txt eol=crlf" }, "a.txt": "a\n" },
  },
  "executable files are converted": {
    files: { ".gitattributes": "*.sh eol=crlf\n", "run.sh": { executable: "#!/bin/sh\necho\n" } },
  },
  "filter without a configured driver is ignored": {
    files: { ".gitattributes": "*.txt filter=lfs diff=lfs merge=lfs eol=crlf\n", "a.txt": "a\n" },
  },

  // --- module in a subdirectory
  "attributes above the module subdirectory": {
    subdir: "mod/sub",
    files: {
      ".gitattributes": "*.txt eol=crlf\n",
      "mod/.gitattributes": "*.md eol=crlf\n",
      "mod/sub/a.txt": "a\n",
      "mod/sub/b.md": "b\n",
      "mod/sub/c.go": "package c\n",
      "mod/x.txt": "outside\n",
    },
  },
  "root * text=auto with *.bat eol=crlf in a module": {
    subdir: "mod",
    files: {
      ".gitattributes": "* text=auto\n*.bat eol=crlf\n",
      "mod/run.bat": "echo\n",
      "mod/main.go": "package main\n",
      "mod/data.bin": bin("\x00\n\x01\n"),
      "mod/crlf.bat": "echo\r\nx\n",
    },
  },
  "path pattern in a parent directory reaching into the module": {
    subdir: "mod",
    files: { ".gitattributes": "mod/gen/** eol=crlf\n", "mod/gen/a.go": "a\n", "mod/b.go": "b\n" },
  },

  // --- ident
  "ident with $Id$": { files: { ".gitattributes": "* ident\n", "a.c": "/* $Id$ */\nint x; $Id$\n" } },
  "ident with an expanded $Id: x $": {
    files: { ".gitattributes": "* ident\n", "a.c": "$Id: 0123456789 $\n$Id:abc$\n" },
  },
  "ident keeps foreign $Id: a b $": {
    files: { ".gitattributes": "* ident\n", "a.c": "$Id: a.c,v 1.2 2001/01/01 joe $\n$Id$\n" },
  },
  "ident with $Id: spanning lines": {
    files: { ".gitattributes": "* ident\n", "a.c": "$Id: one\ntwo $ and $Id$\n" },
  },
  "ident with unterminated $Id:": { files: { ".gitattributes": "* ident\n", "a.c": "$Id$ then $Id: open\n" } },
  "ident with $Id:$ and edge dollars": {
    files: { ".gitattributes": "* ident\n", "a.c": "$$Id$$ $Id:$ x $Id", "b.c": "$Id" },
  },
  "ident on binary content": {
    files: { ".gitattributes": "* ident\n", "a.bin": bin("\x00\xff$Id$\x00\n$Id: q $") },
  },
  "ident set to a value is ignored": { files: { ".gitattributes": "* ident=yes\n", "a.c": "$Id$\n" } },
  "ident then eol=crlf": {
    files: { ".gitattributes": "* ident eol=crlf\n", "a.c": "$Id$\nx\n", "b.c": "$Id: line\nbreak $\n" },
  },
  "ident with text=auto eol=crlf": {
    files: { ".gitattributes": "* ident text=auto eol=crlf\n", "a.c": "$Id$\r\nx\n" },
  },

  // --- working-tree-encoding
  "working-tree-encoding=UTF-16LE": {
    files: { ".gitattributes": "*.txt working-tree-encoding=UTF-16LE\n", "a.txt": "héllo wörld 😀\n" },
  },
  "working-tree-encoding=UTF-16BE": {
    files: { ".gitattributes": "*.txt working-tree-encoding=UTF-16BE\n", "a.txt": "héllo 😀\n" },
  },
  "working-tree-encoding=UTF-16": {
    files: { ".gitattributes": "*.txt working-tree-encoding=UTF-16\n", "a.txt": "héllo 😀\n" },
  },
  "working-tree-encoding=utf16le in lower case": {
    files: { ".gitattributes": "*.txt working-tree-encoding=utf16le\n", "a.txt": "abc\n" },
  },
  "working-tree-encoding=UTF-16LE-BOM": {
    files: { ".gitattributes": "*.txt working-tree-encoding=UTF-16LE-BOM\n", "a.txt": "abc\n" },
  },
  "working-tree-encoding=UTF-16BE-BOM": {
    files: { ".gitattributes": "*.txt working-tree-encoding=utf-16be-bom\n", "a.txt": "abc\n" },
  },
  "working-tree-encoding=UTF-32 and UTF-32BE": {
    files: {
      ".gitattributes": "*.t32 working-tree-encoding=UTF-32\n*.b32 working-tree-encoding=UTF-32BE\n*.l32 working-tree-encoding=utf-32le\n",
      "a.t32": "a😀\n",
      "a.b32": "a😀\n",
      "a.l32": "a😀\n",
    },
  },
  "working-tree-encoding=UTF-16LE with eol=crlf": {
    files: { ".gitattributes": "*.ps1 text working-tree-encoding=UTF-16LE eol=crlf\n", "a.ps1": "one\ntwo\n" },
  },
  "working-tree-encoding=UTF-16LE with ident": {
    files: { ".gitattributes": "*.rc ident working-tree-encoding=UTF-16LE\n", "a.rc": "$Id$\n" },
  },
  "working-tree-encoding=UTF-16LE on a UTF-8 BOM": {
    files: { ".gitattributes": "*.txt working-tree-encoding=UTF-16\n", "a.txt": "\ufeffbom\n" },
  },
  "working-tree-encoding=UTF-16LE on invalid UTF-8": {
    files: {
      ".gitattributes": "*.txt working-tree-encoding=UTF-16LE\n",
      "bad.txt": bin("caf\xe9\n"),
      "cut.txt": bin("caf\xc3"),
      "surrogate.txt": bin("\xed\xa0\x80\n"),
    },
  },
  "working-tree-encoding=UTF-16LE on empty file": {
    files: { ".gitattributes": "*.txt working-tree-encoding=UTF-16LE\n", "empty.txt": "" },
  },
  "working-tree-encoding=ISO-8859-1": {
    files: { ".gitattributes": "*.txt working-tree-encoding=ISO-8859-1\n", "a.txt": "café ÿ\n" },
  },
  "working-tree-encoding=latin1 and latin-1": {
    files: {
      ".gitattributes": "*.a working-tree-encoding=latin1\n*.b working-tree-encoding=latin-1\n*.c working-tree-encoding=iso8859-1\n",
      "x.a": "é\n",
      "x.b": "é\n",
      "x.c": "é\n",
    },
  },
  "working-tree-encoding=ISO-8859-1 with a character it lacks": {
    files: { ".gitattributes": "*.txt working-tree-encoding=ISO-8859-1\n", "a.txt": "café €\n" },
  },
  "working-tree-encoding=windows-1252": {
    files: {
      ".gitattributes": "*.txt working-tree-encoding=windows-1252\n*.cp working-tree-encoding=CP1252\n",
      "a.txt": "€ “quotes” é Ÿ\n",
      "b.cp": "\u0081 unassigned\n",
    },
  },
  "working-tree-encoding=US-ASCII": {
    files: { ".gitattributes": "*.txt working-tree-encoding=US-ASCII\n", "a.txt": "plain\n", "b.txt": "é\n" },
  },
  "working-tree-encoding=UTF-8 and utf8 change nothing": {
    files: { ".gitattributes": "*.a working-tree-encoding=UTF-8\n*.b working-tree-encoding=utf8\n", "x.a": "é\n", "x.b": bin("\xe9\n") },
  },
  "working-tree-encoding= empty changes nothing": {
    files: { ".gitattributes": "*.txt working-tree-encoding=\n", "a.txt": "é\n" },
  },
  "working-tree-encoding set without a value": {
    outcome: "git-dies",
    files: { ".gitattributes": "*.txt working-tree-encoding\n", "a.txt": "a\n" },
  },
  "-working-tree-encoding changes nothing": {
    files: { ".gitattributes": "*.txt -working-tree-encoding\n", "a.txt": "a\n" },
  },
  "working-tree-encoding=SHIFT-JIS (glibc converts, we refuse)": {
    outcome: "refused",
    files: { ".gitattributes": "*.txt working-tree-encoding=SHIFT-JIS\n", "a.txt": "日本\n" },
  },
  "working-tree-encoding=NO-SUCH-CHARSET (iconv does not know it: git keeps the bytes)": {
    files: { ".gitattributes": "*.txt working-tree-encoding=NO-SUCH-CHARSET\n", "a.txt": "a\n" },
  },
};

// ---------------------------------------------------------------------------

let dir = "";
let gitDir = "";
const refOf = new Map<string, string>();
const results = new Map<string, { changed: boolean }>();

function git(args: string[], input?: Uint8Array) {
  const r = spawnSync("git", args, {
    input,
    maxBuffer: 64 << 20,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_CONFIG_HOME: dir,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_ATTR_NOSYSTEM: "1",
      GIT_DIR: gitDir,
      LC_ALL: "C",
    },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: new Uint8Array(r.stdout), stderr: r.stderr.toString() };
}

function content(e: Entry): { mode: string; data: Uint8Array } {
  const enc = (s: string) => new TextEncoder().encode(s);
  if (typeof e === "string") return { mode: "100644", data: enc(e) };
  if (e instanceof Uint8Array) return { mode: "100644", data: e };
  if ("symlink" in e) return { mode: "120000", data: enc(e.symlink) };
  return { mode: "100755", data: enc(e.executable) };
}

/** fastImport writes one root commit per case, on refs/heads/<n>. */
function fastImport() {
  const chunks: Uint8Array[] = [];
  const put = (s: string | Uint8Array) => chunks.push(typeof s === "string" ? new TextEncoder().encode(s) : s);
  Object.entries(cases).forEach(([name, c], i) => {
    const ref = `refs/heads/case${i}`;
    refOf.set(name, ref);
    put(`commit ${ref}\ncommitter Gopher <gopher@example.com> 1700000000 +0000\ndata 0\n`);
    for (const [path, e] of Object.entries(c.files)) {
      const { mode, data } = content(e);
      put(`M ${mode} inline "${path.replace(/[\\"]/g, "\\$&").replace(/\t/g, "\\t")}"\ndata ${data.length}\n`);
      put(data);
      put("\n");
    }
    put("\n");
  });
  const r = git(["fast-import", "--quiet"], Buffer.concat(chunks));
  if (r.status !== 0) throw new Error(`git fast-import: ${r.stderr}`);
}

/** untar returns the regular files of a tar stream (git's pax headers included). */
function untar(tar: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).replace(/\0.*$/s, "");
  let paxPath: string | undefined;
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(text(h.subarray(124, 136)).trim() || "0", 8);
    const type = String.fromCharCode(h[156]);
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data))?.[1];
      continue;
    }
    if (type === "g") continue;
    const prefix = text(h.subarray(345, 500));
    const path = paxPath ?? (prefix ? `${prefix}/` : "") + text(h.subarray(0, 100));
    paxPath = undefined;
    if (type === "0" || type === "\0") files.set(path, data);
  }
  return files;
}

const blobOid = (data: Uint8Array) =>
  createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");

interface Dir {
  dirs: Map<string, Dir>;
  files: Map<string, { mode: string; data: Uint8Array }>;
}

/**
 * ours walks the case's tree the way a zip builder would: push each directory
 * with its .gitattributes blob, convert the regular files inside subdir, pop.
 */
function ours(c: Case): Map<string, Uint8Array> {
  const root: Dir = { dirs: new Map(), files: new Map() };
  for (const [path, e] of Object.entries(c.files)) {
    const parts = path.split("/");
    let d = root;
    for (const p of parts.slice(0, -1)) {
      if (!d.dirs.has(p)) d.dirs.set(p, { dirs: new Map(), files: new Map() });
      d = d.dirs.get(p)!;
    }
    d.files.set(parts.at(-1)!, content(e));
  }
  const out = new Map<string, Uint8Array>();
  const stack = new AttributeStack();
  const inModule = (path: string) => !c.subdir || path.startsWith(c.subdir + "/");
  const walk = (dirPath: string, d: Dir) => {
    stack.push(dirPath, d.files.get(GITATTRIBUTES)?.data);
    for (const [name, f] of d.files) {
      const path = dirPath ? `${dirPath}/${name}` : name;
      if (f.mode === "120000" || !inModule(path)) continue;
      out.set(path, convertToWorkingTree(path, f.data, stack.get(path), blobOid(f.data)));
    }
    for (const [name, sub] of d.dirs) walk(dirPath ? `${dirPath}/${name}` : name, sub);
    stack.pop();
  };
  walk("", root);
  return out;
}

/** show renders bytes readably, one char per byte, for diffs. */
const show = (b: Uint8Array) => JSON.stringify(String.fromCharCode(...b));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gomodproxy-attr-"));
  gitDir = join(dir, "repo.git");
  const init = spawnSync("git", ["init", "--quiet", "--bare", gitDir], { env: { PATH: process.env.PATH, HOME: dir } });
  if (init.status !== 0) throw new Error(`git init: ${init.stderr}`);
  // What the go command's ensureGitAttributes appends.
  appendFileSync(join(gitDir, "info", "attributes"), GO_INFO_ATTRIBUTES);
  fastImport();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("convertToWorkingTree matches git archive", () => {
  it.each(Object.entries(cases))("%s", (name, c) => {
    const args = ["-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=tar", refOf.get(name)!];
    const archive = git(c.subdir ? [...args, "--", c.subdir] : args);

    if (c.outcome === "refused") {
      expect(() => ours(c)).toThrow(ZipError);
      return;
    }
    if (c.outcome === "git-dies") {
      expect(archive.status, "git archive should fail").not.toBe(0);
      expect(() => ours(c)).toThrow(ZipError);
      return;
    }
    expect(archive.status, archive.stderr).toBe(0);
    const theirs = untar(archive.stdout);
    const mine = ours(c);
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    let changed = false;
    for (const [path, data] of theirs) {
      expect(show(mine.get(path)!), path).toBe(show(data));
      const blob = content(c.files[path]).data;
      if (show(blob) !== show(data)) changed = true;
    }
    results.set(name, { changed });
  });

  it("the table is not vacuous: git changed bytes in most cases", () => {
    const changed = [...results.values()].filter((r) => r.changed).length;
    expect(changed).toBeGreaterThanOrEqual(50);
  });
});

describe("AttributeStack", () => {
  it("get() reports attributes after macro expansion, without unspecified ones", () => {
    const stack = new AttributeStack();
    stack.push("", new TextEncoder().encode("*.bin binary\n*.txt text !eol\n"));
    expect(Object.fromEntries(stack.get("a.bin"))).toEqual({
      binary: true, diff: false, merge: false, text: false, "export-subst": false, "export-ignore": false,
    });
    expect(Object.fromEntries(stack.get("a.txt"))).toEqual({ text: true, "export-subst": false, "export-ignore": false });
  });

  it("push() rejects a directory that is not a child of the top", () => {
    const stack = new AttributeStack();
    expect(() => stack.push("a")).toThrow();
    stack.push("");
    expect(() => stack.push("a/b")).toThrow();
    stack.push("a");
    expect(() => stack.get("b/c.txt")).toThrow();
    expect(stack.get("a/c.txt").get("text")).toBe(undefined);
  });
});
