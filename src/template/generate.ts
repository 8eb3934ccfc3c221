/**
 * Test support: a seeded generator of random templates from the grammar (text, actions, pipelines,
 * variables, if/with/range/else, break/continue, define/template, trim markers, builtins and sprig
 * functions), and the data they run against — for the differential test against Go.
 */

import { randomJsonValue } from "./generatevalues.ts";
import type { Case } from "./oracle.ts";

export { randomJsonValue, randomSlugInput } from "./generatevalues.ts";

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randomData = {
  a: 1,
  b: "str",
  c: [1, 2, 3],
  d: { x: 1, y: "z", n: { deep: true } },
  e: true,
  f: 2.5,
  g: null,
  h: [],
  s: ["b", "a", "c"],
  m: { k2: "v2", k1: "v1" },
  z: 0,
  w: "",
  u: "héllo wörld 日本",
  n: -42,
  big: 1e21,
  tiny: 0.000012,
  l: [{ name: "x", n: 1 }, { name: "y", n: 2.5 }, null],
};

const funcs: Array<[string, number, number]> = [
  ["eq", 2, 3],
  ["ne", 2, 2],
  ["lt", 2, 2],
  ["le", 2, 2],
  ["gt", 2, 2],
  ["ge", 2, 2],
  ["and", 1, 3],
  ["or", 1, 3],
  ["not", 1, 1],
  ["len", 1, 1],
  ["index", 2, 2],
  ["print", 0, 3],
  ["println", 1, 2],
  ["html", 1, 1],
  ["js", 1, 1],
  ["urlquery", 1, 1],
  ["upper", 1, 1],
  ["default", 2, 2],
  ["toJson", 1, 1],
  ["add", 1, 3],
  ["sub", 2, 2],
  ["mul", 2, 2],
  ["list", 0, 3],
  ["dict", 0, 4],
  ["quote", 1, 2],
  ["empty", 1, 1],
  ["coalesce", 1, 3],
  ["ternary", 3, 3],
  ["toString", 1, 1],
  ["first", 1, 1],
  ["last", 1, 1],
  ["has", 2, 2],
  ["join", 2, 2],
  ["int", 1, 1],
  ["float64", 1, 1],
  ["typeOf", 1, 1],
  ["kindOf", 1, 1],
  ["repeat", 2, 2],
  ["trunc", 2, 2],
  ["cat", 1, 3],
  ["max", 1, 3],
  ["min", 1, 3],
  ["sortAlpha", 1, 1],
  ["uniq", 1, 1],
  ["reverse", 1, 1],
  ["hasKey", 2, 2],
  ["get", 2, 2],
  ["b64enc", 1, 1],
  ["nindent", 2, 2],
  ["indent", 2, 2],
  ["trim", 1, 1],
  ["split", 2, 2],
  ["splitList", 2, 2],
  ["until", 1, 1],
  ["compact", 1, 1],
  ["replace", 3, 3],
  ["substr", 3, 3],
  ["trimSuffix", 2, 2],
  ["regexMatch", 2, 2],
  ["regexReplaceAll", 3, 3],
  ["dig", 3, 4],
  ["pluck", 2, 3],
  ["toYaml", 1, 1],
  ["toPrettyJson", 1, 1],
  ["title", 1, 1],
  ["round", 2, 2],
  ["atoi", 1, 1],
  ["seq", 1, 3],
  ["chunk", 2, 2],
  ["concat", 1, 3],
  ["squote", 1, 2],
  ["contains", 2, 2],
  ["without", 2, 3],
  ["deepEqual", 2, 2],
];

