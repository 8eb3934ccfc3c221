/**
 * Version constraints with the semantics Flux uses (Masterminds/semver v3): `||` separates alternatives,
 * commas or spaces join conditions, operators `= != > < >= => <= =< ~ ~> ^`, wildcards `x X *`, hyphen
 * ranges `1.2 - 1.4.5`, and pre-releases match only conditions that name a pre-release themselves.
 */
import { UsageError } from "../errors/index.ts";
import { compare, comparePrerelease, parseLenient, type Version } from "./version.ts";

export class InvalidConstraintError extends UsageError {
  override name = "InvalidConstraintError";
  readonly constraint: string;
  constructor(constraint: string, part: string) {
    super(
      `semver constraint "${constraint}" is not valid at "${part.trim()}"; use forms such as ">=1.0.0 <2.0.0", "~1.2", "^1.2.3", "1.x" or "1.0.0 - 1.4.0"`,
    );
    this.constraint = constraint;
  }
}

const ops = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
// The version part of a condition; `|` inside the class is literal, as upstream has it.
const cv =
  "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?" +
  "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?" +
  "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
const cvGroups = 9;
const conditionRe = new RegExp(`^\\s*(${ops})\\s*(${cv})\\s*$`);
const rangeRe = new RegExp(`\\s*(${cv})\\s+-\\s+(${cv})\\s*`, "g");
const findRe = new RegExp(`(${ops})\\s*(${cv})`, "g");
const validRe = new RegExp(`^(\\s*(${ops})\\s*(${cv})\\s*)((?:\\s+|,\\s*)(${ops})\\s*(${cv})\\s*)*$`);

type Op = "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^";

interface Condition {
  op: Op;
  /** The version text as written (e.g. "1.x"). */
  orig: string;
  con: Version;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (s: string | undefined) => s === "x" || s === "X" || s === "*";

function parseCondition(text: string, whole: string): Condition {
  if (text.length === 0) {
    return {
      op: "",
      orig: "",
      con: parseLenient("0.0.0"),
      dirty: true,
      minorDirty: false,
      patchDirty: false,
    };
  }
  const m = conditionRe.exec(text);
  if (!m) throw new InvalidConstraintError(whole, text);
  const op = m[1] as Op;
  const orig = m[2] ?? "";
  const major = m[3] ?? "";
  const minor = m[4] ?? "";
  const patch = m[5] ?? "";
  const pre = m[6] ?? "";
  let ver = orig;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === "") {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(minor.slice(1)) || minor === "") {
    ver = `${major}.0.0${pre}`;
    dirty = minorDirty = true;
  } else if (isX(patch.slice(1)) || patch === "") {
    ver = `${major}${minor}.0${pre}`;
    dirty = patchDirty = true;
  }
  let con: Version;
  try {
    con = parseLenient(ver);
  } catch {
    throw new InvalidConstraintError(whole, text);
  }
  return { op, orig, con, dirty, minorDirty, patchDirty };
}

function rewriteRanges(c: string): string {
  return c.replace(rangeRe, (_all, lo: string, ...rest: string[]) => `>= ${lo}, <= ${rest[cvGroups]}`);
}

/** A parsed constraint. `check` tells whether a version satisfies it. */
export class Constraint {
  readonly text: string;
  readonly #alternatives: Condition[][];

  constructor(text: string) {
    this.text = text;
    this.#alternatives = rewriteRanges(text)
      .split("||")
      .map((alt) => {
        if (!validRe.test(alt)) throw new InvalidConstraintError(text, alt);
        const found = alt.match(findRe) ?? [alt];
        return found.map((s) => parseCondition(s, text));
      });
  }

  check(v: Version): boolean {
    return this.#alternatives.some((conds) => conds.every((c) => satisfiesCondition(v, c)));
  }
}

export function parseConstraint(text: string): Constraint {
  return new Constraint(text);
}

function satisfiesCondition(v: Version, c: Condition): boolean {
  // A pre-release satisfies only conditions that name a pre-release themselves.
  if (v.prerelease !== "" && c.con.prerelease === "") return false;
  switch (c.op) {
    case "":
    case "=":
      return c.dirty ? tilde(v, c) : compare(v, c.con) === 0;
    case "!=":
      return notEqual(v, c);
    case ">":
      return greater(v, c);
    case "<":
      return compare(v, c.con) < 0;
    case ">=":
    case "=>":
      return compare(v, c.con) >= 0;
    case "<=":
    case "=<":
      return lessOrEqual(v, c);
    case "~":
    case "~>":
      return tilde(v, c);
    case "^":
      return caret(v, c);
  }
}

function notEqual(v: Version, c: Condition): boolean {
  if (c.dirty) {
    if (c.con.major !== v.major) return true;
    if (c.minorDirty) return false;
    if (c.con.minor !== v.minor) return true;
    if (c.patchDirty) {
      if (v.prerelease !== "" || c.con.prerelease !== "")
        return comparePrerelease(v.prerelease, c.con.prerelease) !== 0;
      return false;
    }
  }
  return compare(v, c.con) !== 0;
}

function greater(v: Version, c: Condition): boolean {
  if (!c.dirty) return compare(v, c.con) > 0;
  if (v.major !== c.con.major) return v.major > c.con.major;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > c.con.minor;
  return compare(v, c.con) > 0;
}

function lessOrEqual(v: Version, c: Condition): boolean {
  if (!c.dirty) return compare(v, c.con) <= 0;
  if (v.major > c.con.major) return false;
  if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
  return true;
}

function tilde(v: Version, c: Condition): boolean {
  if (compare(v, c.con) < 0) return false;
  const { major, minor, patch } = c.con;
  if (major === 0 && minor === 0 && patch === 0 && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== major) return false;
  if (v.minor !== minor && !c.minorDirty) return false;
  return true;
}

function caret(v: Version, c: Condition): boolean {
  if (compare(v, c.con) < 0) return false;
  if (c.con.major > 0 || c.minorDirty) return v.major === c.con.major;
  if (v.major > 0) return false;
  if (c.con.minor > 0 || c.patchDirty) return v.minor === c.con.minor;
  if (v.minor > 0) return false;
  return v.patch === c.con.patch;
}
