/**
 * Semantic versions and constraints with Flux's semantics.
 *
 * Tags are read as Flux's source-controller reads them (strict MAJOR.MINOR.PATCH, optional "v"), and
 * constraints follow Masterminds/semver v3, the library behind `OCIRepository.spec.ref.semver`,
 * `flux list artifacts --semver` and sprig's `semverCompare`. This module only parses, compares and
 * selects; it does not talk to registries.
 */
import { Constraint, InvalidConstraintError, parseConstraint } from "./constraint.ts";
import { compare, format, InvalidVersionError, parseLenient, parseVersion, type Version } from "./version.ts";

export type { Version };
export {
  Constraint,
  compare,
  format,
  InvalidConstraintError,
  InvalidVersionError,
  parseConstraint,
  parseLenient,
  parseVersion,
};

/** Whether `version` (Flux tag rules) satisfies `constraint`; false for tags that are not versions. */
export function satisfies(version: string, constraint: string | Constraint): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  const c = typeof constraint === "string" ? parseConstraint(constraint) : constraint;
  return c.check(v);
}

/** Tags that are versions, highest first; equal versions keep a stable order by tag text. */
export function sortTagsDescending(tags: Iterable<string>): Array<{ tag: string; version: Version }> {
  const out: Array<{ tag: string; version: Version }> = [];
  for (const tag of tags) {
    const version = parseVersion(tag);
    if (version) out.push({ tag, version });
  }
  return out.sort((a, b) => compare(b.version, a.version) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

/** The highest tag that satisfies the constraint, as source-controller picks for `ref.semver`. */
export function maxSatisfying(
  tags: Iterable<string>,
  constraint: string | Constraint,
): { tag: string; version: Version } | undefined {
  const c = typeof constraint === "string" ? parseConstraint(constraint) : constraint;
  return sortTagsDescending(tags).find((t) => c.check(t.version));
}
