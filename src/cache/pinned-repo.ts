/**
 * pinnedCodeRepo: a version's module, read from the commit it was pinned to
 * rather than from where its tag points now.
 *
 * When a tag moves or disappears after its version was served, and the
 * cached bytes are gone (evicted, a new cache), the proxy rebuilds from the
 * pinned commit. It does so by showing the resolver the repository with the
 * version's tag put back on the pinned commit, then running the resolver
 * unchanged: `.info` (time, Origin), `.mod` and `.zip` come out exactly as
 * they did the first time, because they are computed by the same code from
 * the same objects.
 *
 * Pseudo-versions name their commit, so they cannot be re-pointed; if one no
 * longer resolves (rewritten history) and nothing is cached, it is gone.
 * A pinned commit the repository no longer has (garbage-collected after a
 * force-push) is gone too: 410, never different content.
 */

import { findCause, GoneError, ModuleError, NotFoundError } from "../errors.ts";
import { isPseudoVersion } from "../module/pseudo.ts";
import { CodeRepo } from "../resolve/code-repo.ts";
import { GitView } from "../resolve/git.ts";
import type { Refs, Repository } from "../sources/source.ts";

/**
 * pinnedCodeRepo returns a CodeRepo for module whose tag for version points
 * at commit, or throws ModuleError(GoneError) when that cannot be.
 *
 * @example await pinnedCodeRepo(repo, code, "example.com/m", "v1.0.0", pin.commit)
 * Edge case: for a module in a subdirectory the tag is `<dir>/v1.0.0`, as the resolver reads it.
 */
export async function pinnedCodeRepo(
  repo: Repository,
  code: CodeRepo,
  module: string,
  version: string,
  commit: string,
): Promise<CodeRepo> {
  const gone = (reason: string) =>
    new ModuleError(module, version, new GoneError(`${reason}; the content served before is no longer available`));
  if (isPseudoVersion(version)) throw gone(`pseudo-version no longer resolves to pinned commit ${commit}`);
  try {
    await repo.prepare?.(commit, { history: false });
    const obj = await repo.readObject(commit);
    if (obj.type !== "commit") throw new NotFoundError(`object ${commit} is a ${obj.type}`);
  } catch (err) {
    if (findCause(err, NotFoundError)) throw gone(`pinned commit ${commit} is no longer in the repository`);
    throw err;
  }
  const base = version.endsWith("+incompatible") ? version.slice(0, -"+incompatible".length) : version;
  const tag = `refs/tags/${code.codeDir === "" ? "" : code.codeDir + "/"}${base}`;
  const pinned: Repository = {
    root: repo.root,
    url: repo.url,
    key: repo.key,
    readObject: (oid) => repo.readObject(oid),
    prepare: repo.prepare ? (c, options) => repo.prepare!(c, options) : undefined,
    async refs(): Promise<Refs> {
      const refs = await repo.refs();
      const byName = new Map(refs.byName);
      byName.set(tag, { oid: commit, peeled: commit });
      return { head: refs.head, byName };
    },
  };
  return new CodeRepo(await GitView.open(pinned), repo.root, module);
}
