/**
 * Values merging with Helm's rules (chartutil's coalesce): user values over chart defaults, key by key and
 * table by table; a null user value deletes the default (when coalescing, not when merging); a subchart's
 * values live under its name in the parent's and see the parent's `global` table merged into their own.
 * Values are plain JSON data; nothing here mutates its inputs.
 */
import type { Chart } from "./chart.ts";

export type Values = Record<string, unknown>;

export function isTable(v: unknown): v is Values {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function deepCopy<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** The values a chart renders with: `vals` (user values) coalesced over the chart's and subcharts' defaults. */
export function coalesceValues(chart: Chart, vals: Values | null | undefined): Values {
  return coalesce(chart, deepCopy(vals ?? {}), "", false);
}

/** As coalesceValues, but null user values are kept (Helm's MergeValues, used for import-values). */
export function mergeValues(chart: Chart, vals: Values | null | undefined): Values {
  return coalesce(chart, deepCopy(vals ?? {}), "", true);
}

function coalesce(chart: Chart, dest: Values, prefix: string, merge: boolean): Values {
  coalesceChartValues(chart, dest, merge);
  return coalesceDeps(chart, dest, prefix, merge);
}

function coalesceDeps(chart: Chart, dest: Values, prefix: string, merge: boolean): Values {
  for (const sub of chart.dependencies) {
    const name = sub.metadata.name;
    if (!Object.hasOwn(dest, name)) dest[name] = {};
    else if (!isTable(dest[name])) {
      throw new TypeError(`type mismatch on ${name}: values for subchart ${name} must be a map`);
    }
    const dv = dest[name] as Values;
    const subPrefix = prefix === "" ? chart.metadata.name : `${prefix}.${chart.metadata.name}`;
    coalesceGlobals(dv, dest);
    dest[name] = coalesce(sub, dv, subPrefix, merge);
  }
  return dest;
}

function coalesceGlobals(dest: Values, src: Values): void {
  let dg: Values;
  let sg: Values;
  if (!Object.hasOwn(dest, "global")) dg = {};
  else if (isTable(dest.global)) dg = dest.global;
  else return;
  if (!Object.hasOwn(src, "global")) sg = {};
  else if (isTable(src.global)) sg = src.global;
  else return;
  for (const [key, val] of Object.entries(sg)) {
    if (isTable(val)) {
      const vv: Values = { ...val };
      if (!Object.hasOwn(dg, key)) dg[key] = vv;
      else if (isTable(dg[key])) {
        coalesceTables(vv, dg[key] as Values, true);
        dg[key] = vv;
      }
    } else if (Object.hasOwn(dg, key) && isTable(dg[key])) {
      // A table in the subchart's globals is not replaced by a scalar.
    } else {
      dg[key] = val;
    }
  }
  dest.global = dg;
}

function coalesceChartValues(chart: Chart, v: Values, merge: boolean): void {
  const defaults = deepCopy(chart.values);
  for (const [key, val] of Object.entries(defaults)) {
    if (Object.hasOwn(v, key)) {
      const value = v[key];
      if (value === null && !merge) delete v[key];
      else if (isTable(value)) {
        if (isTable(val)) {
          const childMerge = chart.dependencies.some((d) => d.metadata.name === key) || merge;
          coalesceTables(value, val, childMerge);
        }
      }
    } else {
      v[key] = val;
    }
  }
}

/** Copies src's keys missing from dst into dst, recursively (Helm's CoalesceTables / MergeTables). */
export function coalesceTables(dst: Values, src: Values, merge = false): Values {
  const srcNonNil = new Set(Object.keys(src).filter((k) => src[k] !== null));
  for (const [k, v] of Object.entries(dst)) if (v === null) src[k] = null;
  for (const [key, val] of Object.entries(src)) {
    const has = Object.hasOwn(dst, key);
    const dv = dst[key];
    if (has && !merge && dv === null && srcNonNil.has(key)) delete dst[key];
    else if (!has) dst[key] = val;
    else if (isTable(val)) {
      if (isTable(dv)) coalesceTables(dv, val, merge);
    }
  }
  return dst;
}

/**
 * Merges maps as Helm merges several values files and --set flags (and Flux its values sources): maps
 * merge key by key, anything else in `over` replaces what `base` had. Returns a new map.
 */
export function mergeMaps(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isTable(v) && isTable(b) ? mergeMaps(b, v) : v;
  }
  return out;
}

/** The value at a dotted path of tables (`a.b.c`), or undefined. */
export function pathValue(vals: Values, path: string): unknown {
  let cur: unknown = vals;
  for (const part of path.split(".")) {
    if (!isTable(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** The table at a dotted path, or undefined when a step is missing or not a table. */
export function table(vals: Values, path: string): Values | undefined {
  const v = path === "" ? vals : pathValue(vals, path);
  return isTable(v) ? v : undefined;
}
