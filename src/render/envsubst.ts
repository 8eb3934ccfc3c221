// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} is Flux variable syntax, not a JS template
/**
 * Flux's variable expansion language (the `envsubst` fork kustomize-controller runs on post-build output):
 * only the braced form `${…}` is expanded, `$$` stands for a literal `$`, and these operators exist:
 * `${v}`, `${#v}`, `${v^}`, `${v^^}`, `${v,}`, `${v,,}`, `${v:n}`, `${v:n:len}`, `${v#p}`, `${v##p}`,
 * `${v%p}`, `${v%%p}`, `${v=d}`, `${v:=d}`, `${v:-d}` (and `${v:+d}`/`${v:?d}`, which behave as `:-`),
 * `${v/p/r}`, `${v//p/r}`, `${v/#p/r}`, `${v/%p/r}`. Defaults and patterns may nest `${…}`.
 * The quirks of the upstream implementation are kept on purpose (a default applies when the variable is
 * empty, not only unset; `${v-d}` and `${v+d}` are parse errors; `/#` and `/%` need a replacement).
 */
import { FerryError } from "../errors/index.ts";
import { BadPatternError, globMatch } from "./glob.ts";

export type EnvsubstProblem =
  | "bad substitution"
  | "missing closing brace"
  | "unable to parse variable name"
  | "unable to parse substitution within function"
  | "variable not set (strict mode)";

/** A `${…}` expression that cannot be parsed, or (strict mode) names a variable that is not defined. */
export class EnvsubstError extends FerryError {
  override name = "EnvsubstError";
  readonly problem: EnvsubstProblem;
  /** The variable, for "variable not set". */
  readonly variable: string | undefined;
  /** Up to 40 characters of input starting at the offending `${`. */
  readonly near: string;
  constructor(problem: EnvsubstProblem, near: string, variable?: string) {
    super(
      variable !== undefined
        ? `variable "${variable}" is not set (strict mode): define it in postBuild.substitute or substituteFrom, or give it a default with \${${variable}:=value}`
        : `${problem} in "${near}": fix the expression, or write $\${…} to keep it literal`,
    );
    this.problem = problem;
    this.variable = variable;
    this.near = near;
  }
}

interface FuncNode {
  readonly param: string;
  readonly op: string;
  readonly args: Node[];
  readonly at: number;
}
type Node = string | FuncNode;

/** Operators that handle an unset variable themselves, so strict mode lets them through. */
const DEFAULT_OPS = new Set(["-", "+", "=", "?", ":-", ":+", ":=", ":?"]);

export interface EnvsubstOptions {
  /** Undefined variables are an error instead of expanding to the empty string (`--strict-substitute`). */
  strict?: boolean;
}

/** Expands every `${…}` in `text` with `lookup` (undefined = not set). */
export function envsubst(
  text: string,
  lookup: (name: string) => string | undefined,
  opts: EnvsubstOptions = {},
): string {
  if (!text.includes("$")) return text;
  const nodes = new Parser(text).parseAll();
  let out = "";
  for (const n of nodes) out += evalNode(n, text, lookup, opts.strict ?? false);
  return out;
}

/** The names of the variables `text` refers to, in order of first use. */
export function referencedVariables(text: string): string[] {
  if (!text.includes("$")) return [];
  const names: string[] = [];
  const walk = (n: Node) => {
    if (typeof n === "string") return;
    if (!names.includes(n.param)) names.push(n.param);
    for (const a of n.args) walk(a);
  };
  for (const n of new Parser(text).parseAll()) walk(n);
  return names;
}

function evalNode(
  node: Node,
  src: string,
  lookup: (name: string) => string | undefined,
  strict: boolean,
): string {
  if (typeof node === "string") return node;
  const args = node.args.map((a) => evalNode(a, src, lookup, strict));
  const found = lookup(node.param);
  if (found === undefined && strict && !DEFAULT_OPS.has(node.op)) {
    throw new EnvsubstError("variable not set (strict mode)", src.slice(node.at, node.at + 40), node.param);
  }
  return apply(node.op, found ?? "", args);
}

class Parser {
  readonly src: string;
  i = 0;
  constructor(src: string) {
    this.src = src;
  }

  fail(problem: EnvsubstProblem, at: number): never {
    throw new EnvsubstError(problem, this.src.slice(at, at + 40));
  }

