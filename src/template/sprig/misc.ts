/**
 * slim-sprig's remaining functions: defaults and JSON (defaults.go), reflection (reflect.go), regular
 * expressions (regex.go, RE2 syntax translated to JavaScript), URLs (url.go), paths, and the hermetic
 * date functions (date.go; times are UTC).
 */
import { posix } from "node:path";
import { sprintf } from "../fmt.ts";
import { type FuncMap, fn, GoPanic } from "../funcs.ts";
import { formatDuration, parseDuration } from "../time.ts";
import { parseLayout } from "../timeparse.ts";
import { GoDuration, GoNumber, GoTime, isFloat, numValue, reflectKind, typeName } from "../values.ts";
import { jsonMarshal } from "../yaml.ts";
import { goRegExp, goReplace, goSplitRegex } from "./regex.ts";
import { deepEqual, empty, setKey, stringSlice, toInt64 } from "./util.ts";

/** Decodes JSON the way encoding/json does into interface{}: every number is a float64. */
export function goJsonDecode(s: string): unknown {
  const v = JSON.parse(s);
  const conv = (x: unknown): unknown => {
    if (typeof x === "number") return Number.isInteger(x) ? new GoNumber(x, "float64") : x;
    if (Array.isArray(x)) return x.map(conv);
    if (x && typeof x === "object") {
      const o: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(x)) setKey(o, k, conv(e));
      return o;
    }
    return x;
  };
  return conv(v);
}

function jsonError(s: string, e: unknown): Error {
  if (s.trim() === "") return new Error("unexpected end of JSON input");
  return new Error((e as Error).message);
}

function prettyJson(v: unknown): string {
  return jsonMarshal(v, true, "  ");
}

function rawJson(v: unknown): string {
  return jsonMarshal(v, false);
}

function cleanPath(p: string): string {
  if (p === "") return ".";
  const c = posix.normalize(p);
  return c.length > 1 ? c.replace(/\/$/, "") : c;
}

function basePath(p: string): string {
  if (p === "") return ".";
  const t = p.replace(/\/+$/, "");
  if (t === "") return "/";
  return t.slice(t.lastIndexOf("/") + 1);
}

function dirPath(p: string): string {
  const i = p.lastIndexOf("/");
  return cleanPath(p.slice(0, i + 1));
}

function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

