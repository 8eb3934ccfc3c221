/** slim-sprig's math and conversion functions (numeric.go). */
import { sprint } from "../fmt.ts";
import { type FuncMap, fn, GoPanic } from "../funcs.ts";
import { type GoNumber, numValue } from "../values.ts";
import { float, int, intSlice, toFloat64, toInt64 } from "./util.ts";

function untilStep(start: number, stop: number, step: number): number[] {
  const v: number[] = [];
  if (stop < start) {
    if (step >= 0) return v;
    for (let i = start; i > stop; i += step) v.push(i);
    return v;
  }
  if (step <= 0) return v;
  for (let i = start; i < stop; i += step) v.push(i);
  return v;
}

function seq(...params: GoNumber[]): string {
  const p = params.map((x) => numValue(x));
  let inc = 1;
  switch (p.length) {
    case 0:
      return "";
    case 1: {
      const start = 1;
      const end = p[0] as number;
      if (end < start) inc = -1;
      return untilStep(start, end + inc, inc).join(" ");
    }
    case 3: {
      const [start = 0, step = 0, end = 0] = p;
      if (end < start) {
        inc = -1;
        if (step > 0) return "";
      }
      return untilStep(start, end + inc, step).join(" ");
    }
    case 2: {
      const [start = 0, end = 0] = p;
      const step = end < start ? -1 : 1;
      return untilStep(start, end + step, step).join(" ");
    }
  }
  return "";
}

/** Go's int64 arithmetic wraps; JavaScript numbers are exact up to 2^53, which templates stay within. */
function i64(n: number): number {
  if (Number.isSafeInteger(n)) return n;
  return Number(BigInt.asIntN(64, BigInt(Math.trunc(n))));
}

function round(a: unknown, p: GoNumber, ...rOpt: unknown[]): number | GoNumber {
  const roundOn = rOpt.length > 0 ? toFloat64(rOpt[0]) : 0.5;
  const val = toFloat64(a);
  const pow = 10 ** numValue(p);
  const digit = pow * val;
  const div = digit - Math.trunc(digit);
  const r = div >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return goF(r / pow);
}

function goF(n: number): number | GoNumber {
  return Number.isInteger(n) ? float(n) : n;
}

function toDecimal(v: unknown): number {
  const s = sprint([v]);
  if (!/^[+-]?[0-7]+$/.test(s)) return 0;
  return Number.parseInt(s, 8);
}

export function numericFuncs(): FuncMap {
  return {
    int64: fn(["any"], (v: unknown) => {
      // Keep int64 values past 2^53 exact.
      if (typeof v === "string" && /^[+-]?\d+$/.test(v)) {
        const n = BigInt(v);
        if (n <= 9223372036854775807n && n >= -9223372036854775808n && !Number.isSafeInteger(Number(n)))
          return n;
      }
      return toInt64(v);
    }),
    int: fn(["any"], (v: unknown) => int(toInt64(v))),
    float64: fn(["any"], (v: unknown) => goF(toFloat64(v))),
    seq: fn([], seq, "int"),
    toDecimal: fn(["any"], toDecimal),
    until: fn(["int"], (c: GoNumber) => {
      const n = numValue(c);
      return intSlice(untilStep(0, n, n < 0 ? -1 : 1));
    }),
    untilStep: fn(["int", "int", "int"], (a: GoNumber, b: GoNumber, c: GoNumber) =>
      intSlice(untilStep(numValue(a), numValue(b), numValue(c))),
    ),
    add1: fn(["any"], (i: unknown) => i64(toInt64(i) + 1)),
    add: fn([], (...i: unknown[]) => i.reduce<number>((a, b) => i64(a + toInt64(b)), 0), "any"),
    sub: fn(["any", "any"], (a: unknown, b: unknown) => i64(toInt64(a) - toInt64(b))),
    div: fn(["any", "any"], (a: unknown, b: unknown) => {
      const d = toInt64(b);
      if (d === 0) throw new GoPanic("runtime error: integer divide by zero");
      return Math.trunc(toInt64(a) / d);
    }),
    mod: fn(["any", "any"], (a: unknown, b: unknown) => {
      const d = toInt64(b);
      if (d === 0) throw new GoPanic("runtime error: integer divide by zero");
      return toInt64(a) % d;
    }),
    mul: fn(
      ["any"],
      (a: unknown, ...v: unknown[]) => v.reduce<number>((x, b) => i64(x * toInt64(b)), toInt64(a)),
      "any",
    ),
    randInt: fn(["int", "int"], (min: GoNumber, max: GoNumber) => {
      const lo = numValue(min);
      const span = numValue(max) - lo;
      if (span <= 0) throw new GoPanic("invalid argument to Intn");
      return int(lo + Math.floor(Math.random() * span));
    }),
    biggest: fn(
      ["any"],
      (a: unknown, ...i: unknown[]) => i.reduce<number>((x, b) => Math.max(x, toInt64(b)), toInt64(a)),
      "any",
    ),
    max: fn(
      ["any"],
      (a: unknown, ...i: unknown[]) => i.reduce<number>((x, b) => Math.max(x, toInt64(b)), toInt64(a)),
      "any",
    ),
    min: fn(
      ["any"],
      (a: unknown, ...i: unknown[]) => i.reduce<number>((x, b) => Math.min(x, toInt64(b)), toInt64(a)),
      "any",
    ),
    maxf: fn(
      ["any"],
      (a: unknown, ...i: unknown[]) =>
        goF(i.reduce<number>((x, b) => Math.max(x, toFloat64(b)), toFloat64(a))),
      "any",
    ),
    minf: fn(
      ["any"],
      (a: unknown, ...i: unknown[]) =>
        goF(i.reduce<number>((x, b) => Math.min(x, toFloat64(b)), toFloat64(a))),
      "any",
    ),
    ceil: fn(["any"], (a: unknown) => goF(Math.ceil(toFloat64(a)))),
    floor: fn(["any"], (a: unknown) => goF(Math.floor(toFloat64(a)))),
    round: fn(["any", "int"], round, "float64"),
  };
}
