/**
 * The Go value model the engine executes on. Templates see plain JSON-like JavaScript values the way Go
 * sees values decoded into `map[string]any`: objects are maps, arrays are `[]interface {}`, strings,
 * booleans, `null` is a nil interface and `undefined` is Go's invalid value ("<no value>"). A JavaScript
 * number is an int64 when it is an integer and a float64 otherwise (Kubernetes' JSON decoding); a
 * `GoNumber` carries an explicit Go type when that matters (template literals are `int`, `len` returns
 * `int`, `float64 3` is a float64 that prints as `3`).
 */

import type { GoFunc } from "./funcs.ts";

export type GoNumberType = "int" | "int64" | "float64" | "uint8" | "int32" | "time.Month" | "time.Weekday";

/** A number with an explicit Go type. */
export class GoNumber {
  readonly value: number;
  readonly type: GoNumberType;
  constructor(value: number, type: GoNumberType) {
    this.value = value;
    this.type = type;
  }
}

/** A named Go integer type with a String method (time.Month, time.Weekday): prints its name with %v/%s. */
export class GoNamedInt extends GoNumber {
  readonly name: string;
  constructor(value: number, type: GoNumberType, name: string) {
    super(value, type);
    this.name = name;
  }
}

/** A Go `time.Time` (sprig's date functions). */
export class GoTime {
  readonly date: Date;
  /** Offset from UTC in minutes (east positive) and zone abbreviation the time is shown in. */
  readonly offsetMinutes: number;
  readonly zone: string;
  constructor(date: Date, offsetMinutes = 0, zone = "UTC") {
    this.date = date;
    this.offsetMinutes = offsetMinutes;
    this.zone = zone;
  }
}

/** A Go `time.Duration`, in nanoseconds. */
export class GoDuration {
  readonly ns: number;
  constructor(ns: number) {
    this.ns = ns;
  }
}

/** A typed Go slice other than `[]interface {}` (e.g. `[]string` from splitList). */
export class TypedSlice {
  readonly items: unknown[];
  readonly elem: string;
  constructor(items: unknown[], elem: string) {
    this.items = items;
    this.elem = elem;
  }
}

/** A typed Go map other than `map[string]interface {}` (e.g. `map[string]string` from split). */
export class TypedMap {
  readonly entries: Record<string, unknown>;
  readonly elem: string;
  constructor(entries: Record<string, unknown>, elem: string) {
    this.entries = entries;
    this.elem = elem;
  }
}

/**
 * Methods of a Go value that is otherwise a map or slice (Helm's `.Files`, `.Capabilities.APIVersions`):
 * a symbol-keyed table, invisible to ranging and printing, looked up before map keys as Go looks up
 * methods before fields. `goStringer` is a String method on the pointer: the template's own printing
 * uses it (Go takes the address of an addressable field), fmt called from a function does not;
 * `goFormatted` is what fmt's %v prints instead (a struct as `{a b c}`).
 */
export const goMethods: unique symbol = Symbol("goMethods");
export const goStringer: unique symbol = Symbol("goStringer");
export const goFormatted: unique symbol = Symbol("goFormatted");

export interface GoMethodTable {
  [goMethods]?: Record<string, GoFunc>;
  [goStringer]?: () => string;
  [goFormatted]?: () => string;
}

/** The method table of a value, when it has one. */
export function methodsOf(v: unknown): Record<string, GoFunc> | undefined {
  return v !== null && typeof v === "object" ? (v as GoMethodTable)[goMethods] : undefined;
}

/** The String method of a value, when it has one. */
export function stringerOf(v: unknown): (() => string) | undefined {
  return v !== null && typeof v === "object" ? (v as GoMethodTable)[goStringer] : undefined;
}

/** How fmt's %v prints a value that is a Go struct, when it is one. */
export function formattedOf(v: unknown): (() => string) | undefined {
  return v !== null && typeof v === "object" ? (v as GoMethodTable)[goFormatted] : undefined;
}

/** A Go func value (e.g. a field access on a function identifier), only ever printed as an address. */
export type Kind =
  | "invalid"
  | "nil"
  | "bool"
  | "int"
  | "float"
  | "string"
  | "slice"
  | "map"
  | "time"
  | "duration"
  | "struct";