const fields = [
  ".a",
  ".b",
  ".c",
  ".d",
  ".d.x",
  ".d.y",
  ".d.n.deep",
  ".e",
  ".f",
  ".g",
  ".h",
  ".s",
  ".m",
  ".m.k1",
  ".z",
  ".w",
  ".missing",
  ".d.missing",
  ".",
];
const literals = [
  "1",
  "0",
  "-2",
  "2.5",
  "1e3",
  '"s"',
  '""',
  '"a,b"',
  "true",
  "false",
  "nil",
  "'x'",
  "3",
  '"x"',
  '"name"',
  '"\\\\w+"',
  '"k1"',
  "0.5",
  "-1.5e-3",
  "0x1F",
  '"日本"',
];
const printfFormats = [
  '"%v"',
  '"%d"',
  '"%s"',
  '"%q"',
  '"%5.1f"',
  '"%x"',
  '"%T"',
  '"%v-%v"',
  '"%t"',
  '"%-8s|"',
  '"%08.3f"',
  '"%+d"',
  '"%X"',
  '"%c"',
  '"%U"',
  '"%e"',
  '"%g"',
  '"%.2g"',
  '"%6.2e"',
  '"%#v"',
  '"%[2]v %[1]v"',
  '"% x"',
  '"%010.4f"',
  '"%-+5d|"',
];
const texts = ["x", " ", "\n", "a b", "-", "  \n  ", "T"];

export function generateTemplate(next: () => number): string {
  const g = new Gen(next);
  let defs = "";
  if (g.chance(0.15)) {
    // A helper template, called with a random pipeline (variables do not cross into it).
    const body = new Gen(next).list(1);
    defs = `{{ define "h" }}${body}{{ end }}`;
    g.defined.push("h");
  }
  return defs + g.list(0);
}

/** Options a generated case runs with: missingkey and delimiters vary too. */
export function generateOptions(next: () => number): {
  missingKey: "default" | "zero" | "error";
  angle: boolean;
} {
  const x = next();
  const missingKey = x < 0.5 ? "default" : x < 0.75 ? "zero" : "error";
  return { missingKey, angle: next() < 0.25 };
}

class Gen {
  readonly r: () => number;
  vars: string[] = ["$"];
  inRange = 0;
  defined: string[] = [];

  constructor(r: () => number) {
    this.r = r;
  }

