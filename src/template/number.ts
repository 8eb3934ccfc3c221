/**
 * Number literals of the template language, as Go's parser reads them: ints in every base with
 * underscores, floats (decimal and hex), rune constants, and which of int/uint/float each fits.
 */
import type { ItemType } from "./lex.ts";
import type { NumberValue } from "./node.ts";
import { unquoteGo } from "./unquote.ts";

/** A malformed number literal; the parser reports it as `template: NAME:LINE: MESSAGE`. */
export class NumberSyntaxError extends Error {
  override name = "NumberSyntaxError";
}

function fail(msg: string): never {
  throw new NumberSyntaxError(msg);
}

export function parseNumber(text: string, type: ItemType): NumberValue {
  const n: NumberValue = {
    isInt: false,
    isUint: false,
    isFloat: false,
    isComplex: false,
    int: 0n,
    float: 0,
    text,
  };
  if (type === "charConstant") {
    let r = "";
    try {
      r = unquoteGo(text);
    } catch (e) {
      if (!/^'(\\.|[^\\'])/u.test(text)) fail((e as Error).message);
      fail(`malformed character constant: ${text}`);
    }
    const cp = BigInt(r.codePointAt(0) ?? 0);
    n.int = cp;
    n.isInt = true;
    n.isUint = true;
    n.isFloat = true;
    n.float = Number(cp);
    return n;
  }
  if (type === "complex" || text.endsWith("i")) {
    // Complex constants are accepted by Go but have no use in Ferry's data model.
    fail(`complex constants are not supported: ${JSON.stringify(text)}`);
  }
  const i = parseGoInt(text);
  if (i !== undefined) {
    if (i >= 0n && i < 1n << 64n) n.isUint = true;
    if (i >= -(1n << 63n) && i < 1n << 63n) n.isInt = true;
    n.int = i;
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else {
    const f = parseGoFloat(text);
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) fail(`integer overflow: ${JSON.stringify(text)}`);
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
        n.isInt = true;
        n.int = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        n.isUint = true;
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) fail(`illegal number syntax: ${JSON.stringify(text)}`);
  return n;
}
function parseGoInt(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  let digits: string;
  let base: number;
  if (/^0[xX]/.test(s)) {
    base = 16;
    digits = s.slice(2);
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    digits = s.slice(2);
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    digits = s.slice(2);
  } else if (/^0[0-9_]/.test(s)) {
    base = 8;
    digits = s.slice(1);
  } else {
    base = 10;
    digits = s;
  }
  if (digits.includes("_")) {
    if (!/^_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/.test(digits)) return undefined;
    if (base === 10 && digits.startsWith("_")) return undefined;
    digits = digits.replace(/_/g, "");
  }
  if (digits === "") return base === 8 && s === "0" ? 0n : undefined;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[
    base as 2 | 8 | 10 | 16
  ];
  if (!valid.test(digits)) return undefined;
  const prefix = { 2: "0b", 8: "0o", 10: "", 16: "0x" }[base as 2 | 8 | 10 | 16];
  const v = BigInt(prefix + digits);
  return neg ? -v : v;
}

function parseGoFloat(text: string): number | undefined {
  // Go accepts underscores only between digits (or after a base prefix).
  if (text.includes("_") && (/__|_$|_[.eEpP]|[.eEpP]_|^[+-]?_/.test(text) || !/^[+-]?0[xXbBoO]/.test(text))) {
    if (!/^[+-]?\d+(_\d+)*(\.\d+(_\d+)*)?([eE][+-]?\d+(_\d+)*)?$/.test(text)) return undefined;
  }
  let s = text.replace(/_/g, "");
  if (/^[+-]?0[xX]/.test(s)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s);
    if (!m) return undefined;
    const mant = Number.parseInt((m[2] ?? "") + (m[3] ?? "") || "0", 16) / 16 ** (m[3] ?? "").length;
    const v = mant * 2 ** Number(m[4]);
    return m[1] === "-" ? -v : v;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  s = s.replace(/^\+/, "");
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}