export function kindOf(v: unknown): Kind {
  if (v === undefined) return "invalid";
  if (v === null) return "nil";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "string":
      return "string";
    case "number":
      return isIntNumber(v) ? "int" : "float";
    case "bigint":
      return "int";
  }
  if (v instanceof GoNumber) return v.type === "float64" ? "float" : "int";
  if (Array.isArray(v) || v instanceof TypedSlice || v instanceof Uint8Array) return "slice";
  if (v instanceof GoTime) return "time";
  if (v instanceof GoDuration) return "duration";
  if (v instanceof TypedMap) return "map";
  if (typeof v === "object") return "map";
  return "struct";
}

/** Go's type name, as `%T` prints it. */
export function typeName(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "string":
      return "string";
    case "number":
      return isIntNumber(v) ? "int64" : "float64";
    case "bigint":
      return "int64";
  }
  if (v instanceof GoNumber) return v.type;
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof TypedSlice) return `[]${v.elem}`;
  if (v instanceof Uint8Array) return "[]uint8";
  if (v instanceof GoTime) return "time.Time";
  if (v instanceof GoDuration) return "time.Duration";
  if (v instanceof TypedMap) return `map[string]${v.elem}`;
  return "map[string]interface {}";
}

/** Go's reflect.Kind name (sprig's kindOf). */
export function reflectKind(v: unknown): string {
  if (v === undefined || v === null) return "invalid";
  const t = typeName(v);
  if (t.startsWith("[]")) return "slice";
  if (t.startsWith("map[")) return "map";
  if (t === "time.Time") return "struct";
  if (t === "time.Duration") return "int64";
  return t;
}

export function isNumber(v: unknown): v is number | GoNumber {
  return typeof v === "number" || v instanceof GoNumber;
}

export function numValue(v: number | GoNumber): number {
  return typeof v === "number" ? v : v.value;
}

/** A plain number is an int64 when integral and within int64's range (Kubernetes' JSON decoding). */
export function isIntNumber(v: number): boolean {
  return Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63;
}

export function isFloat(v: unknown): boolean {
  return (typeof v === "number" && !isIntNumber(v)) || (v instanceof GoNumber && v.type === "float64");
}

export function isInt(v: unknown): boolean {
  return (typeof v === "number" && isIntNumber(v)) || (v instanceof GoNumber && v.type !== "float64");
}

export function isSlice(v: unknown): v is unknown[] | TypedSlice {
  return Array.isArray(v) || v instanceof TypedSlice;
}

export function sliceItems(v: unknown[] | TypedSlice | Uint8Array): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof TypedSlice) return v.items;
  return Array.from(v, (b) => new GoNumber(b, "uint8"));
}

export function isMap(v: unknown): v is Record<string, unknown> | TypedMap {
  return kindOf(v) === "map";
}

export function mapEntries(v: Record<string, unknown> | TypedMap): Record<string, unknown> {
  return v instanceof TypedMap ? v.entries : v;
}

/** Keys in Go's map order for printing and ranging (sorted). */
export function sortedKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m).sort(compareStrings);
}

/** Byte-wise string comparison, as Go compares strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order differs from UTF-8 byte order only for surrogate pairs vs U+E000..U+FFFF.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Go's template truthiness: false, 0, nil, and empty strings, slices and maps are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case "boolean":
      return v;
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
  }
  if (v instanceof GoNumber) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof TypedSlice) return v.items.length > 0;
  if (v instanceof Uint8Array) return v.length > 0;
  if (v instanceof TypedMap) return Object.keys(v.entries).length > 0;
  if (v instanceof GoDuration) return v.ns !== 0;
  if (v instanceof GoTime) return true;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** A Go-typed int result. */
export function goInt(n: number): GoNumber {
  return new GoNumber(n, "int");
}

export function goFloat(n: number): number | GoNumber {
  return Number.isInteger(n) ? new GoNumber(n, "float64") : n;
}

/** Wraps a JS integer as a Go int64 (plain numbers are int64 when integral). */
export function goInt64(n: number): number {
  return n;
}

/** Truncates toward zero, like Go's int conversion of a float. */
export function truncInt(n: number): number {
  return n < 0 ? Math.ceil(n) : Math.floor(n);
}