  parseAll(): Node[] {
    const { src } = this;
    const out: Node[] = [];
    let text = "";
    while (this.i < src.length) {
      const d = src.indexOf("$", this.i);
      if (d < 0) {
        text += src.slice(this.i);
        break;
      }
      text += src.slice(this.i, d);
      this.i = d;
      if (src[d + 1] === "{") {
        if (text) out.push(text);
        text = "";
        this.i = d + 2;
        out.push(this.func(d));
      } else if (src[d + 1] === "$") {
        text += "$";
        this.i = d + 2;
      } else {
        text += "$";
        this.i = d + 1;
      }
    }
    if (text) out.push(text);
    return out;
  }

  /** Parses after `${`; `at` is the offset of the `$`. */
  func(at: number): FuncNode {
    const { src } = this;
    if (src[this.i] === "#") {
      this.i++;
      const name = this.ident();
      if (!name) this.fail("bad substitution", at);
      this.closeBrace(at);
      return { param: name, op: "#", args: [], at };
    }
    const name = this.ident();
    if (!name) this.fail("unable to parse variable name", at);
    const c = src[this.i];
    switch (c) {
      case ":":
        return isDefaultOpChar(src[this.i + 1]) ? this.defaultFunc(name, at) : this.substrFunc(name, at);
      case "=":
        return this.defaultFunc(name, at);
      case ",":
      case "^":
        return this.casingFunc(name, at);
      case "/":
        return this.replaceFunc(name, at);
      case "#":
      case "%":
        return this.removeFunc(name, c, at);
      case "}":
        this.i++;
        return { param: name, op: "", args: [], at };
      default:
        return this.fail("missing closing brace", at);
    }
  }

  ident(): string {
    const start = this.i;
    const { src } = this;
    while (this.i < src.length) {
      const cp = src.codePointAt(this.i) ?? 0;
      const ch = String.fromCodePoint(cp);
      if (!/^[\p{L}\p{Nd}_]$/u.test(ch)) break;
      this.i += ch.length;
    }
    return src.slice(start, this.i);
  }

  closeBrace(at: number): void {
    if (this.src[this.i] !== "}") this.fail("bad substitution", at);
    this.i++;
  }

  /** One argument: a nested `${…}` or a run of accepted characters (with `$$`, `\/`, `\\` when escapes). */
  param(accept: (c: string) => boolean, escapes: boolean, at: number): Node {
    const { src } = this;
    if (src.startsWith("${", this.i)) {
      const nested = this.i;
      this.i += 2;
      return this.func(nested);
    }
    if (this.i >= src.length) this.fail("unable to parse substitution within function", at);
    let text = "";
    let first = true;
    while (this.i < src.length) {
      if (!first && src.startsWith("${", this.i)) break;
      const c = src[this.i] as string;
      const next = src[this.i + 1];
      if (escapes && ((c === "$" && next === "$") || (c === "\\" && (next === "/" || next === "\\")))) {
        text += next;
        this.i += 2;
        first = false;
        continue;
      }
      if (!accept(c)) {
        if (first) this.fail("unable to parse substitution within function", at);
        break;
      }
      text += c;
      this.i++;
      first = false;
    }
    return text;
  }

  defaultFunc(name: string, at: number): FuncNode {
    const { src } = this;
    const op = src[this.i] === "=" ? "=" : src.slice(this.i, this.i + 2);
    this.i += op.length;
    const args: Node[] = [];
    for (;;) {
      if (src[this.i] === "}") {
        this.i++;
        return { param: name, op, args, at };
      }
      args.push(this.param((c) => c !== "}", false, at));
    }
  }

  substrFunc(name: string, at: number): FuncNode {
    const { src } = this;
    this.i++;
    const args: Node[] = [this.param((c) => c !== ":" && c !== "}", false, at)];
    if (src[this.i] === "}") {
      this.i++;
      return { param: name, op: ":", args, at };
    }
    if (src[this.i] !== ":") this.fail("bad substitution", at);
    while (src[this.i] === ":") this.i++;
    args.push(this.param((c) => c !== "}", false, at));
    this.closeBrace(at);
    return { param: name, op: ":", args, at };
  }

  removeFunc(name: string, ch: string, at: number): FuncNode {
    const op = this.src[this.i + 1] === ch ? ch + ch : ch;
    this.i += op.length;
    const args = [this.param((c) => c !== "}", false, at)];
    this.closeBrace(at);
    return { param: name, op, args, at };
  }

