/**
 * A YAML emitter that writes what sigs.k8s.io/yaml.Marshal writes (JSON first, then go-yaml v2): block
 * style, keys in go-yaml's natural order, sequences not indented under mapping keys, go-yaml's choice
 * between plain, single-quoted, double-quoted and literal scalars, and folding of long scalars at column 80.
 * It handles the JSON data model only (maps with string keys, arrays, strings, numbers, booleans, null).
 */
import { formatFloat } from "./strconv.ts";
import { isPrintable, stringStyle } from "./yamlresolve.ts";

/** A JSON value whose numbers remember whether their JSON text was an integer. */
type Node =
  | null
  | boolean
  | string
  | { num: number; float: boolean; src: string }
  | Node[]
  | Map<string, Node>;

/** Parses JSON text keeping number kinds (go-yaml resolves "1" as int and "1.5"/"1e+06" as float). */
export function parseJsonNodes(json: string): Node {
  const raw = JSON.parse(json, (_k, v, ctx?: { source?: string }) => {
    if (typeof v === "number") {
      const src = ctx?.source ?? String(v);
      const float = /[.eE]/.test(src) || BigInt(src) >= 1n << 64n || BigInt(src) < -(1n << 63n);
      return { num: v, float, src };
    }
    if (v && typeof v === "object" && !Array.isArray(v) && !("num" in v && "src" in v)) {
      return new Map(Object.entries(v));
    }
    return v;
  });
  return raw as Node;
}

const bestWidth = 80;

class Writer {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;
  indent = 0;

  put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  newline(): void {
    this.out += "\n";
    this.column = 0;
  }
  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.newline();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }
  indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}

/** go-yaml v2's keyList.Less for string keys: letters sort after non-letters, digit runs numerically. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  const isLetter = (c: string) => /\p{L}/u.test(c);
  const isDigit = (c: string | undefined) => c !== undefined && /\p{Nd}/u.test(c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (x === "0" || y === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

function writePlain(w: Writer, s: string, allowBreaks: boolean): void {
  if (!w.whitespace) w.put(" ");
  const chars = [...s];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === " ") {
      if (allowBreaks && !spaces && w.column > bestWidth && chars[i + 1] !== " ") w.writeIndent();
      else w.put(c);
      spaces = true;
    } else {
      w.put(c);
      w.indention = false;
      spaces = false;
    }
  }
  w.whitespace = false;
  w.indention = false;
}

function writeSingle(w: Writer, s: string, allowBreaks: boolean): void {
  w.indicator("'", true, false, false);
  const chars = [...s];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === " ") {
      if (
        allowBreaks &&
        !spaces &&
        w.column > bestWidth &&
        i !== 0 &&
        i !== chars.length - 1 &&
        chars[i + 1] !== " "
      ) {
        w.writeIndent();
      } else w.put(c);
      spaces = true;
    } else {
      if (c === "'") w.put("'");
      w.put(c);
      w.indention = false;
      spaces = false;
    }
  }
  w.indicator("'", false, false, false);
  w.whitespace = false;
  w.indention = false;
}

const escapes: Record<number, string> = {
  0: "0",
  7: "a",
  8: "b",
  9: "t",
  10: "n",
  11: "v",
  12: "f",
  13: "r",
  27: "e",
  34: '"',
  92: "\\",
  133: "N",
  160: "_",
  8232: "L",
  8233: "P",
};

function writeDouble(w: Writer, s: string, allowBreaks: boolean): void {
  w.indicator('"', true, false, false);
  const chars = [...s];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const cp = c.codePointAt(0) ?? 0;
    if (
      !isPrintable(c) ||
      cp === 0xfeff ||
      c === "\n" ||
      c === "\r" ||
      cp === 0x85 ||
      cp === 0x2028 ||
      cp === 0x2029 ||
      c === '"' ||
      c === "\\"
    ) {
      const e = escapes[cp];
      if (e !== undefined) w.put(`\\${e}`);
      else if (cp <= 0xff) w.put(`\\x${cp.toString(16).toUpperCase().padStart(2, "0")}`);
      else if (cp <= 0xffff) w.put(`\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`);
      else w.put(`\\U${cp.toString(16).toUpperCase().padStart(8, "0")}`);
      spaces = false;
    } else if (c === " ") {
      if (allowBreaks && !spaces && w.column > bestWidth && i > 0 && i < chars.length - 1) {
        w.writeIndent();
        if (chars[i + 1] === " ") w.put("\\");
      } else w.put(c);
      spaces = true;
    } else {
      w.put(c);
      spaces = false;
    }
  }
  w.indicator('"', false, false, false);
  w.whitespace = false;
  w.indention = false;
}

function writeLiteral(w: Writer, s: string): void {
  w.indicator("|", true, false, false);
  let hints = "";
  if (s[0] === " " || s[0] === "\n") hints += "2";
  const chars = [...s];
  const last = chars[chars.length - 1];
  if (last !== "\n") hints += "-";
  else if (chars.length === 1 || chars[chars.length - 2] === "\n") hints += "+";
  if (hints) w.indicator(hints, false, false, false);
  w.newline();
  w.indention = true;
  w.whitespace = true;
  let breaks = true;
  for (const c of chars) {
    if (c === "\n") {
      w.newline();
      w.indention = true;
      breaks = true;
    } else {
      if (breaks) w.writeIndent();
      w.put(c);
      w.indention = false;
      breaks = false;
    }
  }
}

function writeScalar(w: Writer, n: Node, simpleKey: boolean): void {
  if (n === null || typeof n === "boolean") {
    writePlain(w, String(n), false);
    return;
  }
  if (typeof n === "object" && !Array.isArray(n) && !(n instanceof Map)) {
    writePlain(w, n.float ? yamlFloat(n.num) : n.src, false);
    return;
  }
  const s = n as string;
  const style = stringStyle(s, simpleKey);
  if (style === "plain") writePlain(w, s, !simpleKey);
  else if (style === "single") writeSingle(w, s, !simpleKey);
  else if (style === "double") writeDouble(w, s, !simpleKey);
  else writeLiteral(w, s);
}

/** strconv.FormatFloat(f, 'g', -1, 64) with YAML's spellings of infinities. */
function yamlFloat(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  if (f === Number.POSITIVE_INFINITY) return ".inf";
  if (f === Number.NEGATIVE_INFINITY) return "-.inf";
  return formatFloat(f, "g", -1);
}

