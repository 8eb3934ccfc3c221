/** slim-sprig's list and dict functions (list.go, dict.go). */
import { type FuncMap, fn, GoPanic } from "../funcs.ts";
import { type GoNumber, isMap, mapEntries, numValue, TypedSlice, typeName } from "../values.ts";
import {
  deepEqual,
  empty,
  kindForError,
  listItems,
  nilDeref,
  setKey,
  stringSlice,
  strval,
  toInt64,
} from "./util.ts";

type Dict = Record<string, unknown>;

function listOp<T>(what: string, f: (items: unknown[]) => T): (list: unknown) => T {
  return (list: unknown) => {
    const kind = kindForError(list);
    const items = listItems(list);
    if (!items) throw new Error(`Cannot ${what} type ${kind}`);
    return f(items);
  };
}

/** Non-must variants panic with the must variant's error; Go reports both the same way. */
const push = listOp("push on", (items) => (v: unknown) => [...items, v]);
const prepend = listOp("prepend on", (items) => (v: unknown) => [v, ...items]);

function pushFn(list: unknown, v: unknown): unknown[] {
  return push(list)(v);
}
function prependFn(list: unknown, v: unknown): unknown[] {
  return prepend(list)(v);
}

const firstFn = listOp("find first on", (items) => (items.length === 0 ? null : items[0]));
const lastFn = listOp("find last on", (items) => (items.length === 0 ? null : items[items.length - 1]));
const restFn = listOp("find rest on", (items) => items.slice(1));
const initialFn = listOp("find initial on", (items) => items.slice(0, Math.max(0, items.length - 1)));
const reverseFn = listOp("find reverse on", (items) => [...items].reverse());
const compactFn = listOp("compact on", (items) => items.filter((i) => !empty(i)));
const uniqFn = listOp("find uniq on", (items) => {
  const out: unknown[] = [];
  for (const i of items) if (!out.some((o) => deepEqual(i, o))) out.push(i);
  return out;
});

function withoutFn(list: unknown, ...omit: unknown[]): unknown[] {
  return listOp("find without on", (items) => items.filter((i) => !omit.some((o) => deepEqual(i, o))))(list);
}

function hasFn(needle: unknown, haystack: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  return listOp("find has on", (items) => items.some((i) => deepEqual(needle, i)))(haystack);
}

function chunkFn(size: GoNumber, list: unknown): TypedSlice {
  const n = numValue(size);
  return listOp("chunk", (items) => {
    const l = items.length;
    const cs = Math.floor((l - 1) / n) + 1;
    if (!Number.isFinite(cs) || cs < 0) throw new GoPanic("runtime error: makeslice: len out of range");
    const out: unknown[][] = [];
    for (let i = 0; i < cs; i++) {
      let clen = n;
      if (i === cs - 1) {
        clen = Math.floor(l % n);
        if (clen === 0) clen = n;
      }
      const c: unknown[] = [];
      for (let j = 0; j < clen; j++) {
        const ix = i * n + j;
        if (ix >= l) throw new GoPanic(`reflect: slice index out of range`);
        c.push(items[ix]);
      }
      out.push(c);
    }
    return new TypedSlice(out, "[]interface {}");
  })(list);
}

function sliceFn(list: unknown, ...indices: unknown[]): unknown {
  const kind = kindForError(list);
  const items = listItems(list);
  if (!items) throw new Error(`list should be type of slice or array but ${kind}`);
  if (items.length === 0) return null;
  const start = indices.length > 0 ? toInt64(indices[0]) : 0;
  const end = indices.length < 2 ? items.length : toInt64(indices[1]);
  if (start < 0 || end < start || end > items.length)
    throw new GoPanic("reflect.Value.Slice: slice index out of bounds");
  const out = items.slice(start, end);
  return list instanceof TypedSlice ? new TypedSlice(out, list.elem) : out;
}

function concatFn(...lists: unknown[]): unknown {
  let res: unknown[] | null = null;
  for (const l of lists) {
    if (l === null || l === undefined) throw new GoPanic(nilDeref);
    const items = listItems(l);
    if (!items) throw new GoPanic(`Cannot concat type ${kindForError(l)} as list`);
    res = [...(res ?? []), ...items];
  }
  return res ?? [];
}

