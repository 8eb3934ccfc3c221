/**
 * Functions of full Masterminds/sprig that Helm charts use and slim-sprig (Ferry's "sprig" library)
 * leaves out: merge/mergeOverwrite/deepCopy (mergo semantics), random strings, uuidv4, now/date,
 * case conversions, wrap, abbrev, float arithmetic, sha512sum, semver. Certificate and password
 * functions (genCA, genPrivateKey, bcrypt, htpasswd, derivePassword, encryptAES…) exist so a chart
 * parses, and fail with a clear message when called.
 */
import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto";
import { parseLenient } from "../semver/index.ts";
import { type FuncMap, fn } from "./funcs.ts";
import { empty, strval, toFloat64 } from "./sprig/util.ts";
import { formatLayout } from "./time.ts";
import { GoNumber, GoTime, isMap, mapEntries, numValue } from "./values.ts";

function isTable(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && isMap(v);
}

/** mergo.Merge: fills what dst lacks (or holds empty) from src, maps recursively; overwrite replaces non-empty too. */
function mergo(dst: Record<string, unknown>, src: Record<string, unknown>, overwrite: boolean): void {
  for (const [k, sv] of Object.entries(src)) {
    const dv = dst[k];
    if (isTable(sv) && isTable(dv)) {
      mergo(mapEntries(dv), mapEntries(sv), overwrite);
      continue;
    }
    if (sv === null || sv === undefined) continue;
    if (!Object.hasOwn(dst, k) || empty(dv)) dst[k] = structuredCopy(sv);
    else if (overwrite && !empty(sv)) dst[k] = structuredCopy(sv);
  }
}

function structuredCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(structuredCopy);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const o: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) o[k] = structuredCopy(e);
    return o;
  }
  return v;
}

const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";

function randFrom(chars: string, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += chars[randomInt(chars.length)];
  return s;
}

function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "");
}

function wrapText(s: string, width: number, nl: string): string {
  const out: string[] = [];
  for (const line of s.split("\n")) {
    let cur = "";
    for (const w of line.split(" ")) {
      if (cur === "") cur = w;
      else if (cur.length + 1 + w.length > width) {
        out.push(cur);
        cur = w;
      } else cur += ` ${w}`;
    }
    out.push(cur);
  }
  return out.join(nl);
}

/** goutils.AbbreviateFull, as sprig's abbrev and abbrevboth call it ("" where it reports an error). */
function abbreviateFull(str: string, off: number, maxWidth: number): string {
  if (str === "" || maxWidth < 4) return "";
  if (str.length <= maxWidth) return str;
  let offset = Math.min(off, str.length);
  if (str.length - offset < maxWidth - 3) offset = str.length - (maxWidth - 3);
  if (offset <= 4) return `${str.slice(0, maxWidth - 3)}...`;
  if (maxWidth < 7) return "";
  if (offset + maxWidth - 3 < str.length) return `...${abbreviateFull(str.slice(offset), 0, maxWidth - 3)}`;
  return `...${str.slice(str.length - (maxWidth - 3))}`;
}

function abbrev(width: number, s: string): string {
  return width < 4 ? s : abbreviateFull(s, 0, width);
}

function unsupported(name: string) {
  return () => {
    throw new Error(
      `${name} is not supported by Ferry's Helm renderer; generate the value outside the chart`,
    );
  };
}

function toTime(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === "number" || v instanceof GoNumber) {
    return new GoTime(new Date((typeof v === "number" ? v : v.value) * 1000));
  }
  return new GoTime(new Date());
}

