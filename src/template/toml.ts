/**
 * Helm's toToml (BurntSushi/toml's encoder: direct keys sorted first, then tables and arrays of tables,
 * nested tables indented two spaces per level, floats with a decimal point, nil values skipped) and a
 * small fromToml (key = value, [table], [[array]], strings, numbers, booleans, arrays, inline tables) whose
 * failures come back as {Error: …}, as Helm's do.
 */
import { strval } from "./sprig/util.ts";
import { formatFloat } from "./strconv.ts";
import { GoNumber, isFloat, isMap, isSlice, mapEntries, numValue, sliceItems } from "./values.ts";

const CONTROL: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
};

function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0;
    if (CONTROL[c] !== undefined) out += CONTROL[c];
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return `${out}"`;
}

function bareKey(k: string): string {
  return k !== "" && /^[A-Za-z0-9_-]+$/.test(k) ? k : quote(k);
}

type Kind = "nil" | "table" | "tables" | "value";

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "nil";
  if (isMap(v)) return "table";
  if (isSlice(v)) {
    const items = sliceItems(v);
    if (items.length > 0 && items.every((x) => x !== null && x !== undefined && isMap(x))) return "tables";
    if (items.some((x) => x === null || x === undefined))
      throw new Error("toml: cannot encode array with nil element");
  }
  return "value";
}

function element(v: unknown): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number" || v instanceof GoNumber) {
    const n = numValue(v);
    if (!isFloat(v) && !(v instanceof GoNumber && v.type === "float64")) return String(n);
    if (Number.isNaN(n)) return "nan";
    if (!Number.isFinite(n)) return n < 0 ? "-inf" : "inf";
    const s = formatFloat(n, "g", -1);
    return /[.e]/.test(s) ? s : `${s}.0`;
  }
  if (isSlice(v)) return `[${sliceItems(v).map(element).join(", ")}]`;
  if (isMap(v)) {
    const m = mapEntries(v);
    const keys = Object.keys(m)
      .sort()
      .filter((k) => m[k] !== null && m[k] !== undefined);
    return `{${keys.map((k) => `${bareKey(k)} = ${element(m[k])}`).join(", ")}}`;
  }
  return quote(strval(v));
}

class Encoder {
  out = "";
  newline(): void {
    if (this.out !== "") this.out += "\n";
  }
  indent(key: string[]): string {
    return "  ".repeat(Math.max(0, key.length - 1));
  }
  header(key: string[]): string {
    return key.map(bareKey).join(".");
  }
  table(key: string[], m: Record<string, unknown>): void {
    const direct = Object.keys(m)
      .filter((k) => ["value"].includes(kindOf(m[k])))
      .sort();
    const sub = Object.keys(m)
      .filter((k) => ["table", "tables"].includes(kindOf(m[k])))
      .sort();
    for (const k of [...direct, ...sub]) this.encode([...key, k], m[k]);
  }
  encode(key: string[], v: unknown): void {
    const kind = kindOf(v);
    if (kind === "nil") return;
    if (kind === "table") {
      if (key.length === 1) this.newline();
      this.out += `${this.indent(key)}[${this.header(key)}]`;
      this.newline();
      this.table(key, mapEntries(v as Record<string, unknown>));
    } else if (kind === "tables") {
      for (const item of sliceItems(v as unknown[])) {
        this.newline();
        this.out += `${this.indent(key)}[[${this.header(key)}]]`;
        this.newline();
        this.table(key, mapEntries(item as Record<string, unknown>));
      }
    } else {
      this.out += `${this.indent(key)}${bareKey(key[key.length - 1] as string)} = ${element(v)}`;
      this.newline();
    }
  }
}

export function toToml(v: unknown): string {
  try {
    if (!isMap(v)) throw new Error(`toml: top-level values must be Go maps or structs`);
    const e = new Encoder();
    e.table([], mapEntries(v));
    return e.out;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A small TOML reader for fromToml; throws with a message naming the line. */
export function parseToml(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let cur = root;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i] as string).trim();
    if (line === "") continue;
    try {
      const header = /^\[\[\s*(.+?)\s*\]\]$/.exec(line) ?? /^\[\s*(.+?)\s*\]$/.exec(line);
      if (header) cur = openTable(root, splitKey(header[1] as string), line.startsWith("[["));
      else setKeyValue(cur, line);
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(`toml: line ${i + 1}${msg.startsWith("(") ? " " : ": "}${msg}`);
    }
  }
  return root;
}