function sortAlpha(list: unknown): TypedSlice {
  const items = listItems(list);
  if (!items) return stringSlice([strval(list)]);
  const strs = items.filter((i) => i !== null && i !== undefined).map(strval);
  return stringSlice(strs.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

function dictFn(...v: unknown[]): Dict {
  const d: Dict = {};
  for (let i = 0; i < v.length; i += 2) {
    const key = strval(v[i]);
    setKey(d, key, i + 1 >= v.length ? "" : v[i + 1]);
  }
  return d;
}

function asDict(v: unknown): Dict {
  if (v === null || v === undefined) return {};
  return mapEntries(v as Dict);
}

function digFn(...ps: unknown[]): unknown {
  if (ps.length < 3) throw new GoPanic("dig needs at least three arguments");
  const last = ps[ps.length - 1];
  if (!isMap(last) || typeName(last) !== "map[string]interface {}") {
    throw new GoPanic(
      `interface conversion: interface {} is ${last === null || last === undefined ? "nil" : typeName(last)}, not map[string]interface {}`,
    );
  }
  const def = ps[ps.length - 2];
  const ks = ps.slice(0, -2).map((k) => {
    if (typeof k !== "string")
      throw new GoPanic(
        `interface conversion: interface {} is ${k === null || k === undefined ? "nil" : typeName(k)}, not string`,
      );
    return k;
  });
  let dict = asDict(last);
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i] as string;
    if (!Object.hasOwn(dict, k)) return def;
    const step = dict[k];
    if (i === ks.length - 1) return step;
    if (!isMap(step) || typeName(step) !== "map[string]interface {}") {
      throw new GoPanic(
        `interface conversion: interface {} is ${step === null || step === undefined ? "nil" : typeName(step)}, not map[string]interface {}`,
      );
    }
    dict = asDict(step);
  }
  return def;
}

export function listFuncs(): FuncMap {
  return {
    tuple: fn([], (...v: unknown[]) => v, "any"),
    list: fn([], (...v: unknown[]) => v, "any"),
    dict: fn([], dictFn, "any"),
    get: fn(["map", "string"], (d: Dict | null, k: string) => (d && Object.hasOwn(d, k) ? d[k] : "")),
    set: fn(["map", "string", "any"], (d: Dict | null, k: string, v: unknown) => {
      if (d === null) throw new GoPanic("assignment to entry in nil map");
      setKey(d, k, v);
      return d;
    }),
    unset: fn(["map", "string"], (d: Dict | null, k: string) => {
      if (d) delete d[k];
      return d ?? {};
    }),
    hasKey: fn(["map", "string"], (d: Dict | null, k: string) => d !== null && Object.hasOwn(d, k)),
    pluck: fn(
      ["string"],
      (k: string, ...ds: (Dict | null)[]) =>
        ds.filter((d) => d && Object.hasOwn(d, k)).map((d) => (d as Dict)[k]),
      "map",
    ),
    keys: fn([], (...ds: (Dict | null)[]) => stringSlice(ds.flatMap((d) => Object.keys(d ?? {}))), "map"),
    pick: fn(
      ["map"],
      (d: Dict | null, ...ks: string[]) => {
        const r: Dict = {};
        for (const k of ks) if (d && Object.hasOwn(d, k)) setKey(r, k, d[k]);
        return r;
      },
      "string",
    ),
    omit: fn(
      ["map"],
      (d: Dict | null, ...ks: string[]) => {
        const r: Dict = {};
        for (const [k, v] of Object.entries(d ?? {})) if (!ks.includes(k)) setKey(r, k, v);
        return r;
      },
      "string",
    ),
    values: fn(["map"], (d: Dict | null) => Object.values(d ?? {})),
    append: fn(["any", "any"], pushFn),
    push: fn(["any", "any"], pushFn),
    mustAppend: fn(["any", "any"], pushFn),
    mustPush: fn(["any", "any"], pushFn),
    prepend: fn(["any", "any"], prependFn),
    mustPrepend: fn(["any", "any"], prependFn),
    first: fn(["any"], firstFn),
    mustFirst: fn(["any"], firstFn),
    rest: fn(["any"], restFn),
    mustRest: fn(["any"], restFn),
    last: fn(["any"], lastFn),
    mustLast: fn(["any"], lastFn),
    initial: fn(["any"], initialFn),
    mustInitial: fn(["any"], initialFn),
    reverse: fn(["any"], reverseFn),
    mustReverse: fn(["any"], reverseFn),
    uniq: fn(["any"], uniqFn),
    mustUniq: fn(["any"], uniqFn),
    without: fn(["any"], withoutFn, "any"),
    mustWithout: fn(["any"], withoutFn, "any"),
    has: fn(["any", "any"], hasFn),
    mustHas: fn(["any", "any"], hasFn),
    slice: fn(["any"], sliceFn, "any"),
    mustSlice: fn(["any"], sliceFn, "any"),
    concat: fn([], concatFn, "any"),
    dig: fn([], digFn, "any"),
    chunk: fn(["int", "any"], chunkFn),
    mustChunk: fn(["int", "any"], chunkFn),
    compact: fn(["any"], compactFn),
    mustCompact: fn(["any"], compactFn),
    sortAlpha: fn(["any"], sortAlpha),
    join: fn(["string", "any"], (sep: string, v: unknown) => toStrings(v).items.join(sep)),
    toStrings: fn(["any"], toStrings),
  };
}

/** sprig's strslice. */
export function toStrings(v: unknown): TypedSlice {
  const items = listItems(v);
  if (items) {
    if (v instanceof TypedSlice && v.elem === "string") return v;
    return stringSlice(items.filter((i) => i !== null && i !== undefined).map(strval));
  }
  if (v === null || v === undefined) return stringSlice([]);
  return stringSlice([strval(v)]);
}
