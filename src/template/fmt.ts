/**
 * Go's `fmt` formatting (Sprint, Sprintln, Sprintf) over the engine's value model: the verbs templates use
 * (`%v %s %d %q %x %X %o %b %c %U %e %E %f %F %g %G %t %T %%`), flags `+ - # space 0`, width and precision
 * (including `*`), maps printed with sorted keys, slices element by element, and Go's error strings for
 * missing (`%!d(MISSING)`), extra (`%!(EXTRA …)`) and mismatched (`%!z(int=1)`) operands.
 * Not supported: `%#v` Go-syntax output of composite values (printed as `%v`), explicit argument indexes.
 */

import { formatFloat, hexFloat, quoteGo } from "./strconv.ts";
import { formatDuration, formatTime } from "./time.ts";
import {
  formattedOf,
  type GoDuration,
  GoNamedInt,
  GoNumber,
  type GoTime,
  isFloat,
  isInt,
  kindOf,
  mapEntries,
  numValue,
  sliceItems,
  sortedKeys,
  type TypedMap,
  TypedSlice,
  typeName,
} from "./values.ts";

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const noSpec: Spec = {
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  width: undefined,
  prec: undefined,
};

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(a, "v", noSpec);
  }
  return out;
}

/** fmt.Sprintln: spaces between all operands and a trailing newline. */
export function sprintln(args: unknown[]): string {
  return `${args.map((a) => formatValue(a, "v", noSpec)).join(" ")}\n`;
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  const n = format.length;
  let reordered = false;
  let goodArgNum = true;
  /** An explicit argument index [n] at i: moves argi; returns whether one was there. */
  const argNumber = (): boolean => {
    if (format[i] !== "[") return false;
    reordered = true;
    const close = format.indexOf("]", i);
    if (close < 0) {
      goodArgNum = false;
      i += 1;
      return false;
    }
    const num = format.slice(i + 1, close);
    i = close + 1;
    const idx = /^\d+$/.test(num) ? Number(num) - 1 : -1;
    if (idx >= 0 && idx < args.length) {
      argi = idx;
      return true;
    }
    goodArgNum = false;
    return true;
  };
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...noSpec };
    goodArgNum = true;
    flags: while (i < n) {
      switch (format[i]) {
        case "+":
          spec.plus = true;
          break;
        case "-":
          spec.minus = true;
          spec.zero = false;
          break;
        case "#":
          spec.sharp = true;
          break;
        case " ":
          spec.space = true;
          break;
        case "0":
          spec.zero = !spec.minus;
          break;
        default:
          break flags;
      }
      i++;
    }
    let afterIndex = argNumber();
    if (format[i] === "*") {
      i++;
      afterIndex = false;
      const w = args[argi++];
      if (isInt(w)) {
        spec.width = numValue(w as number);
        if (spec.width < 0) {
          spec.minus = true;
          spec.zero = false;
          spec.width = -spec.width;
        }
      } else out += "%!(BADWIDTH)";
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
        if (afterIndex) goodArgNum = false;
      }
    }
    if (format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      afterIndex = argNumber();
      if (format[i] === "*") {
        i++;
        afterIndex = false;
        const p = args[argi++];
        if (isInt(p) && numValue(p as number) >= 0) spec.prec = numValue(p as number);
        else out += "%!(BADPREC)";
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (!afterIndex) afterIndex = argNumber();
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatValue(args[argi++], verb, spec);
  }
  if (!reordered && argi < args.length) {
    out += "%!(EXTRA ";
    out += args
      .slice(argi)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatValue(a, "v", noSpec)}`))
      .join(", ");
    out += ")";
  }
  return out;
}

function badVerb(v: unknown, verb: string, spec: Spec = noSpec): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, "v", spec)})`;
}

