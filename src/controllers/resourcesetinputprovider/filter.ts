/**
 * Tag selection of an OCIArtifactTag provider, as flux-operator filters: `includeTag`/`excludeTag` regular
 * expressions, then with `semver` only the tags that are versions (strict MAJOR.MINOR.PATCH, optional `v`)
 * satisfying the constraint, highest first (equal versions keep the registry's order), else all tags in
 * descending text order; at most `limit` (default 100).
 */
import { compare, parseConstraint, parseVersion, type Version } from "../../semver/index.ts";

export const DEFAULT_LIMIT = 100;

export interface TagFilter {
  includeTag?: string | undefined;
  excludeTag?: string | undefined;
  semver?: string | undefined;
  limit?: number | undefined;
}

export interface CompiledTagFilter {
  include?: RegExp;
  exclude?: RegExp;
  semver?: ReturnType<typeof parseConstraint>;
  limit: number;
}

/** Compiles the filter; throws a message naming the invalid field (the caller wraps it). */
export function compileTagFilter(f: TagFilter | undefined): CompiledTagFilter {
  const out: CompiledTagFilter = { limit: f?.limit && f.limit > 0 ? f.limit : DEFAULT_LIMIT };
  const rx = (field: string, src: string) => {
    try {
      return new RegExp(src, "u");
    } catch (err) {
      throw new Error(`invalid ${field} regex: ${(err as Error).message}`, { cause: err });
    }
  };
  if (f?.includeTag) out.include = rx("includeTag", f.includeTag);
  if (f?.excludeTag) out.exclude = rx("excludeTag", f.excludeTag);
  if (f?.semver) {
    try {
      out.semver = parseConstraint(f.semver);
    } catch (err) {
      throw new Error(`invalid semver expression: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

export function filterTags(tags: readonly string[], f: CompiledTagFilter): string[] {
  let out = tags.filter((t) => (!f.include || f.include.test(t)) && !f.exclude?.test(t));
  if (f.semver) {
    const c = f.semver;
    const parsed: Array<{ tag: string; v: Version; i: number }> = [];
    for (const [i, tag] of out.entries()) {
      const v = parseVersion(tag);
      if (v && c.check(v)) parsed.push({ tag, v, i });
    }
    parsed.sort((a, b) => compare(b.v, a.v) || a.i - b.i);
    out = parsed.map((p) => p.tag);
  } else {
    out = [...out].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  }
  return out.slice(0, f.limit);
}
