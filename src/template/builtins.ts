/**
 * Go's predefined template functions: and, or, not, len, index, slice, eq, ne, lt, le, gt, ge, print,
 * printf, println, html, js, urlquery — with Go's comparison rules (basic kinds only, int/uint mixing) and
 * error texts. `call` is not provided (Ferry's data has no function values).
 */
import { Boxed, dig } from "./exec.ts";
import { sprint, sprintf, sprintln } from "./fmt.ts";
import { type FuncMap, fn, GoPanic } from "./funcs.ts";
import {
  GoNumber,
  isMap,
  isSlice,
  kindOf,
  mapEntries,
  numValue,
  sliceItems,
  TypedMap,
  TypedSlice,
  truth,
  typeName,
} from "./values.ts";

type BasicKind = "invalid" | "bool" | "int" | "uint" | "float" | "string";

function basicKind(v: unknown): BasicKind {
  if (v instanceof GoNumber && v.type === "uint8") return "uint";
  const k = kindOf(v);
  switch (k) {
    case "bool":
    case "int":
    case "float":
    case "string":
      return k;
    case "duration":
      return "int";
  }
  return "invalid";
}

function num(v: unknown): number {
  if (v instanceof GoNumber || typeof v === "number") return numValue(v);
  return 0;
}

/** indirectInterface: unwraps an interface slot; a nil inside becomes invalid. */
function ind(v: unknown): unknown {
  return dig(v);
}

function typeOfValue(v: unknown): string {
  return v instanceof Boxed ? "interface {}" : typeName(v);
}

function eq(a1: unknown, ...rest: unknown[]): boolean {
  const arg1 = ind(a1);
  if (rest.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const a of rest) {
    const arg = ind(a);
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (k1 === "int" && k2 === "uint") t = num(arg1) >= 0 && num(arg1) === num(arg);
      else if (k1 === "uint" && k2 === "int") t = num(arg) >= 0 && num(arg1) === num(arg);
      else if (arg1 !== undefined && arg !== undefined) {
        throw new Error(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg)}`);
      }
    } else {
      switch (k1) {
        case "bool":
        case "string":
          t = arg1 === arg;
          break;
        case "int":
        case "uint":
        case "float":
          t = num(arg1) === num(arg);
          break;
        default: {
          const n1 = arg1 === undefined || arg1 === null;
          const n2 = arg === undefined || arg === null;
          if (!n1 && !n2 && kindOf(arg1) !== kindOf(arg)) {
            throw new Error(
              `non-comparable types ${sprintf("%s", [arg1])}: ${typeName(arg1)}, ${typeName(arg)}: ${sprintf("%v", [arg])}`,
            );
          }
          if (n1 || n2) t = n1 === n2;
          else throw new Error(`non-comparable type ${sprintf("%s", [arg])}: ${typeName(arg)}`);
        }
      }
    }
    if (t) return true;
  }
  return false;
}

function lt(a1: unknown, a2: unknown): boolean {
  const arg1 = ind(a1);
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw new Error("invalid type for comparison");
  const arg2 = ind(a2);
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw new Error("invalid type for comparison");
  if (k1 !== k2) {
    if (k1 === "int" && k2 === "uint") return num(arg1) < 0 || num(arg1) < num(arg2);
    if (k1 === "uint" && k2 === "int") return num(arg2) >= 0 && num(arg1) < num(arg2);
    throw new Error(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg2)}`);
  }
  switch (k1) {
    case "bool":
      throw new Error("invalid type for comparison");
    case "string":
      return compareBytes(arg1 as string, arg2 as string) < 0;
    default:
      return num(arg1) < num(arg2);
  }
}