function isCollection(n: Node): n is Node[] | Map<string, Node> {
  return Array.isArray(n) || n instanceof Map;
}

function isEmptyCollection(n: Node): boolean {
  return (Array.isArray(n) && n.length === 0) || (n instanceof Map && n.size === 0);
}

function emitNode(w: Writer, n: Node, indent: number, ctx: "root" | "map" | "seq"): void {
  if (isCollection(n) && !isEmptyCollection(n)) {
    if (Array.isArray(n)) emitSeq(w, n, indent, ctx);
    else emitMap(w, n as Map<string, Node>, indent, ctx);
    return;
  }
  w.indent = indent + 2;
  if (Array.isArray(n)) w.indicator("[]", true, false, false);
  else if (n instanceof Map) w.indicator("{}", true, false, false);
  else writeScalar(w, n, false);
}

function emitSeq(w: Writer, items: Node[], indent: number, ctx: "root" | "map" | "seq"): void {
  // A sequence under a mapping key is not indented (go-yaml's indentless sequences).
  const ind = ctx === "seq" ? indent + 2 : indent;
  items.forEach((item, i) => {
    w.indent = ind;
    if (!(ctx === "seq" && i === 0)) w.writeIndent();
    w.indicator("-", true, false, true);
    emitNode(w, item, ind, "seq");
  });
}

function emitMap(w: Writer, m: Map<string, Node>, indent: number, ctx: "root" | "map" | "seq"): void {
  const ind = ctx === "root" ? indent : indent + 2;
  const keys = [...m.keys()].sort((a, b) => (yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0));
  keys.forEach((k, i) => {
    w.indent = ind;
    if (!(ctx === "seq" && i === 0)) w.writeIndent();
    const v = m.get(k) as Node;
    if (k.includes("\n")) {
      // A multi-line key cannot be a simple key: go-yaml writes "? key" then ": value".
      w.indicator("?", true, false, true);
      w.indent = ind + 2;
      writeScalar(w, k, false);
      w.indent = ind;
      w.writeIndent();
      w.indicator(":", true, false, true);
      // After ": " a collection starts on the same line, its further entries indented under it.
      if (Array.isArray(v) && v.length > 0) emitSeq(w, v, ind, "seq");
      else if (v instanceof Map && v.size > 0) emitMap(w, v, ind, "seq");
      else emitNode(w, v, ind, "map");
      return;
    }
    writeScalar(w, k, true);
    w.indicator(":", false, false, false);
    if (isCollection(v) && !isEmptyCollection(v)) {
      if (Array.isArray(v)) emitSeq(w, v, ind, "map");
      else emitMap(w, v as Map<string, Node>, ind, "map");
    } else emitNode(w, v, ind, "map");
  });
}

/** Emits a JSON document as go-yaml v2 would after sigs.k8s.io/yaml's JSON-to-YAML conversion. */
export function emitYaml(json: string): string {
  const w = new Writer();
  emitNode(w, parseJsonNodes(json), 0, "root");
  // Document end: go-yaml breaks the line unless a block scalar already ended it.
  return w.column > 0 || !w.indention ? `${w.out}\n` : w.out;
}