/** The table a `[a.b]` or `[[a.b]]` header opens (a new element for arrays of tables). */
function openTable(root: Record<string, unknown>, path: string[], array: boolean): Record<string, unknown> {
  let t = root;
  for (const [j, p] of path.entries()) {
    const next = t[p];
    if (j === path.length - 1 && array) {
      const list = Array.isArray(next) ? (next as Record<string, unknown>[]) : [];
      t[p] = list;
      const n: Record<string, unknown> = {};
      list.push(n);
      t = n;
    } else if (Array.isArray(next)) t = next[next.length - 1] as Record<string, unknown>;
    else if (next && typeof next === "object") t = next as Record<string, unknown>;
    else if (next === undefined) {
      const n: Record<string, unknown> = {};
      t[p] = n;
      t = n;
    } else throw new Error(`key ${p} is not a table`);
  }
  return t;
}

function setKeyValue(table: Record<string, unknown>, line: string): void {
  const eq = line.indexOf("=");
  if (eq <= 0) throw new Error("expected key = value");
  const path = splitKey(line.slice(0, eq).trim());
  const r = new Reader(line.slice(eq + 1).trim());
  if (r.s === "")
    throw new Error(`(last key ${JSON.stringify(path.join("."))}): unexpected EOF; expected value`);
  let t = table;
  for (const p of path.slice(0, -1)) {
    if (!(t[p] && typeof t[p] === "object")) t[p] = {};
    t = t[p] as Record<string, unknown>;
  }
  t[path[path.length - 1] as string] = r.value();
}

function stripComment(line: string): string {
  let inStr: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inStr) {
      if (c === "\\" && inStr === '"') i++;
      else if (c === inStr) inStr = undefined;
    } else if (c === '"' || c === "'") inStr = c;
    else if (c === "#") return line.slice(0, i);
  }
  return line;
}

function splitKey(k: string): string[] {
  return (k.match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^.\s]+/g) ?? []).map((p) =>
    p.startsWith('"') ? (JSON.parse(p) as string) : p.startsWith("'") ? p.slice(1, -1) : p,
  );
}

class Reader {
  s: string;
  i = 0;
  constructor(s: string) {
    this.s = s;
  }
  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] as string)) this.i++;
  }
  value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(this.s.slice(this.i));
      if (!m) throw new Error("toml: unterminated string");
      this.i += m[0].length;
      return JSON.parse(m[0]);
    }
    if (c === "'") {
      const end = this.s.indexOf("'", this.i + 1);
      if (end < 0) throw new Error("toml: unterminated string");
      const v = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return v;
    }
    if (c === "[" || c === "{") return this.compound(c);
    const m = /^[^,\]}\s]+/.exec(this.s.slice(this.i));
    if (!m) throw new Error("toml: expected value");
    this.i += m[0].length;
    const t = m[0];
    if (t === "true" || t === "false") return t === "true";
    const n = Number(t.replaceAll("_", ""));
    if (t !== "" && !Number.isNaN(n)) {
      // Integers decode as int64, everything else as float64 (an integral float stays a float64).
      if (/^[+-]?\d+$/.test(t.replaceAll("_", ""))) return n;
      return Number.isInteger(n) ? new GoNumber(n, "float64") : n;
    }
    throw new Error(`toml: invalid value ${JSON.stringify(t)}`);
  }
  compound(open: string): unknown {
    const close = open === "[" ? "]" : "}";
    this.i++;
    const list: unknown[] = [];
    const table: Record<string, unknown> = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return open === "[" ? list : table;
      }
      if (open === "[") list.push(this.value());
      else {
        const eq = this.s.indexOf("=", this.i);
        if (eq < 0) throw new Error("toml: expected key = value in inline table");
        const key = splitKey(this.s.slice(this.i, eq).trim())[0] as string;
        this.i = eq + 1;
        table[key] = this.value();
      }
      this.ws();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== close) throw new Error(`toml: expected ${close}`);
    }
  }
}