export function helmSprigFuncs(): FuncMap {
  const merge = (overwrite: boolean) =>
    fn(
      ["map"],
      (dst: Record<string, unknown>, ...srcs: Record<string, unknown>[]) => {
        for (const s of srcs) mergo(dst, s, overwrite);
        return dst;
      },
      "map",
    );
  const mustMerge = merge;
  const f2 = (op: (a: number, b: number) => number) =>
    fn(
      ["any"],
      (first: unknown, ...rest: unknown[]) =>
        rest.reduce<number>((a, b) => op(a, toFloat64(b)), toFloat64(first)),
      "any",
    );
  return {
    merge: merge(false),
    mergeOverwrite: merge(true),
    mustMerge: mustMerge(false),
    mustMergeOverwrite: mustMerge(true),
    deepCopy: fn(["any"], (v: unknown) => structuredCopy(v)),
    mustDeepCopy: fn(["any"], (v: unknown) => structuredCopy(v)),
    randAlphaNum: fn(["int"], (n: GoNumber) => randFrom(ALPHA + DIGITS, numValue(n))),
    randAlpha: fn(["int"], (n: GoNumber) => randFrom(ALPHA, numValue(n))),
    randNumeric: fn(["int"], (n: GoNumber) => randFrom(DIGITS, numValue(n))),
    randAscii: fn(["int"], (n: GoNumber) => {
      let s = "";
      for (let i = 0; i < numValue(n); i++) s += String.fromCharCode(32 + randomInt(95));
      return s;
    }),
    randBytes: fn(["int"], (n: GoNumber) => randomBytes(numValue(n)).toString("base64")),
    uuidv4: fn([], () => randomUUID()),
    shuffle: fn(["string"], (s: string) => {
      const a = [...s];
      for (let i = a.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [a[i], a[j]] = [a[j] as string, a[i] as string];
      }
      return a.join("");
    }),
    sha512sum: fn(["string"], (s: string) => createHash("sha512").update(s, "utf8").digest("hex")),
    nospace: fn(["string"], (s: string) => s.replace(/\s+/g, "")),
    snakecase: fn(["string"], (s: string) =>
      words(s)
        .map((w) => w.toLowerCase())
        .join("_"),
    ),
    kebabcase: fn(["string"], (s: string) =>
      words(s)
        .map((w) => w.toLowerCase())
        .join("-"),
    ),
    camelcase: fn(["string"], (s: string) =>
      s
        .split("_")
        .map((w) => (w === "" ? "" : (w[0] as string).toUpperCase() + w.slice(1)))
        .join(""),
    ),
    swapcase: fn(["string"], (s: string) =>
      [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""),
    ),
    untitle: fn(["string"], (s: string) =>
      s.replace(/(^|\s)(\S)/g, (_m, a: string, b: string) => a + b.toLowerCase()),
    ),
    initials: fn(["string"], (s: string) =>
      s
        .split(/\s+/)
        .filter((w) => w !== "")
        .map((w) => w[0])
        .join(""),
    ),
    wrap: fn(["int", "string"], (n: GoNumber, s: string) => wrapText(s, numValue(n), "\n")),
    wrapWith: fn(["int", "string", "string"], (n: GoNumber, nl: string, s: string) =>
      wrapText(s, numValue(n), nl),
    ),
    abbrev: fn(["int", "string"], (w: GoNumber, s: string) => abbrev(numValue(w), s)),
    abbrevboth: fn(["int", "int", "string"], (l: GoNumber, r: GoNumber, s: string) => {
      const left = numValue(l);
      const right = numValue(r);
      if (right < 4 || (left > 0 && right < 7)) return s;
      return abbreviateFull(s, left, right);
    }),
    add1f: fn(["any"], (v: unknown) => toFloat64(v) + 1),
    addf: f2((a, b) => a + b),
    subf: f2((a, b) => a - b),
    mulf: f2((a, b) => a * b),
    divf: f2((a, b) => a / b),
    semver: fn(["string"], (s: string) => {
      const v = parseLenient(s);
      return {
        Major: v.major,
        Minor: v.minor,
        Patch: v.patch,
        Prerelease: v.prerelease ?? "",
        Metadata: v.metadata ?? "",
      };
    }),
    now: fn([], () => new GoTime(new Date())),
    date: fn(["string", "any"], (layout: string, d: unknown) => formatLayout(toTime(d), layout)),
    htmlDate: fn(["any"], (d: unknown) => formatLayout(toTime(d), "2006-01-02")),
    dateInZone: fn(["string", "any", "string"], (layout: string, d: unknown) =>
      formatLayout(toTime(d), layout),
    ),
    htmlDateInZone: fn(["any", "string"], (d: unknown) => formatLayout(toTime(d), "2006-01-02")),
    dateModify: fn(["string", "time"], (_m: string, t: GoTime) => t),
    env: fn(["string"], () => ""),
    expandenv: fn(["string"], (s: string) => strval(s)),
    genPrivateKey: fn(["string"], unsupported("genPrivateKey")),
    genCA: fn(["string", "int"], unsupported("genCA")),
    genCAWithKey: fn(["string", "int", "string"], unsupported("genCAWithKey")),
    genSelfSignedCert: fn(["string", "[]any", "[]any", "int"], unsupported("genSelfSignedCert")),
    genSelfSignedCertWithKey: fn(
      ["string", "[]any", "[]any", "int", "string"],
      unsupported("genSelfSignedCertWithKey"),
    ),
    genSignedCert: fn(["string", "[]any", "[]any", "int", "any"], unsupported("genSignedCert")),
    genSignedCertWithKey: fn(
      ["string", "[]any", "[]any", "int", "any", "string"],
      unsupported("genSignedCertWithKey"),
    ),
    buildCustomCert: fn(["string", "string"], unsupported("buildCustomCert")),
    bcrypt: fn(["string"], unsupported("bcrypt")),
    htpasswd: fn(["string", "string"], unsupported("htpasswd")),
    derivePassword: fn(["uint32", "string", "string", "string", "string"], unsupported("derivePassword")),
    encryptAES: fn(["string", "string"], unsupported("encryptAES")),
    decryptAES: fn(["string", "string"], unsupported("decryptAES")),
  };
}