  replaceFunc(name: string, at: number): FuncNode {
    const { src } = this;
    const second = src[this.i + 1];
    const op = second === "/" || second === "#" || second === "%" ? `/${second}` : "/";
    this.i += op.length;
    const args: Node[] = [this.param((c) => c !== "/", true, at)];
    if (src[this.i] !== "/") this.fail("bad substitution", at);
    while (src[this.i] === "/") this.i++;
    if (src[this.i] === "}") {
      this.i++;
      return { param: name, op, args, at };
    }
    args.push(this.param((c) => c !== "}", true, at));
    this.closeBrace(at);
    return { param: name, op, args, at };
  }

  casingFunc(name: string, at: number): FuncNode {
    const { src } = this;
    let op = "";
    while (op.length < 2 && (src[this.i] === "," || src[this.i] === "^")) op += src[this.i++];
    this.closeBrace(at);
    return { param: name, op, args: [], at };
  }
}

function apply(op: string, s: string, args: string[]): string {
  switch (op) {
    case ",":
      return mapFirst(s, (c) => c.toLowerCase());
    case ",,":
      return s.toLowerCase();
    case "^":
      return mapFirst(s, (c) => c.toUpperCase());
    case "^^":
      return s.toUpperCase();
    case "#":
      return args.length === 0 ? String(Buffer.byteLength(s)) : trimPrefix(s, args[0] as string, false);
    case "##":
      return trimPrefix(s, args[0] as string, true);
    case "%":
      return reverse(trimPrefix(reverse(s), reverse(args[0] as string), false));
    case "%%":
      return reverse(trimPrefix(reverse(s), reverse(args[0] as string), true));
    case ":":
      return substr(s, args);
    case "/#":
      return args.length === 2 && s.startsWith(args[0] as string)
        ? (args[1] as string) + s.slice((args[0] as string).length)
        : s;
    case "/%":
      return args.length === 2 && s.endsWith(args[0] as string)
        ? s.slice(0, s.length - (args[0] as string).length) + (args[1] as string)
        : s;
    case "/":
      return args.length === 0 ? s : s.replace(args[0] as string, () => args[1] ?? "");
    case "//":
      return args.length === 0 ? s : s.replaceAll(args[0] as string, () => args[1] ?? "");
    default:
      return s.length === 0 && args.length > 0 ? args.join("") : s;
  }
}

function isDefaultOpChar(c: string | undefined): boolean {
  return c === "=" || c === "-" || c === "?" || c === "+";
}

function mapFirst(s: string, f: (c: string) => string): string {
  if (s === "") return s;
  const first = String.fromCodePoint(s.codePointAt(0) ?? 0);
  return f(first) + s.slice(first.length);
}

function reverse(s: string): string {
  return Array.from(s).reverse().join("");
}

/** Strips the shortest (or longest) leading part of `s` that `pattern` matches. */
function trimPrefix(s: string, pattern: string, longest: boolean): string {
  let shortest = "";
  for (let i = 0; i < s.length; i++) {
    const candidate = s.slice(0, s.length - i);
    let matched: boolean;
    try {
      matched = globMatch(pattern, candidate);
    } catch (err) {
      if (err instanceof BadPatternError) return s;
      throw err;
    }
    if (!matched) continue;
    if (longest) return s.slice(candidate.length);
    shortest = candidate;
  }
  return shortest ? s.slice(shortest.length) : s;
}

const INT = /^[+-]?\d+$/;

/** `${v:pos}` and `${v:pos:len}` on bytes, with bash's handling of negative and out-of-range values. */
function substr(s: string, args: string[]): string {
  const b = Buffer.from(s);
  const p = args[0] ?? "";
  if (!INT.test(p)) return s;
  let pos = Number.parseInt(p, 10);
  if (pos < 0) pos = Math.max(0, b.length + pos);
  if (args.length === 1) return pos < b.length ? b.subarray(pos).toString() : "";
  const l = args[1] as string;
  if (!INT.test(l)) return s;
  const len = Number.parseInt(l, 10);
  // A negative length counts from the end, as in bash (upstream would panic on it).
  if (len < 0) return pos < b.length + len ? b.subarray(pos, b.length + len).toString() : "";
  if (pos + len >= b.length) return pos < b.length ? b.subarray(pos).toString() : "";
  return b.subarray(pos, pos + len).toString();
}
