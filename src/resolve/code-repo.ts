/**
 * CodeRepo: a module inside a git repository, as the go command sees it in
 * direct mode (cmd/go/internal/modfetch/coderepo.go, Go 1.19 and later).
 *
 * Given the module path and the repository's root path:
 * - `codeDir` is the module's directory in the repository ("" at the root);
 *   its tags carry the prefix `codeDir/` (module x/sub uses tag sub/v1.0.0,
 *   and x/sub/v2 in sub/v2 still uses sub/v2.x.y tags).
 * - `versions` lists canonical, non-pseudo tags whose major matches the path,
 *   plus `+incompatible` ones only when cmd/go allows them (golang.org/issue/34189).
 * - `stat` resolves tags, branches and hashes to canonical versions or
 *   pseudo-versions (`convert`), validating requested pseudo-versions.
 * - `findDir` locates the module directory (`codeDir` or `codeDir/vN`) by
 *   reading go.mod files, as cmd/go does.
 * Error texts follow cmd/go so users see familiar messages.
 */

import { InvalidVersionError, ModuleError, NotFoundError } from "../errors.ts";
import { autoQuote, modulePath as goModModulePath, parseRetractions } from "../module/gomod.ts";
import { canonicalVersion, matchPathMajor, pathMajorPrefix, splitPathVersion } from "../module/path.ts";
import {
  isPseudoVersion,
  pseudoVersion,
  pseudoVersionBase,
  pseudoVersionRev,
  pseudoVersionTime,
  pseudoVersionTimestamp,
} from "../module/pseudo.ts";
import { build, canonical, compare, isValid, major, prerelease, sort } from "../module/version.ts";
import type { GitView, RevInfo } from "./git.ts";

/** ModuleInfo is what `.info` reports, plus the commit it was resolved to. */
export interface ModuleInfo {
  version: string;
  /** time is the committer time in seconds since the epoch. */
  time: number;
  commit: string;
  /** ref is the full ref name the version was found by, if any. */
  ref?: string;
  /** subdir is the module's directory in the repository ("" at the root). */
  subdir: string;
}

/** ModuleDir is where a version's files live: findDir's answer. */
export interface ModuleDir {
  commit: string;
  /** dir is the module directory in the repository: codeDir or codeDir/vN. */
  dir: string;
  /** gomod is the raw go.mod blob, when there is one. */
  gomod?: Uint8Array;
}

/** NotExistError is cmd/go's notExistError: the version has no usable module, answered 404. */
class NotExistError extends NotFoundError {}

function hasPathPrefix(s: string, prefix: string): boolean {
  if (s.length === prefix.length) return s === prefix;
  if (s.length < prefix.length) return false;
  if (prefix !== "" && prefix.endsWith("/")) return s.startsWith(prefix);
  return s[prefix.length] === "/" && s.startsWith(prefix);
}