function pad(s: string, spec: Spec, zeroOk = true, signAware = false): string {
  if (spec.width === undefined) return s;
  const len = [...s].length;
  if (len >= spec.width) return s;
  const fill = spec.width - len;
  if (spec.minus) return s + " ".repeat(fill);
  if (spec.zero && zeroOk) {
    // Numbers keep their sign in front of the zeros; strings are padded as they are.
    const sign = signAware && /^[+\- ]/.test(s) ? (s[0] as string) : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  return " ".repeat(fill) + s;
}

/** Formats one operand with one verb. */
export function formatValue(v: unknown, verb: string, spec: Spec): string {
  if (verb === "T") return pad(typeName(v), spec, false);
  if (verb === "p") return badVerb(v, verb, spec);
  if (verb === "v" && spec.sharp) return pad(goSyntax(v, true), spec, false);
  // fmt calls String() on Stringers for %v %s %q %x %X.
  if (v instanceof GoNamedInt && "vsqxX".includes(verb)) return formatString(v.name, verb, spec);
  const formatted = formattedOf(v);
  if (formatted && (verb === "v" || verb === "s")) return pad(formatted(), spec, false);
  const kind = kindOf(v);
  switch (kind) {
    case "invalid":
    case "nil":
      if (verb === "v") return pad("<nil>", spec, false);
      return badVerb(v, verb, spec);
    case "bool":
      if (verb === "v" || verb === "t") return pad(String(v), spec);
      return badVerb(v, verb, spec);
    case "int":
      return formatInt(v, verb, spec);
    case "float":
      return formatFloatVerb(v, verb, spec);
    case "string":
      return formatString(v as string, verb, spec);
    case "slice":
      return formatSlice(v, verb, spec);
    case "map":
      return formatMap(v as Record<string, unknown> | TypedMap, verb, spec);
    case "time":
      if (verb === "v" || verb === "s") return pad(formatTime(v as GoTime), spec, false);
      return badVerb(v, verb, spec);
    case "duration":
      if (verb === "v" || verb === "s") return pad(formatDuration((v as GoDuration).ns), spec, false);
      return formatInt((v as GoDuration).ns, verb, spec);
    default:
      return pad(String(v), spec);
  }
}

/** An element held in an interface slot: a nil prints as <nil> whatever the verb. */
function formatElem(v: unknown, verb: string, spec: Spec): string {
  if ((v === null || v === undefined) && verb !== "T") return "<nil>";
  return formatValue(v, verb, spec);
}

function formatSlice(v: unknown, verb: string, spec: Spec): string {
  if (v instanceof Uint8Array && (verb === "s" || verb === "q" || verb === "x" || verb === "X")) {
    return formatString(new TextDecoder().decode(v), verb, spec);
  }
  if (
    v instanceof TypedSlice &&
    v.elem === "uint8" &&
    (verb === "s" || verb === "q" || verb === "x" || verb === "X")
  ) {
    return formatString(
      new TextDecoder().decode(Uint8Array.from(v.items, (b) => numValue(b as number))),
      verb,
      spec,
    );
  }
  const items = sliceItems(v as unknown[]);
  return `[${items.map((e) => formatElem(e, verb, spec)).join(" ")}]`;
}

function formatMap(v: Record<string, unknown> | TypedMap, verb: string, spec: Spec): string {
  const m = mapEntries(v);
  const parts = sortedKeys(m).map((k) => `${formatValue(k, verb, spec)}:${formatElem(m[k], verb, spec)}`);
  return `map[${parts.join(" ")}]`;
}

function formatString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case "v":
    case "s": {
      const t = spec.prec !== undefined ? [...s].slice(0, spec.prec).join("") : s;
      return pad(t, spec);
    }
    case "q": {
      const t = spec.prec !== undefined ? [...s].slice(0, spec.prec).join("") : s;
      if (spec.sharp && canBackquote(t)) return pad(`\`${t}\``, spec);
      return pad(quoteGo(t, spec.plus), spec);
    }
    case "x":
    case "X": {
      let bytes = new TextEncoder().encode(s);
      if (spec.prec !== undefined) bytes = bytes.slice(0, spec.prec);
      let hex = "";
      for (let i = 0; i < bytes.length; i++) {
        if (spec.space && i > 0) hex += " ";
        if (spec.sharp && (spec.space || i === 0)) hex += "0x";
        hex += (bytes[i] ?? 0).toString(16).padStart(2, "0");
      }
      return pad(verb === "X" ? hex.toUpperCase() : hex, spec);
    }
  }
  return badVerb(s, verb, spec);
}

function intOf(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  return BigInt(Math.trunc(numValue(v as number)));
}