function compareBytes(a: string, b: string): number {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return Buffer.compare(x, y);
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

function indexArg(index: unknown, cap: number): number {
  const k = basicKind(index);
  if (index === undefined || index === null) throw new Error("cannot index slice/array with nil");
  if (k !== "int" && k !== "uint") throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  const x = num(index);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item0: unknown, ...indexes: unknown[]): unknown {
  let item = ind(item0);
  if (item === undefined) throw new Error("index of untyped nil");
  for (const i0 of indexes) {
    const ix = ind(i0);
    if (item instanceof Boxed) item = item.value;
    if (item === null) throw new Error("index of nil pointer");
    if (typeof item === "string") {
      const bytes = Buffer.from(item, "utf8");
      const x = indexArg(ix, bytes.length);
      if (x >= bytes.length) throw new GoPanic("reflect: string index out of range");
      item = new GoNumber(bytes[x] as number, "uint8");
    } else if (isSlice(item) || item instanceof Uint8Array) {
      const items = sliceItems(item);
      const x = indexArg(ix, items.length);
      if (x >= items.length) throw new GoPanic("reflect: slice index out of range");
      item = Array.isArray(item) ? new Boxed(items[x]) : items[x];
    } else if (isMap(item)) {
      if (ix === undefined || ix === null) throw new Error("value is nil; should be of type string");
      if (typeof ix !== "string") throw new Error(`value has type ${typeName(ix)}; should be string`);
      const m = mapEntries(item);
      const typed = item instanceof TypedMap;
      if (Object.hasOwn(m, ix)) item = typed ? m[ix] : new Boxed(m[ix]);
      else item = typed ? zeroValue((item as TypedMap).elem) : new Boxed(null);
    } else {
      throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function zeroValue(elem: string): unknown {
  if (elem === "string") return "";
  if (elem === "bool") return false;
  if (elem === "int") return new GoNumber(0, "int");
  if (elem === "int64") return 0;
  return null;
}

function slice(item0: unknown, ...indexes: unknown[]): unknown {
  const item = ind(item0);
  if (item === undefined) throw new Error("slice of untyped nil");
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let bytes: Buffer | undefined;
  let items: unknown[] | undefined;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new Error("cannot 3-index slice a string");
    bytes = Buffer.from(item, "utf8");
    len = bytes.length;
  } else if (isSlice(item)) {
    items = sliceItems(item);
    len = items.length;
  } else throw new Error(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, len];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ind(ix), len);
  });
  const [a = 0, b = len, c = len] = idx;
  if (a > b) throw new Error(`invalid slice index: ${a} > ${b}`);
  if (indexes.length === 3 && b > c) throw new Error(`invalid slice index: ${b} > ${c}`);
  if (bytes) return bytes.subarray(a, b).toString("utf8");
  const out = (items as unknown[]).slice(a, b);
  return item instanceof TypedSlice ? new TypedSlice(out, item.elem) : out;
}

function length(v: unknown): GoNumber {
  if (v === undefined) throw new GoPanic("reflect: call of reflect.Value.Type on zero Value");
  const x = v instanceof Boxed ? v.value : v;
  if (x === null) throw new Error("len of nil pointer");
  if (typeof x === "string") return new GoNumber(Buffer.byteLength(x, "utf8"), "int");
  if (isSlice(x) || x instanceof Uint8Array) return new GoNumber(sliceItems(x).length, "int");
  if (isMap(x)) return new GoNumber(Object.keys(mapEntries(x)).length, "int");
  throw new Error(`len of type ${typeOfValue(x)}`);
}

function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? "<no value>" : a)));
}

export function htmlEscape(s: string): string {
  let out = "";
  for (const c of s) {
    if (c === "<") out += "&lt;";
    else if (c === ">") out += "&gt;";
    else if (c === "&") out += "&amp;";
    else if (c === "'") out += "&#39;";
    else if (c === '"') out += "&#34;";
    else if (c === "\0") out += "\uFFFD";
    else out += c;
  }
  return out;
}

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
        out += "\\u003C";
        continue;
      case ">":
        out += "\\u003E";
        continue;
      case "&":
        out += "\\u0026";
        continue;
      case "=":
        out += "\\u003D";
        continue;
    }
    if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (c < 0x80) out += ch;
    else if (
      /[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]/u.test(ch) &&
      c !== 0xa0 &&
      !(c >= 0x2000 && c <= 0x200a) &&
      c !== 0x3000 &&
      c !== 0x1680 &&
      c !== 0x202f &&
      c !== 0x205f
    )
      out += ch;
    else if (c > 0xffff) out += `\\u${c.toString(16).toUpperCase()}`;
    else out += `\\u${c.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function builtins(): FuncMap {
  return {
    and: fn(
      ["value"],
      (a: unknown, ...r: unknown[]) => [a, ...r].find((x) => !truth(dig(x))) ?? r[r.length - 1] ?? a,
      "value",
    ),
    or: fn(
      ["value"],
      (a: unknown, ...r: unknown[]) => [a, ...r].find((x) => truth(dig(x))) ?? r[r.length - 1] ?? a,
      "value",
    ),
    not: fn(["value"], (a: unknown) => !truth(dig(a))),
    len: fn(["value"], length),
    index: fn(["value"], index, "value"),
    slice: fn(["value"], slice, "value"),
    eq: fn(["value"], eq, "value"),
    ne: fn(["value", "value"], (a: unknown, b: unknown) => !eq(a, b)),
    lt: fn(["value", "value"], lt),
    le: fn(["value", "value"], le),
    gt: fn(["value", "value"], (a: unknown, b: unknown) => !le(a, b)),
    ge: fn(["value", "value"], (a: unknown, b: unknown) => !lt(a, b)),
    print: fn([], (...a: unknown[]) => sprint(a), "any"),
    printf: fn(["string"], (f: string, ...a: unknown[]) => sprintf(f, a), "any"),
    println: fn([], (...a: unknown[]) => sprintln(a), "any"),
    html: fn([], (...a: unknown[]) => htmlEscape(evalArgs(a)), "any"),
    js: fn([], (...a: unknown[]) => jsEscape(evalArgs(a)), "any"),
    urlquery: fn([], (...a: unknown[]) => queryEscape(evalArgs(a)), "any"),
  };
}