function trimSuffix(s: string, suffix: string): string {
  return s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

function trimPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

export class CodeRepo {
  readonly codeDir: string;
  readonly pathMajor: string;
  readonly pathPrefix: string;
  readonly pseudoMajor: string;
  #versions?: Promise<string[]>;
  #retracted?: Promise<(v: string) => boolean>;

  /** newCodeRepo: modPath must lie inside the repository rooted at codeRoot. */
  constructor(readonly view: GitView, readonly codeRoot: string, readonly modPath: string) {
    if (!hasPathPrefix(modPath, codeRoot)) throw new NotFoundError(`mismatched repo: found ${codeRoot} for ${modPath}`);
    const split = splitPathVersion(modPath);
    if (!split.ok) throw new NotFoundError(`invalid module path ${JSON.stringify(modPath)}`);
    this.pathMajor = split.pathMajor;
    this.pathPrefix = codeRoot === modPath ? modPath : split.prefix;
    try {
      this.pseudoMajor = pathMajorPrefix(split.pathMajor);
    } catch {
      throw new NotFoundError(`invalid module path ${JSON.stringify(modPath)}`); // gopkg.in/x.v-unstable: no version fits
    }
    let codeDir = "";
    if (codeRoot !== modPath) {
      if (!hasPathPrefix(this.pathPrefix, codeRoot)) {
        throw new NotFoundError(`repository rooted at ${codeRoot} cannot contain module ${modPath}`);
      }
      codeDir = this.pathPrefix.slice(codeRoot.length).replace(/^\/+|\/+$/g, "");
    }
    this.codeDir = codeDir;
  }

  get #tagPrefix(): string {
    return this.codeDir === "" ? "" : this.codeDir + "/";
  }

  /** #error is cmd/go's ModuleError{Path, InvalidVersionError{version, reason}}. */
  #error(version: string, reason: string | Error, pseudo = false): ModuleError {
    const message = typeof reason === "string" ? reason : reason.message;
    const cause = typeof reason === "string" ? undefined : reason;
    return new ModuleError(this.modPath, version, new InvalidVersionError(version, message, pseudo, { cause }));
  }

  /** versions is codeRepo.Versions(""): the `@v/list` answer, sorted. */
  versions(): Promise<string[]> {
    this.#versions ??= this.#computeVersions();
    return this.#versions;
  }

  async #computeVersions(): Promise<string[]> {
    // gopkg.in/macaroon-bakery.v2-unstable does not use the v2 tags.
    if (this.modPath.startsWith("gopkg.in/") && this.modPath.endsWith("-unstable")) return [];
    const p = this.#tagPrefix;
    const list: string[] = [];
    const incompatible: string[] = [];
    for (const tag of this.view.tags(p)) {
      const v = tag.name.slice(p.length);
      if (v === "" || v !== canonical(v) || isPseudoVersion(v)) continue;
      if (!matchPathMajor(v, this.pathMajor)) {
        if (this.codeDir === "" && this.pathMajor === "" && major(v) > "v1") incompatible.push(v);
        continue;
      }
      list.push(v);
    }
    sort(list);
    sort(incompatible);
    if (incompatible.length === 0 || this.pathMajor !== "") return list;

    const hasGoMod = async (v: string) => {
      const info = await this.view.stat(v);
      return (await this.view.readFile(info.name, "go.mod")) !== undefined;
    };
    // golang.org/issue/34189: a go.mod on the latest compatible version hides every +incompatible one.
    if (list.length > 0 && await hasGoMod(list[list.length - 1])) return list;
    let lastMajor = "";
    let lastMajorHasGoMod = false;
    for (const [i, v] of incompatible.entries()) {
      const m = major(v);
      if (m !== lastMajor) {
        const rest = incompatible.slice(i);
        const j = rest.findIndex((x) => major(x) !== m);
        lastMajor = m;
        lastMajorHasGoMod = await hasGoMod(rest[(j < 0 ? rest.length : j) - 1]);
      }
      if (!lastMajorHasGoMod) list.push(v + "+incompatible");
    }
    return list;
  }

  /** stat is codeRepo.Stat: resolves a version, tag, branch or hash, or "latest". */
  async stat(rev: string): Promise<ModuleInfo> {
    if (rev === "latest") return this.latest();
    let info: RevInfo;
    try {
      info = await this.view.stat(this.#revToRev(rev));
    } catch (err) {
      if (err instanceof NotFoundError) throw this.#error(rev, err);
      throw err;
    }
    return this.#convert(info, rev);
  }

  /**
   * queryLatest is the `@latest` answer: the go command's "latest" query
   * (cmd/go/internal/modload/query.go `queryProxy`): the highest listed
   * release, else pre-release, that is not retracted, skipping +incompatible
   * versions once an allowed compatible version has a go.mod
   * (golang.org/issue/34165); else the default branch head, if not retracted.
   */
  async queryLatest(): Promise<ModuleInfo> {
    const isRetracted = await this.#retractedVersions().catch(() => (_: string) => false);
    const releases: string[] = [];
    const prereleases: string[] = [];
    let lastCompatible = "";
    let needIncompatible = false;
    for (const v of await this.versions()) {
      if (isRetracted(v)) continue;
      if (!needIncompatible) {
        if (!v.endsWith("+incompatible")) {
          lastCompatible = v;
        } else if (lastCompatible !== "") {
          // modload's versionHasGoMod: a go.mod equal to the synthesized one counts as none.
          const gomod = new TextDecoder().decode(await this.goMod(lastCompatible));
          if (gomod !== this.#legacyGoMod()) break;
          needIncompatible = true;
        }
      }
      (prerelease(v) !== "" ? prereleases : releases).push(v);
    }
    const pick = releases.at(-1) ?? prereleases.at(-1);
    if (pick) return this.stat(pick);
    const head = await this.latest();
    if (isRetracted(head.version)) {
      throw new ModuleError(this.modPath, "", new NotFoundError(`no matching versions for query "latest"`));
    }
    return head;
  }

  /** latest is codeRepo.Latest: the default branch head, converted to a version. */
  async latest(): Promise<ModuleInfo> {
    const head = this.view.refs.get("HEAD");
    if (!head) throw new ModuleError(this.modPath, "", new NotFoundError("no commits"));
    const info = await this.view.stat(head);
    const result = await this.#convert(info, "");
    return { ...result, ref: "HEAD" };
  }

  #revToRev(rev: string): string {
    if (!isValid(rev)) return rev;
    if (isPseudoVersion(rev)) return pseudoVersionRev(rev);
    if (build(rev) === "+incompatible") rev = rev.slice(0, -"+incompatible".length);
    return this.codeDir === "" ? rev : `${this.codeDir}/${rev}`;
  }

  async #convert(info: RevInfo, statVers: string): Promise<ModuleInfo> {
    const incompatibleOk = new Map<string, boolean>();
    const canUseIncompatible = async (v: string): Promise<boolean> => {
      if (this.codeDir !== "" || this.pathMajor !== "") return false;
      let ok = incompatibleOk.get("");
      if (ok === undefined) {
        ok = (await this.view.readFile(info.name, "go.mod")) === undefined;
        incompatibleOk.set("", ok);
      }
      if (!ok) return false;
      // go.dev/issue/51324: an explicit +incompatible request skips the vN/go.mod check.
      if (v !== "" && !statVers.endsWith("+incompatible")) {
        const m = major(v);
        ok = incompatibleOk.get(m);
        if (ok === undefined) {
          ok = (await this.view.readFile(info.name, `${m}/go.mod`)) === undefined;
          incompatibleOk.set(m, ok);
        }
        if (!ok) return false;
      }
      return true;
    };

    const checkCanonical = async (v: string): Promise<ModuleInfo> => {
      try {
        await this.findDir(v);
      } catch (err) {
        if (err instanceof ModuleError || !(err instanceof NotFoundError)) throw err;
        throw this.#error(v, err);
      }
      if (v === trimSuffix(statVers, "+incompatible")) v = statVers;
      const base = trimSuffix(v, "+incompatible");
      let errIncompatible: ModuleError | undefined;
      if (!matchPathMajor(base, this.pathMajor)) {
        if (await canUseIncompatible(base)) {
          v = base + "+incompatible";
        } else {
          errIncompatible = this.#error(
            v,
            this.pathMajor !== ""
              ? "module path includes a major version suffix, so major version must match"
              : `module contains a go.mod file, so module path must match major version (${JSON.stringify(joinPath(this.pathPrefix, major(v)))})`,
          );
        }
      } else if (v.endsWith("+incompatible")) {
        errIncompatible = this.#error(v, `+incompatible suffix not allowed: major version ${major(v)} is compatible`);
      }
      if (statVers !== "" && statVers === canonicalVersion(statVers)) {
        const statBase = trimSuffix(statVers, "+incompatible");
        if (statBase !== base) {
          throw this.#error(statVers, new NotExistError(`resolves to version ${v} (${statBase} is not a tag)`));
        }
      }
      if (errIncompatible) throw errIncompatible;
      return { version: v, time: info.time, commit: info.name, ref: info.ref, subdir: this.codeDir };
    };

    if (isPseudoVersion(statVers)) {
      await this.#validatePseudoVersion(info, statVers);
      return checkCanonical(statVers);
    }

    const tagPrefix = this.#tagPrefix;
    const isRetracted = await this.#retractedVersions().catch(() => (_: string) => false);
    const tagToVersion = (tag: string): [string, boolean] => {
      if (!tag.startsWith(tagPrefix)) return ["", false];
      const trimmed = tag.slice(tagPrefix.length);
      if (isPseudoVersion(tag)) return ["", false];
      const v = canonical(trimmed); // not canonicalVersion: an explicit +incompatible on a tag is ignored
      if (v === "" || !trimmed.startsWith(v)) return ["", false];
      return [v, v === trimmed];
    };

    const [v0, canon0] = tagToVersion(info.version);
    if (canon0) {
      try {
        return await checkCanonical(v0);
      } catch (err) {
        if (!(err instanceof ModuleError)) throw err;
      }
    }

    let highestCanonical = "";
    let pseudoBase = "";
    for (const pathTag of info.tags) {
      const [v, isCanonical] = tagToVersion(pathTag);
      if (statVers !== "" && compare(v, statVers) === 0) {
        if (isCanonical) return checkCanonical(v);
        pseudoBase = v;
      }
      if (isCanonical && compare(highestCanonical, v) < 0 && !isRetracted(v)) {
        if (matchPathMajor(v, this.pathMajor) || await canUseIncompatible(v)) highestCanonical = v;
      }
    }
    if (highestCanonical !== "") return checkCanonical(highestCanonical);

    if (pseudoBase === "") {
      // Allowed tags are checked ahead of time because recentTag's filter is synchronous.
      const allowed = new Set<string>();
      for (const t of this.view.tags(tagPrefix)) {
        const [v] = tagToVersion(t.name);
        if (v === "" || isRetracted(v)) continue;
        if (matchPathMajor(v, this.pathMajor) || await canUseIncompatible(v)) allowed.add(t.name);
      }
      const tag = await this.view.recentTag(info.name, tagPrefix, (t) => allowed.has(t));
      if (tag !== "") pseudoBase = tagToVersion(tag)[0];
    }
    return checkCanonical(pseudoVersion(this.pseudoMajor, pseudoBase, info.time, info.short));
  }

  async #validatePseudoVersion(info: RevInfo, version: string): Promise<void> {
    const fail = (reason: string) => this.#error(version, reason, true);
    let rev: string;
    let time: string;
    let base: string;
    try {
      rev = pseudoVersionRev(version);
      time = pseudoVersionTime(version);
      base = pseudoVersionBase(trimSuffix(version, "+incompatible"));
    } catch (err) {
      throw err instanceof InvalidVersionError ? fail(err.reason) : err;
    }
    if (rev !== info.short) {
      if (rev.startsWith(info.short)) throw fail(`revision is longer than canonical (expected ${info.short})`);
      if (info.short.startsWith(rev)) throw fail(`revision is shorter than canonical (expected ${info.short})`);
      throw fail(`does not match short name of revision (expected ${info.short})`);
    }
    const expected = pseudoVersionTimestamp(info.time);
    if (time !== expected) throw fail(`does not match version-control timestamp (expected ${expected})`);
    const tagPrefix = this.#tagPrefix;
    if (base === "") {
      if (this.pseudoMajor === "" && major(version) === "v1") {
        throw fail("major version without preceding tag must be v0, not v1");
      }
      return;
    }
    for (const tag of info.tags) {
      if (trimPrefix(tag, tagPrefix) === base) {
        throw fail(
          `tag (${tag}) found on revision ${rev} is already canonical, so should not be replaced with a pseudo-version derived from that tag`,
        );
      }
    }
    let lastTag = "";
    let ancestorFound = false;
    for (const tag of this.view.tags(tagPrefix + base)) {
      if (compare(trimPrefix(tag.name, tagPrefix), base) !== 0) continue;
      lastTag = tag.name;
      ancestorFound = await this.view.descendsFrom(info.name, tag.name);
      if (ancestorFound) break;
    }
    if (lastTag === "") throw fail(`preceding tag (${base}) not found`);
    if (!ancestorFound) throw fail(`revision ${rev} is not a descendent of preceding tag (${lastTag})`);
  }

  /** findDir is codeRepo.findDir: the commit, module directory and go.mod of a version. */
  async findDir(version: string): Promise<ModuleDir> {
    if (!isValid(version)) throw this.#error(version, "syntax error");
    const rev = this.#revToRev(version);
    const commit = (await this.view.stat(rev)).name;

    const file1 = joinPath(this.codeDir, "go.mod");
    const gomod1 = await this.view.readFile(commit, file1);
    const mpath1 = gomod1 ? goModModulePath(gomod1) : "";
    const found1 = gomod1 !== undefined && (isMajor(mpath1, this.pathMajor) || this.#canReplaceMismatchedVersionDueToBug(mpath1));

    let file2 = "";
    if (this.pathMajor !== "" && this.codeRoot !== this.modPath && !this.pathMajor.startsWith(".")) {
      const dir2 = joinPath(this.codeDir, this.pathMajor.slice(1));
      file2 = joinPath(dir2, "go.mod");
      const gomod2 = await this.view.readFile(commit, file2);
      const mpath2 = gomod2 ? goModModulePath(gomod2) : "";
      const found2 = gomod2 !== undefined && isMajor(mpath2, this.pathMajor);
      if (found1 && found2) {
        throw new NotExistError(
          `${this.pathPrefix}/${file1} and ...${this.pathMajor}/go.mod both have ...${this.pathMajor} module paths at revision ${rev}`,
        );
      }
      if (found2) return { commit, dir: dir2, gomod: gomod2 };
      if (gomod2 !== undefined) {
        if (mpath2 === "") throw new NotExistError(`${this.codeRoot}/${file2} is missing module path at revision ${rev}`);
        throw new NotExistError(`${this.codeRoot}/${file2} has non-...${this.pathMajor} module path ${JSON.stringify(mpath2)} at revision ${rev}`);
      }
    }
    if (found1) return { commit, dir: this.codeDir, gomod: gomod1 };
    if (gomod1 !== undefined) {
      const suffix = file2 !== "" ? ` (and ...${this.pathMajor}/go.mod does not exist)` : "";
      if (mpath1 === "") throw new NotExistError(`${file1} is missing module path${suffix} at revision ${rev}`);
      if (this.pathMajor !== "") {
        throw new NotExistError(`${file1} has non-...${this.pathMajor} module path ${JSON.stringify(mpath1)}${suffix} at revision ${rev}`);
      }
      if (!splitPathVersion(mpath1).ok) {
        throw new NotExistError(`${file1} has malformed module path ${JSON.stringify(mpath1)}${suffix} at revision ${rev}`);
      }
      throw new NotExistError(`${file1} has post-${major(version)} module path ${JSON.stringify(mpath1)}${suffix} at revision ${rev}`);
    }
    if (this.codeDir === "" && (this.pathMajor === "" || this.pathMajor.startsWith("."))) {
      return { commit, dir: "" }; // implicit go.mod at the repository root: v0/v1 and gopkg.in
    }
    if (file2 !== "") throw new NotExistError(`missing ${this.pathPrefix}/go.mod and ...${this.pathMajor}/go.mod at revision ${rev}`);
    throw new NotExistError(`missing ${this.pathPrefix}/go.mod at revision ${rev}`);
  }

  /** golang.org/issue/34254: unversioned paths were accepted as replacements for gopkg.in paths. */
  #canReplaceMismatchedVersionDueToBug(mpath: string): boolean {
    return this.pathMajor === "" && mpath.startsWith("gopkg.in/");
  }

  /** #checkDownload validates a `.mod`/`.zip` version: canonical, and a valid pseudo-version. */
  async #checkDownload(version: string): Promise<ModuleDir> {
    if (version !== canonicalVersion(version)) throw this.#error(version, `version ${version} is not canonical`);
    if (isPseudoVersion(version)) await this.stat(version);
    try {
      return await this.findDir(version);
    } catch (err) {
      if (err instanceof ModuleError || !(err instanceof NotFoundError)) throw err;
      throw new ModuleError(this.modPath, version, err);
    }
  }

  /** goMod is codeRepo.GoMod: the raw go.mod, or `module <path>\n` when there is none. */
  async goMod(version: string): Promise<Uint8Array> {
    const dir = await this.#checkDownload(version);
    if (dir.gomod) return dir.gomod;
    const data = await this.view.readFile(dir.commit, joinPath(dir.dir, "go.mod"));
    return data ?? new TextEncoder().encode(this.#legacyGoMod());
  }

  /** #legacyGoMod is cmd/go's LegacyGoMod: the go.mod of a version that has none. */
  #legacyGoMod(): string {
    return `module ${autoQuote(this.modPath)}\n`;
  }

  /** zipDir is the first half of codeRepo.Zip: validates the version and finds its files. */
  zipDir(version: string): Promise<ModuleDir> {
    return this.#checkDownload(version);
  }

  /** retractedVersions reads retract directives from the latest release's go.mod. */
  #retractedVersions(): Promise<(v: string) => boolean> {
    this.#retracted ??= (async () => {
      let versions = await this.versions();
      const firstIncompatible = versions.findIndex((v) => v.endsWith("+incompatible"));
      if (firstIncompatible >= 0) versions = versions.slice(0, firstIncompatible);
      if (versions.length === 0) return () => false;
      let highest = "";
      for (let i = versions.length - 1; i >= 0; i--) {
        if (prerelease(versions[i]) === "") {
          highest = versions[i];
          break;
        }
      }
      if (highest === "") highest = versions[versions.length - 1];
      const retractions = parseRetractions(await this.goMod(highest));
      return (v: string) => retractions.some((r) => compare(r.low, v) <= 0 && compare(v, r.high) <= 0);
    })();
    return this.#retracted;
  }
}

/** isMajor reports whether mpath's major suffix is compatible with pathMajor (coderepo.go). */
function isMajor(mpath: string, pathMajor: string): boolean {
  if (mpath === "") return false;
  const split = splitPathVersion(mpath);
  if (!split.ok) return false;
  if (pathMajor === "") {
    const p = pathMajorPrefix(split.pathMajor);
    return p === "" || p === "v0" || p === "v1";
  }
  if (split.pathMajor === "") return false;
  return pathMajor.slice(1) === split.pathMajor.slice(1);
}
