/** Conversions slim-sprig uses everywhere: strval, toInt64, toFloat64, empty, DeepEqual, list access. */
import { sprintf } from "../fmt.ts";
import { formatDuration, formatTime } from "../time.ts";
import {
  GoDuration,
  GoNumber,
  GoTime,
  isFloat,
  isMap,
  isNumber,
  isSlice,
  kindOf,
  mapEntries,
  numValue,
  reflectKind,
  sliceItems,
  TypedMap,
  TypedSlice,
  truncInt,
  typeName,
} from "../values.ts";

export const nilDeref = "runtime error: invalid memory address or nil pointer dereference";

/** sprig's strval: strings as-is, everything else through fmt %v. */
export function strval(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  if (v instanceof GoTime) return formatTime(v);
  if (v instanceof GoDuration) return formatDuration(v.ns);
  return sprintf("%v", [v]);
}

function parseIntStrict(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return Number(n);
}

export function toInt64(v: unknown): number {
  if (typeof v === "string") return parseIntStrict(v) ?? 0;
  if (typeof v === "bigint") return Number(v);
  if (isNumber(v)) return isFloat(v) ? floatToInt64(numValue(v)) : numValue(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof GoDuration) return v.ns;
  return 0;
}

/** Go's int64(f) on amd64: out-of-range values and NaN become math.MinInt64. */
export function floatToInt64(f: number): number {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return -(2 ** 63);
  return truncInt(f);
}

export function toFloat64(v: unknown): number {
  if (typeof v === "string") {
    const f = parseGoFloat(v);
    return f ?? 0;
  }
  if (typeof v === "bigint") return Number(v);
  if (isNumber(v)) return numValue(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof GoDuration) return v.ns;
  return 0;
}

/** strconv.ParseFloat for decimal strings (plus inf/nan spellings). */
export function parseGoFloat(s: string): number | undefined {
  const t = s.replace(/^\+/, "");
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && !/^-?\d+(_\d+)*$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ""));
}

/** sprig's empty: nil, false, 0, "", and empty collections. */
export function empty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return v.length === 0;
  if (typeof v === "boolean") return !v;
  if (typeof v === "bigint") return v === 0n;
  if (isNumber(v)) return numValue(v) === 0;
  if (isSlice(v) || v instanceof Uint8Array) return sliceItems(v).length === 0;
  if (v instanceof GoDuration) return v.ns === 0;
  if (v instanceof GoTime) return false;
  if (isMap(v)) return Object.keys(mapEntries(v)).length === 0;
  return false;
}

/** reflect.DeepEqual over the value model (types must match). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeName(a) !== typeName(b)) return false;
  if (isSlice(a) && isSlice(b)) {
    const x = sliceItems(a);
    const y = sliceItems(b);
    return x.length === y.length && x.every((e, i) => deepEqual(e, y[i]));
  }
  if (isMap(a) && isMap(b)) {
    const x = mapEntries(a);
    const y = mapEntries(b);
    const kx = Object.keys(x);
    return (
      kx.length === Object.keys(y).length && kx.every((k) => Object.hasOwn(y, k) && deepEqual(x[k], y[k]))
    );
  }
  if (isNumber(a) && isNumber(b)) return numValue(a) === numValue(b);
  if (a instanceof GoTime && b instanceof GoTime) return a.date.getTime() === b.date.getTime();
  if (a instanceof GoDuration && b instanceof GoDuration) return a.ns === b.ns;
  return a === b;
}

/** The reflect.Kind name sprig puts in "Cannot X on type K" errors; nil panics like reflect.TypeOf(nil).Kind(). */
export function kindForError(v: unknown): string {
  if (v === null || v === undefined) throw new Error(nilDeref);
  return reflectKind(v);
}

/** Items of a slice argument, or undefined if the value is not a slice. */
export function listItems(v: unknown): unknown[] | undefined {
  if (isSlice(v) || v instanceof Uint8Array) return sliceItems(v);
  return undefined;
}

export function stringSlice(items: string[]): TypedSlice {
  return new TypedSlice(items, "string");
}

export function intSlice(items: number[]): TypedSlice {
  return new TypedSlice(
    items.map((i) => new GoNumber(i, "int")),
    "int",
  );
}

export function stringMap(entries: Record<string, string>): TypedMap {
  return new TypedMap(entries, "string");
}

export function asMap(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  return mapEntries(v as Record<string, unknown>);
}

export function isStringKind(v: unknown): boolean {
  return kindOf(v) === "string";
}

/** A Go int result. */
export function int(n: number): GoNumber {
  return new GoNumber(n, "int");
}

/** A Go float64 result. */
export function float(n: number): GoNumber | number {
  return new GoNumber(n, "float64");
}

/** Sets an own property, even for keys like "__proto__" that plain assignment would not store. */
export function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