function urlParse(v: string): Record<string, unknown> {
  const m =
    /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/(?:([^@/?#]*)@)?([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(
      v,
    );
  if (!m) throw new GoPanic(`unable to parse url: parse ${JSON.stringify(v)}: invalid URL`);
  const host = m[3] ?? "";
  let hostname = host;
  const hm = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (hm) hostname = hm[1] ?? "";
  else hostname = host.replace(/:\d*$/, "");
  let path = m[4] ?? "";
  let opaque = "";
  if (m[1] && m[3] === undefined && !path.startsWith("/")) {
    opaque = path;
    path = "";
  }
  return {
    scheme: (m[1] ?? "").toLowerCase(),
    host,
    hostname,
    path: decodeURIComponentSafe(path),
    query: m[5] ?? "",
    opaque,
    fragment: decodeURIComponentSafe(m[6] ?? ""),
    userinfo: m[2] ?? "",
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function dictGetOrEmpty(d: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(d, key)) return "";
  const v = d[key];
  if (typeof v !== "string") {
    throw new GoPanic(
      `unable to parse ${key} key, must be of type string, but ${v === null ? "invalid" : reflectKind(v)} found`,
    );
  }
  return v;
}

function urlJoin(d: Record<string, unknown> | null): string {
  const m = d ?? {};
  const scheme = dictGetOrEmpty(m, "scheme");
  const host = dictGetOrEmpty(m, "host");
  const path = dictGetOrEmpty(m, "path");
  const query = dictGetOrEmpty(m, "query");
  const opaque = dictGetOrEmpty(m, "opaque");
  const fragment = dictGetOrEmpty(m, "fragment");
  const userinfo = dictGetOrEmpty(m, "userinfo");
  let s = "";
  if (scheme) s += `${scheme}:`;
  if (opaque) s += opaque;
  else {
    if (scheme || host || userinfo) {
      if (host || path || userinfo) s += "//";
      if (userinfo) s += `${userinfo}@`;
      s += host;
    }
    if (path && !path.startsWith("/") && host) s += "/";
    s += encodeURI(path).replace(/%25/g, "%");
  }
  if (query) s += `?${query}`;
  if (fragment) s += `#${encodeURI(fragment)}`;
  return s;
}

function durationFn(sec: unknown): string {
  let n = 0;
  if (typeof sec === "string") n = /^[+-]?\d+$/.test(sec) ? Number(sec) : 0;
  else if (typeName(sec) === "int64") n = numValue(sec as number);
  return formatDuration(n * 1e9);
}

function durationRound(d0: unknown): string {
  let d = 0;
  if (typeof d0 === "string") {
    try {
      d = parseDuration(d0);
    } catch {
      d = 0;
    }
  } else if (typeName(d0) === "int64") d = numValue(d0 as number);
  else if (d0 instanceof GoTime) d = (Date.now() - d0.date.getTime()) * 1e6;
  const u = Math.abs(d);
  const hour = 3600e9;
  const units: Array<[number, string]> = [
    [hour * 24 * 365, "y"],
    [hour * 24 * 30, "mo"],
    [hour * 24, "d"],
    [hour, "h"],
    [60e9, "m"],
    [1e9, "s"],
  ];
  for (const [size, suffix] of units) if (u > size) return `${Math.floor(u / size)}${suffix}`;
  return "0s";
}

function ago(date: unknown): string {
  let t = Date.now();
  if (date instanceof GoTime) t = date.date.getTime();
  else if (typeName(date) === "int64" || typeName(date) === "int") t = numValue(date as number) * 1000;
  const ms = Date.now() - t;
  return formatDuration(Math.round(ms / 1000) * 1e9);
}

function toDate(layout: string, s: string): GoTime {
  try {
    return parseLayout(layout, s);
  } catch {
    return zeroTime();
  }
}

function mustDateModify(f: string, date: GoTime): GoTime {
  const d = parseDuration(f);
  return new GoTime(new Date(date.date.getTime() + d / 1e6), date.offsetMinutes, date.zone);
}

export function miscFuncs(): FuncMap {
  return {
    default: fn(
      ["any"],
      (d: unknown, ...given: unknown[]) => (given.length === 0 || empty(given[0]) ? d : given[0]),
      "any",
    ),
    empty: fn(["any"], empty),
    coalesce: fn([], (...v: unknown[]) => v.find((x) => !empty(x)) ?? null, "any"),
    all: fn([], (...v: unknown[]) => v.every((x) => !empty(x)), "any"),
    any: fn([], (...v: unknown[]) => v.some((x) => !empty(x)), "any"),
    ternary: fn(["any", "any", "bool"], (vt: unknown, vf: unknown, v: boolean) => (v ? vt : vf)),
    fromJson: fn(["string"], (s: string) => {
      try {
        return goJsonDecode(s);
      } catch {
        return null;
      }
    }),
    mustFromJson: fn(["string"], (s: string) => {
      try {
        return goJsonDecode(s);
      } catch (e) {
        throw jsonError(s, e);
      }
    }),
    toJson: fn(["any"], (v: unknown) => {
      try {
        return jsonMarshal(v);
      } catch {
        return "";
      }
    }),
    mustToJson: fn(["any"], (v: unknown) => jsonMarshal(v)),
    toPrettyJson: fn(["any"], (v: unknown) => {
      try {
        return prettyJson(v);
      } catch {
        return "";
      }
    }),
    mustToPrettyJson: fn(["any"], prettyJson),
    toRawJson: fn(["any"], rawJson),
    mustToRawJson: fn(["any"], rawJson),
    typeOf: fn(["any"], (v: unknown) => sprintf("%T", [v])),
    typeIs: fn(["string", "any"], (t: string, v: unknown) => t === sprintf("%T", [v])),
    typeIsLike: fn(["string", "any"], (t: string, v: unknown) => {
      const s = sprintf("%T", [v]);
      return t === s || `*${t}` === s;
    }),
    kindOf: fn(["any"], (v: unknown) => reflectKind(v)),
    kindIs: fn(["string", "any"], (t: string, v: unknown) => t === reflectKind(v)),
    deepEqual: fn(["any", "any"], deepEqual),
    base: fn(["string"], basePath),
    dir: fn(["string"], dirPath),
    clean: fn(["string"], cleanPath),
    ext: fn(["string"], extPath),
    isAbs: fn(["string"], (p: string) => p.startsWith("/")),
    osBase: fn(["string"], basePath),
    osClean: fn(["string"], cleanPath),
    osDir: fn(["string"], dirPath),
    osExt: fn(["string"], extPath),
    osIsAbs: fn(["string"], (p: string) => p.startsWith("/")),
    fail: fn(["string"], (msg: string) => {
      throw new Error(msg);
    }),
    regexMatch: fn(["string", "string"], (re: string, s: string) => {
      try {
        return goRegExp(re).test(s);
      } catch {
        return false;
      }
    }),
    mustRegexMatch: fn(["string", "string"], (re: string, s: string) => goRegExp(re).test(s)),
    regexFindAll: fn(["string", "string", "int"], (re: string, s: string, n: GoNumber) =>
      findAll(re, s, numValue(n), true),
    ),
    mustRegexFindAll: fn(["string", "string", "int"], (re: string, s: string, n: GoNumber) =>
      findAll(re, s, numValue(n), false),
    ),
    regexFind: fn(["string", "string"], (re: string, s: string) => mustCompile(re, true).exec(s)?.[0] ?? ""),
    mustRegexFind: fn(["string", "string"], (re: string, s: string) => goRegExp(re).exec(s)?.[0] ?? ""),
    regexReplaceAll: fn(["string", "string", "string"], (re: string, s: string, r: string) =>
      goReplace(mustCompile(re, true), s, r, false),
    ),
    mustRegexReplaceAll: fn(["string", "string", "string"], (re: string, s: string, r: string) =>
      goReplace(goRegExp(re), s, r, false),
    ),
    regexReplaceAllLiteral: fn(["string", "string", "string"], (re: string, s: string, r: string) =>
      goReplace(mustCompile(re, true), s, r, true),
    ),
    mustRegexReplaceAllLiteral: fn(["string", "string", "string"], (re: string, s: string, r: string) =>
      goReplace(goRegExp(re), s, r, true),
    ),
    regexSplit: fn(["string", "string", "int"], (re: string, s: string, n: GoNumber) =>
      stringSlice(goSplitRegex(mustCompile(re, true), s, numValue(n))),
    ),
    mustRegexSplit: fn(["string", "string", "int"], (re: string, s: string, n: GoNumber) =>
      stringSlice(goSplitRegex(goRegExp(re), s, numValue(n))),
    ),
    regexQuoteMeta: fn(["string"], (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")),
    urlParse: fn(["string"], urlParse),
    urlJoin: fn(["map"], urlJoin),
    ago: fn(["any"], ago),
    duration: fn(["any"], durationFn),
    durationRound: fn(["any"], durationRound),
    toDate: fn(["string", "string"], toDate),
    mustToDate: fn(["string", "string"], (l: string, s: string) => parseLayout(l, s)),
    unixEpoch: fn(["time"], (t: GoTime) => String(Math.floor(t.date.getTime() / 1000))),
    mustDateModify: fn(["string", "time"], mustDateModify),
    must_date_modify: fn(["string", "time"], mustDateModify),
  };
}

function mustCompile(re: string, panics: boolean): RegExp {
  try {
    return goRegExp(re);
  } catch (e) {
    if (panics) throw new GoPanic(`regexp: Compile(${quoteForPanic(re)}): ${(e as Error).message}`);
    throw e;
  }
}

function findAll(re: string, s: string, n: number, panics: boolean) {
  const r = mustCompile(re, panics);
  const out: string[] = [];
  if (n === 0) return stringSlice([]);
  const g = new RegExp(r.source, `${r.flags}g`);
  let prevEnd = -1;
  for (const m of s.matchAll(g)) {
    if (m[0] === "" && m.index === prevEnd) continue;
    out.push(m[0]);
    prevEnd = (m.index ?? 0) + m[0].length;
    if (n > 0 && out.length >= n) break;
  }
  return stringSlice(out);
}

export { GoDuration, isFloat, toInt64 };

/** Go's zero time.Time, 0001-01-01 00:00:00 UTC. */
function zeroTime(): GoTime {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  d.setUTCHours(0, 0, 0, 0);
  return new GoTime(d, 0, "UTC");
}

/** regexp's quote: backquoted when possible, else strconv.Quote. */
function quoteForPanic(s: string): string {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === "`" || (c < 0x20 && ch !== "\t") || c === 0x7f) return JSON.stringify(s);
  }
  return `\`${s}\``;
}
