/** slim-sprig's string functions (strings.go, crypto.go, encoding). */
import { createHash } from "node:crypto";
import { quoteGo, sprintf } from "../fmt.ts";
import { type FuncMap, fn, GoPanic } from "../funcs.ts";
import { type GoNumber, numValue } from "../values.ts";
import { int, stringMap, stringSlice, strval } from "./util.ts";

function bytesOf(s: string): Buffer {
  return Buffer.from(s, "utf8");
}

function trunc(c: GoNumber, s: string): string {
  const n = numValue(c);
  const b = bytesOf(s);
  if (n < 0 && b.length + n > 0) return b.subarray(b.length + n).toString("utf8");
  if (n >= 0 && b.length > n) return b.subarray(0, n).toString("utf8");
  return s;
}

function substr(start: GoNumber, end: GoNumber, s: string): string {
  const a = numValue(start);
  const e = numValue(end);
  const b = bytesOf(s);
  if (a < 0) {
    if (e > b.length || e < 0)
      throw new GoPanic(`runtime error: slice bounds out of range [:${e}] with length ${b.length}`);
    return b.subarray(0, e).toString("utf8");
  }
  if (e < 0 || e > b.length) {
    if (a > b.length) throw new GoPanic(`runtime error: slice bounds out of range [${a}:${b.length}]`);
    return b.subarray(a).toString("utf8");
  }
  if (a > e) throw new GoPanic(`runtime error: slice bounds out of range [${a}:${e}]`);
  return b.subarray(a, e).toString("utf8");
}

/** strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const c of s) {
    const sep = isSeparator(prev);
    out += sep ? toTitle(c) : c;
    prev = c;
  }
  return out;
}

function toTitle(c: string): string {
  const special: Record<string, string> = { ǆ: "ǅ", ǉ: "ǈ", ǌ: "ǋ", ǳ: "ǲ", ǅ: "ǅ", ǈ: "ǈ", ǋ: "ǋ", ǲ: "ǲ" };
  return special[c] ?? runeUpper(c);
}

/** unicode.ToUpper per rune: a letter whose uppercase is several runes (ß → SS) stays as it is. */
function runeUpper(c: string): string {
  const u = c.toUpperCase();
  return [...u].length === 1 ? u : c;
}

export function goUpper(s: string): string {
  return [...s].map(runeUpper).join("");
}

export function goLower(s: string): string {
  return [...s].map((c) => [...c.toLowerCase()][0] ?? c).join("");
}

function isSeparator(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  if (cp <= 0x7f) {
    if (/[0-9a-zA-Z_]/.test(c)) return false;
    return true;
  }
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c);
}

const spaceRe =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

export function trimSpace(s: string): string {
  return s.replace(spaceRe, "");
}

/** strings.Trim(s, cutset). */
export function trimCutset(s: string, cutset: string): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a] as string)) a++;
  while (b > a && set.has(chars[b - 1] as string)) b--;
  return chars.slice(a, b).join("");
}