function formatInt(v: unknown, verb: string, spec: Spec): string {
  const n = intOf(v);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  let digits: string;
  let prefix = "";
  switch (verb) {
    case "v":
    case "d":
      digits = abs.toString(10);
      break;
    case "b":
      digits = abs.toString(2);
      if (spec.sharp) prefix = "0b";
      break;
    case "o":
      digits = abs.toString(8);
      if (spec.sharp) prefix = "0";
      break;
    case "O":
      digits = abs.toString(8);
      prefix = "0o";
      break;
    case "x":
      digits = abs.toString(16);
      if (spec.sharp) prefix = "0x";
      break;
    case "X":
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = "0X";
      break;
    case "c":
      return pad(String.fromCodePoint(validRune(n)), spec);
    case "q":
      return pad(quoteRune(Number(n)), spec);
    case "U": {
      let s = `U+${BigInt.asUintN(64, n).toString(16).toUpperCase().padStart(4, "0")}`;
      if (spec.sharp) s += ` '${String.fromCodePoint(Number(n))}'`;
      return pad(s, spec);
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      return badVerb(v, verb, spec);
    default:
      return badVerb(v, verb, spec);
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && n === 0n) digits = "";
    digits = digits.padStart(spec.prec, "0");
  }
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  const body = prefix + digits;
  if (spec.zero && spec.prec === undefined && spec.width !== undefined && !spec.minus) {
    const fill = spec.width - sign.length - body.length;
    if (fill > 0) return sign + prefix + "0".repeat(fill) + digits;
  }
  return pad(sign + body, { ...spec, zero: false });
}

function validRune(n: bigint): number {
  if (n < 0n || n > 0x10ffffn || (n >= 0xd800n && n <= 0xdfffn)) return 0xfffd;
  return Number(n);
}

function quoteRune(c0: number): string {
  const c = validRune(BigInt(c0));
  const ch = String.fromCodePoint(c);
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  const q = quoteGo(ch);
  return `'${q.slice(1, -1)}'`;
}

function formatFloatVerb(v: unknown, verb: string, spec: Spec): string {
  const f = numValue(v as number);
  switch (verb) {
    case "v":
      return padFloat(formatFloat(f, "g", spec.prec ?? -1, spec.sharp), f, spec);
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      return padFloat(
        formatFloat(f, verb, spec.prec ?? (verb === "g" || verb === "G" ? -1 : 6), spec.sharp),
        f,
        spec,
      );
    case "x":
    case "X": {
      const h = hexFloat(f, spec.prec ?? -1);
      return padFloat(verb === "X" ? h.toUpperCase() : h, f, spec);
    }
  }
  return badVerb(v, verb, spec);
}

function padFloat(s: string, f: number, spec: Spec): string {
  let t = s;
  if (!t.startsWith("-") && !t.startsWith("+")) {
    if (spec.plus) t = `+${t}`;
    else if (spec.space) t = ` ${t}`;
  }
  if (!Number.isFinite(f)) {
    if (Number.isNaN(f) && !spec.plus && !spec.space) t = "NaN";
    return pad(t, spec, false);
  }
  return pad(t, spec, true, true);
}

export type { Spec };
export const defaultSpec: Spec = noSpec;

export function isGoNumber(v: unknown): v is GoNumber {
  return v instanceof GoNumber;
}

export { isFloat, quoteGo };

function canBackquote(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === "`" || (c < 0x20 && ch !== "\t") || c === 0x7f || c === 0xfeff) return false;
  }
  return true;
}

/** %#v: a Go-syntax representation of the value. */
function goSyntax(v: unknown, top: boolean): string {
  if (v === null || v === undefined) return top ? "<nil>" : "interface {}(nil)";
  const kind = kindOf(v);
  switch (kind) {
    case "string":
      return quoteGo(v as string);
    case "bool":
      return String(v);
    case "int":
      return formatInt(v, "d", noSpec);
    case "float": {
      const f = numValue(v as number);
      const g = formatFloat(f, "g", -1);
      return /[.eEnN]/.test(g) ? g : `${g}`;
    }
    case "slice": {
      const items = sliceItems(v as unknown[]);
      return `${typeName(v)}{${items.map((e) => goSyntax(e, false)).join(", ")}}`;
    }
    case "map": {
      const m = mapEntries(v as Record<string, unknown> | TypedMap);
      const parts = sortedKeys(m).map((k) => `${quoteGo(k)}:${goSyntax(m[k], false)}`);
      return `${typeName(v)}{${parts.join(", ")}}`;
    }
  }
  return formatValue(v, "v", noSpec);
}