  pick<T>(a: T[]): T {
    return a[Math.floor(this.r() * a.length)] as T;
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  list(depth: number): string {
    let s = "";
    const n = 1 + Math.floor(this.r() * 3);
    for (let i = 0; i < n; i++) s += this.part(depth);
    return s;
  }

  open(): string {
    return this.chance(0.2) ? "{{- " : "{{ ";
  }

  close(): string {
    return this.chance(0.2) ? " -}}" : " }}";
  }

  part(depth: number): string {
    const x = this.r();
    if (x < 0.25) return this.pick(texts);
    if (x < 0.6 || depth > 2) return `${this.open()}${this.pipeline(0)}${this.close()}`;
    if (x < 0.7) {
      const v = `$v${this.vars.length}`;
      const s = `${this.open()}${v} := ${this.pipeline(0)}${this.close()}`;
      this.vars.push(v);
      return s;
    }
    if (x < 0.8) return this.control("if", depth);
    if (x < 0.87) return this.control("with", depth);
    if (x < 0.97) return this.rangeControl(depth);
    if (this.inRange > 0) return this.chance(0.5) ? "{{ break }}" : "{{ continue }}";
    if (this.defined.length > 0 && this.chance(0.6)) {
      return this.chance(0.5) ? `{{ template "h" }}` : `{{ template "h" ${this.pipeline(1)} }}`;
    }
    if (this.chance(0.3))
      return `{{ block "b${Math.floor(this.r() * 3)}" ${this.pipeline(1)} }}[{{ . }}]{{ end }}`;
    return this.chance(0.5) ? `{{/* c */}}` : `{{- /* trimmed */ -}}`;
  }

  control(kind: "if" | "with", depth: number): string {
    const mark = this.vars.length;
    let s = `${this.open()}${kind} ${this.pipeline(0)}${this.close()}${this.list(depth + 1)}`;
    this.vars.length = mark;
    if (this.chance(0.3)) s += `{{ else ${kind} ${this.pipeline(0)} }}${this.list(depth + 1)}`;
    this.vars.length = mark;
    if (this.chance(0.4)) s += `{{ else }}${this.list(depth + 1)}`;
    this.vars.length = mark;
    return `${s}{{ end }}`;
  }

  rangeControl(depth: number): string {
    const mark = this.vars.length;
    const over = this.pick([
      ".c",
      ".s",
      ".m",
      ".h",
      ".d",
      "3",
      ".a",
      ".b",
      ".g",
      ".missing",
      "(list 1 2)",
      '(splitList "," "p,q")',
    ]);
    let head: string;
    const y = this.r();
    if (y < 0.4) head = over;
    else if (y < 0.7) {
      head = `$e${mark} := ${over}`;
      this.vars.push(`$e${mark}`);
    } else {
      head = `$i${mark}, $e${mark} := ${over}`;
      this.vars.push(`$i${mark}`, `$e${mark}`);
    }
    this.inRange++;
    let s = `${this.open()}range ${head}${this.close()}${this.list(depth + 1)}`;
    this.inRange--;
    this.vars.length = mark;
    if (this.chance(0.3)) s += `{{ else }}${this.list(depth + 1)}`;
    return `${s}{{ end }}`;
  }

  pipeline(depth: number): string {
    let s = this.command(depth);
    while (this.chance(0.25)) {
      const [name, min, max] = this.pick(funcs);
      const n = Math.max(0, Math.min(max, min - 1 + Math.floor(this.r() * 2)));
      s += ` | ${[name, ...Array.from({ length: n }, () => this.operand(depth + 1))].join(" ")}`;
    }
    return s;
  }

  command(depth: number): string {
    const x = this.r();
    if (x < 0.4) return this.operand(depth);
    if (x < 0.5) {
      const n = Math.floor(this.r() * 3);
      return [
        "printf",
        this.pick(printfFormats),
        ...Array.from({ length: n }, () => this.operand(depth + 1)),
      ].join(" ");
    }
    const [name, min, max] = this.pick(funcs);
    const n = min + Math.floor(this.r() * (max - min + 1));
    return [name, ...Array.from({ length: n }, () => this.operand(depth + 1))].join(" ");
  }

  operand(depth: number): string {
    const x = this.r();
    if (x < 0.4) return this.pick(fields);
    if (x < 0.65) return this.pick(literals);
    if (x < 0.85) {
      const v = this.pick(this.vars);
      return this.chance(0.2) && v !== "$" ? `${v}.x` : v;
    }
    if (depth > 2) return this.pick(fields);
    return `(${this.pipeline(depth + 1)})`;
  }
}

/** One generated case; a quarter use ResourceSet delimiters (<< >>), missingkey varies. */
export function randomCase(next: () => number): Case {
  const template = generateTemplate(next);
  const { missingKey, angle } = generateOptions(next);
  if (!angle) return { template, data: randomData, missingKey };
  return {
    template: template.replaceAll("{{", "<<").replaceAll("}}", ">>"),
    data: randomData,
    missingKey,
    delims: ["<<", ">>"],
  };
}

const mutationInserts = [
  "{",
  "}",
  "(",
  ")",
  "|",
  "$",
  ".",
  '"',
  "'",
  " ",
  "-",
  ":",
  "=",
  "`",
  "/*",
  "*/",
  "{{",
  "}}",
  ",",
  "\n",
  "end",
  "else",
  "if",
  "range",
  "x",
  "1",
  "@",
  "\\",
  "é",
];

/** A generated template with one or two random character deletions or insertions: mostly parse errors. */
export function mutatedTemplate(next: () => number): string {
  let t = generateTemplate(next);
  const k = 1 + Math.floor(next() * 2);
  for (let j = 0; j < k; j++) {
    const p = Math.floor(next() * (t.length + 1));
    if (next() < 0.4) t = t.slice(0, p) + t.slice(p + 1);
    else t = t.slice(0, p) + mutationInserts[Math.floor(next() * mutationInserts.length)] + t.slice(p);
  }
  return t;
}

/** A generated template over data whose fields take random JSON values (types vary from case to case). */
export function randomDataCase(next: () => number): Case {
  const data: Record<string, unknown> = { ...randomData };
  for (const k of Object.keys(data)) if (next() < 0.4) data[k] = randomJsonValue(next, 2);
  return { template: generateTemplate(next), data, missingKey: next() < 0.5 ? "default" : "zero" };
}