/** strings.Split(s, sep), including Go's empty-separator rune split. */
export function goSplit(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const runes = [...s];
    if (n < 0 || n >= runes.length) return runes;
    return [...runes.slice(0, n - 1), runes.slice(n - 1).join("")];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function splitMap(parts: string[]) {
  const m: Record<string, string> = {};
  parts.forEach((p, i) => {
    m[`_${i}`] = p;
  });
  return stringMap(m);
}

function indent(spaces: GoNumber, v: string): string {
  const n = numValue(spaces);
  if (n < 0) throw new GoPanic("strings: negative Repeat count");
  const pad = " ".repeat(n);
  return pad + v.replaceAll("\n", `\n${pad}`);
}

function b32encode(s: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = bytesOf(s);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

function b32decode(s: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const clean = s.replace(/[\r\n]/g, "");
  if (clean.length % 8 !== 0) return `illegal base32 data at input byte ${clean.length - (clean.length % 8)}`;
  const stripped = clean.replace(/=+$/, "");
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (let i = 0; i < stripped.length; i++) {
    const idx = alphabet.indexOf(stripped[i] as string);
    if (idx < 0) return `illegal base32 data at input byte ${i}`;
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out).toString("utf8");
}

function b64decode(s: string): string {
  const clean = s.replace(/[\r\n]/g, "");
  const bad = /[^A-Za-z0-9+/=]/.exec(clean);
  if (bad) return `illegal base64 data at input byte ${bad.index}`;
  if (clean.length % 4 !== 0)
    return `illegal base64 data at input byte ${clean.length - (clean.length % 4) + (clean.length % 4 === 1 ? 0 : clean.length % 4 === 0 ? 0 : 0)}`;
  const eq = clean.indexOf("=");
  if (eq >= 0 && !/^=+$/.test(clean.slice(eq))) return `illegal base64 data at input byte ${eq}`;
  return Buffer.from(clean, "base64").toString("utf8");
}

function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of bytesOf(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

export function stringFuncs(): FuncMap {
  return {
    hello: fn([], () => "Hello!"),
    trunc: fn(["int", "string"], trunc),
    trim: fn(["string"], trimSpace),
    upper: fn(["string"], goUpper),
    lower: fn(["string"], goLower),
    title: fn(["string"], title),
    substr: fn(["int", "int", "string"], substr),
    repeat: fn(["int", "string"], (c: GoNumber, s: string) => {
      if (numValue(c) < 0) throw new GoPanic("strings: negative Repeat count");
      return s.repeat(numValue(c));
    }),
    trimall: fn(["string", "string"], (a: string, b: string) => trimCutset(b, a)),
    trimAll: fn(["string", "string"], (a: string, b: string) => trimCutset(b, a)),
    trimSuffix: fn(["string", "string"], (a: string, b: string) =>
      a !== "" && b.endsWith(a) ? b.slice(0, b.length - a.length) : b,
    ),
    trimPrefix: fn(["string", "string"], (a: string, b: string) =>
      a !== "" && b.startsWith(a) ? b.slice(a.length) : b,
    ),
    contains: fn(["string", "string"], (sub: string, s: string) => s.includes(sub)),
    hasPrefix: fn(["string", "string"], (sub: string, s: string) => s.startsWith(sub)),
    hasSuffix: fn(["string", "string"], (sub: string, s: string) => s.endsWith(sub)),
    quote: fn(
      [],
      (...a: unknown[]) =>
        a
          .filter((x) => x !== null && x !== undefined)
          .map((x) => quoteGo(strval(x)))
          .join(" "),
      "any",
    ),
    squote: fn(
      [],
      (...a: unknown[]) =>
        a
          .filter((x) => x !== null && x !== undefined)
          .map((x) => `'${sprintf("%v", [x])}'`)
          .join(" "),
      "any",
    ),
    cat: fn(
      [],
      (...a: unknown[]) => {
        const v = a.filter((x) => x !== null && x !== undefined);
        return sprintf(v.map(() => "%v").join(" "), v);
      },
      "any",
    ),
    indent: fn(["int", "string"], indent),
    nindent: fn(["int", "string"], (n: GoNumber, v: string) => `\n${indent(n, v)}`),
    replace: fn(["string", "string", "string"], (o: string, n: string, s: string) =>
      o === "" ? goReplaceEmpty(s, n) : s.replaceAll(o, n),
    ),
    plural: fn(["string", "string", "int"], (one: string, many: string, c: GoNumber) =>
      numValue(c) === 1 ? one : many,
    ),
    sha1sum: fn(["string"], (s: string) => createHash("sha1").update(s, "utf8").digest("hex")),
    sha256sum: fn(["string"], (s: string) => createHash("sha256").update(s, "utf8").digest("hex")),
    adler32sum: fn(["string"], adler32),
    toString: fn(["any"], strval),
    split: fn(["string", "string"], (sep: string, s: string) => splitMap(goSplit(s, sep))),
    splitList: fn(["string", "string"], (sep: string, s: string) => stringSlice(goSplit(s, sep))),
    splitn: fn(["string", "int", "string"], (sep: string, n: GoNumber, s: string) =>
      splitMap(goSplit(s, sep, numValue(n))),
    ),
    b64enc: fn(["string"], (s: string) => bytesOf(s).toString("base64")),
    b64dec: fn(["string"], b64decode),
    b32enc: fn(["string"], b32encode),
    b32dec: fn(["string"], b32decode),
    atoi: fn(["string"], (s: string) => {
      if (!/^[+-]?\d+$/.test(s)) return int(0);
      // strconv.Atoi saturates out-of-range values (the error is ignored by sprig).
      const n = BigInt(s);
      if (n > 9223372036854775807n) return 9223372036854775807n;
      if (n < -9223372036854775808n) return -9223372036854775808n;
      return int(Number(n));
    }),
  };
}

function goReplaceEmpty(s: string, n: string): string {
  const runes = [...s];
  return n + runes.join(n) + (runes.length > 0 ? n : "");
}
