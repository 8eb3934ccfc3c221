/** Semantic versions as Flux reads them (Masterminds/semver v3 ordering rules). */
import { UsageError } from "../errors/index.ts";

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers joined by dots, "" when none. */
  readonly prerelease: string;
  /** Build metadata, "" when none; ignored when comparing. */
  readonly metadata: string;
  /** The text the version was parsed from (e.g. "v1.2.3"). */
  readonly original: string;
}

export class InvalidVersionError extends UsageError {
  override name = "InvalidVersionError";
  readonly version: string;
  constructor(version: string, why: string) {
    super(`"${version}" is not a semantic version (${why}); use MAJOR.MINOR.PATCH such as 1.2.3 or v1.2.3`);
    this.version = version;
  }
}

const identifier = "[0-9A-Za-z-]+";
const dotted = `${identifier}(?:\\.${identifier})*`;
const lenientRe = new RegExp(`^v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?(?:-(${dotted}))?(?:\\+(${dotted}))?$`);
const strictRe = new RegExp(
  `^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(?:-(${dotted}))?(?:\\+(${dotted}))?$`,
);

function numericPrereleaseOk(pre: string): boolean {
  return pre.split(".").every((p) => !/^[0-9]+$/.test(p) || p === "0" || !p.startsWith("0"));
}

function segment(s: string | undefined): number {
  return s ? Number(s.replace(/^\./, "")) : 0;
}

/**
 * Lenient parse, like Masterminds' NewVersion: optional "v", missing minor/patch are 0.
 * Throws InvalidVersionError.
 */
export function parseLenient(text: string): Version {
  const m = lenientRe.exec(text);
  if (!m) throw new InvalidVersionError(text, "does not match MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]");
  const prerelease = m[4] ?? "";
  if (!numericPrereleaseOk(prerelease)) {
    throw new InvalidVersionError(text, "numeric pre-release identifiers must not have leading zeros");
  }
  const v = { major: segment(m[1]), minor: segment(m[2]), patch: segment(m[3]) };
  for (const n of Object.values(v)) {
    if (!Number.isSafeInteger(n)) throw new InvalidVersionError(text, "a number is too large");
  }
  return { ...v, prerelease, metadata: m[5] ?? "", original: text };
}

/**
 * Flux's rule for tags (fluxcd/pkg/version.ParseVersion): strict MAJOR.MINOR.PATCH with no leading zeros,
 * with an optional leading "v". Returns undefined for anything else (such tags are skipped, not errors).
 */
export function parseVersion(text: string): Version | undefined {
  const m = strictRe.exec(text.startsWith("v") ? text.slice(1) : text);
  if (!m) return undefined;
  const prerelease = m[4] ?? "";
  if (!numericPrereleaseOk(prerelease)) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = Number(m[3]);
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  return { major, minor, patch, prerelease, metadata: m[5] ?? "", original: text };
}

function comparePart(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return /^[0-9]+$/.test(b) ? -1 : 1;
  if (b === "") return /^[0-9]+$/.test(a) ? 1 : -1;
  const an = /^[0-9]+$/.test(a);
  const bn = /^[0-9]+$/.test(b);
  if (an && bn) return BigInt(a) > BigInt(b) ? 1 : -1;
  if (an) return -1;
  if (bn) return 1;
  return a > b ? 1 : -1;
}

export function comparePrerelease(a: string, b: string): number {
  const ap = a.split(".");
  const bp = b.split(".");
  for (let i = 0; i < Math.max(ap.length, bp.length); i++) {
    const d = comparePart(ap[i] ?? "", bp[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

/** -1, 0 or 1; build metadata is ignored and a pre-release sorts before its release. */
export function compare(a: Version, b: Version): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === "") return 1;
  if (b.prerelease === "") return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

export function format(v: Version): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.prerelease) s += `-${v.prerelease}`;
  if (v.metadata) s += `+${v.metadata}`;
  return s;
}
