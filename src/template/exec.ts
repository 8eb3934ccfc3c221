/**
 * The executor: walks a parsed tree against data, following Go's text/template semantics — variables and
 * scoping, truthiness, `range` over slices, maps (sorted keys) and integers with `break`/`continue`,
 * `with`, `template`, field chains with the missingkey option, typed function calls, and Go's error texts.
 */
import { defaultSpec, formatValue } from "./fmt.ts";
import type { FuncMap, GoFunc, ParamType } from "./funcs.ts";
import { paramTypeName } from "./funcs.ts";
import type {
  AnyNode,
  ArgNode,
  CommandNode,
  ControlNode,
  ListNode,
  Node,
  NumberValue,
  PipeNode,
} from "./node.ts";
import { nodeString } from "./node.ts";
import type { Tree } from "./parse.ts";
import {
  GoNumber,
  isMap,
  isNumber,
  isSlice,
  mapEntries,
  numValue,
  sliceItems,
  sortedKeys,
  TypedMap,
  TypedSlice,
  truth,
  typeName,
} from "./values.ts";

export type MissingKey = "default" | "zero" | "error";

/** A value held in an `interface {}` slot (a map value or slice element not yet unwrapped). */
export class Boxed {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

/** Unwraps an interface value the way evalPipeline does: nil inside becomes the invalid value. */
export function dig(v: unknown): unknown {
  if (v instanceof Boxed) return v.value === null ? undefined : v.value;
  return v;
}

/** Unwraps for passing to a Go function taking interface{} (nil stays nil). */
function unbox(v: unknown): unknown {
  return v instanceof Boxed ? v.value : v;
}

export class ExecFailure extends Error {
  override name = "ExecFailure";
  readonly node: AnyNode | undefined;
  readonly tree: Tree;
  readonly cause2: unknown;
  constructor(message: string, tree: Tree, node: AnyNode | undefined, cause?: unknown) {
    super(message);
    this.tree = tree;
    this.node = node;
    this.cause2 = cause;
  }
}

const BREAK = Symbol("break");
const CONTINUE = Symbol("continue");
const maxExecDepth = 100000;

export interface ExecEnv {
  trees: Map<string, Tree>;
  funcs: FuncMap;
  missingKey: MissingKey;
}

/** Go's ErrorContext: "name:line:col" (col 0-based bytes) and the node text, shortened to 20 chars. */
export function errorContext(
  tree: Tree,
  node: AnyNode,
): { location: string; context: string; line: number; col: number } {
  const pos = node.pos;
  const text = tree.text.slice(0, pos);
  const nl = text.lastIndexOf("\n");
  const col = new TextEncoder().encode(nl < 0 ? text : text.slice(nl + 1)).length;
  const line = 1 + (text.match(/\n/g)?.length ?? 0);
  const context = nodeString(node);
  return { location: `${tree.parseName}:${line}:${col}`, context, line, col };
}

interface Var {
  name: string;
  value: unknown;
}

class State {
  tree: Tree;
  readonly env: ExecEnv;
  out: string[];
  node: AnyNode | undefined;
  vars: Var[];
  depth: number;

  constructor(env: ExecEnv, tree: Tree, out: string[], vars: Var[], depth: number) {
    this.env = env;
    this.tree = tree;
    this.out = out;
    this.vars = vars;
    this.depth = depth;
  }

  at(n: AnyNode): void {
    this.node = n;
  }

  errorf(msg: string, cause?: unknown): never {
    const name = this.tree.name;
    if (this.node === undefined)
      throw new ExecFailure(`template: ${name}: ${msg}`, this.tree, undefined, cause);
    const { location, context } = errorContext(this.tree, this.node);
    throw new ExecFailure(
      `template: ${location}: executing ${goQuoteName(name)} at <${context}>: ${msg}`,
      this.tree,
      this.node,
      cause,
    );
  }

  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Var;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Var).value = value;
  }
  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Var;
      if (v.name === name) return v.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
      case "if":
      case "with":
        this.walkIfOrWith(node.type, dot, node.pipe, node.list, node.elseList);
        return;
      case "list":
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case "range":
        this.walkRange(dot, node);
        return;
      case "template":
        this.walkTemplate(dot, node);
        return;
      case "text":
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  walkIfOrWith(
    type: "if" | "with",
    dot: unknown,
    pipe: PipeNode,
    list: ListNode,
    elseList: ListNode | undefined,
  ): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      if (truth(val)) this.walk(type === "with" ? val : dot, list);
      else if (elseList) this.walk(dot, elseList);
    } finally {
      this.pop(mark);
    }
  }

  walkRange(dot: unknown, r: ControlNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const one = (index: unknown, elem: unknown): boolean => {
        if (r.pipe.decl.length > 0) {
          if (r.pipe.isAssign) {
            this.setVar(r.pipe.decl[0]?.ident[0] as string, r.pipe.decl.length > 1 ? index : elem);
          } else this.setTopVar(1, elem);
        }
        if (r.pipe.decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(r.pipe.decl[1]?.ident[0] as string, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      if (
        isNumber(val) &&
        !(val instanceof GoNumber && val.type === "float64") &&
        Number.isInteger(numValue(val))
      ) {
        if (r.pipe.decl.length > 1)
          this.errorf(
            `can't use ${formatValue(val, "v", defaultSpec)} to iterate over more than one variable`,
          );
        const n = numValue(val);
        if (n > 0) {
          const t = val instanceof GoNumber ? val.type : "int64";
          for (let i = 0; i < n; i++) {
            if (!one(undefined, t === "int64" ? i : new GoNumber(i, t))) break;
          }
          return;
        }
      } else if (isSlice(val) || val instanceof Uint8Array) {
        const items = sliceItems(val);
        const boxed = Array.isArray(val);
        if (items.length > 0) {
          for (let i = 0; i < items.length; i++) {
            const e = items[i];
            if (!one(new GoNumber(i, "int"), boxed ? new Boxed(e) : e)) break;
          }
          return;
        }
      } else if (isMap(val)) {
        const m = mapEntries(val);
        const keys = sortedKeys(m);
        if (keys.length > 0) {
          const boxed = !(val instanceof TypedMap);
          for (const k of keys) {
            if (!one(k, boxed ? new Boxed(m[k]) : m[k])) break;
          }
          return;
        }
      } else if (val !== undefined && val !== null) {
        this.errorf(`range can't iterate over ${formatValue(val, "v", defaultSpec)}`);
      }
      if (r.elseList) {
        // As in Go, a {{break}} reached in the else branch ends this range statement (which has nothing
        // left to iterate), not the enclosing one; a {{continue}} goes on to the enclosing range.
        try {
          this.walk(dot, r.elseList);
        } catch (e) {
          if (e !== BREAK) throw e;
        }
      }
    } finally {
      this.pop(outer);
    }
  }

  walkTemplate(dot: unknown, t: Extract<Node, { type: "template" }>): void {
    this.at(t);
    const tree = this.env.trees.get(t.name);
    if (!tree) this.errorf(`template ${goQuoteName(t.name)} not defined`);
    if (this.depth >= maxExecDepth) this.errorf(`exceeded maximum template depth (${maxExecDepth})`);
    const d = this.evalPipeline(dot, t.pipe);
    const s = new State(this.env, tree, this.out, [{ name: "$", value: d }], this.depth + 1);
    try {
      s.walk(d, tree.root);
    } catch (e) {
      // JavaScript's stack ends long before Go's depth limit: report it the way Go reports runaway recursion.
      if (e instanceof RangeError) {
        this.at(t);
        this.errorf(`exceeded maximum template depth (${maxExecDepth})`);
      }
      throw e;
    }
  }

  evalPipeline(dot: unknown, pipe: PipeNode | undefined): unknown {
    if (!pipe) return undefined;
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = dig(this.evalCommand(dot, cmd, value));
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0] as string, value);
      else this.push(v.ident[0] as string, value);
    }
    return value;
  }

  notAFunction(args: ArgNode[], final: unknown): void {
    if (args.length > 1 || final !== MISSING)
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as ArgNode)}`);
  }

  evalCommand(dot: unknown, cmd: CommandNode, final: unknown): unknown {
    const first = cmd.args[0] as ArgNode;
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
        break;
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  idealConstant(n: Extract<ArgNode, { type: "number" }>): unknown {
    this.at(n);
    const c = n.num;
    if (c.isFloat && !/^[+-]?0[xX]/.test(c.text) && !c.text.includes("'") && /[.eEpP]/.test(c.text)) {
      return Number.isInteger(c.float) ? new GoNumber(c.float, "float64") : c.float;
    }
    if (c.isInt) {
      if (c.int > BigInt(Number.MAX_SAFE_INTEGER) || c.int < BigInt(Number.MIN_SAFE_INTEGER)) {
        // Past 53 bits a JavaScript number is inexact: keep the exact value as a bigint.
        return c.int;
      }
      return new GoNumber(Number(c.int), "int");
    }
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return undefined;
  }

  evalFieldNode(
    dot: unknown,
    field: Extract<ArgNode, { type: "field" }>,
    args: ArgNode[],
    final: unknown,
  ): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  evalChainNode(
    dot: unknown,
    chain: Extract<ArgNode, { type: "chain" }>,
    args: ArgNode[],
    final: unknown,
  ): unknown {
    this.at(chain);
    if (chain.node.type === "nil") this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  evalVariableNode(
    dot: unknown,
    v: Extract<ArgNode, { type: "variable" }>,
    args: ArgNode[],
    final: unknown,
  ): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0] as string);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: AnyNode,
    ident: string[],
    args: ArgNode[],
    final: unknown,
  ): unknown {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(ident[i] as string, [], MISSING, r);
    return this.evalField(ident[ident.length - 1] as string, args, final, r);
  }

  evalField(fieldName: string, args: ArgNode[], final: unknown, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.env.missingKey === "error")
        this.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    const typ = receiver instanceof Boxed ? "interface {}" : typeName(receiver);
    const r = unbox(receiver);
    if (r === null || r === undefined) this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (isMap(r)) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const m = mapEntries(r);
      if (Object.hasOwn(m, fieldName)) {
        const v = m[fieldName];
        return r instanceof TypedMap ? v : new Boxed(v);
      }
      switch (this.env.missingKey) {
        case "zero":
          return r instanceof TypedMap ? zeroOf(r.elem) : new Boxed(null);
        case "error":
          this.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
          break;
      }
      return undefined;
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  evalFunction(
    dot: unknown,
    node: Extract<ArgNode, { type: "identifier" }>,
    cmd: AnyNode,
    args: ArgNode[] | undefined,
    final: unknown,
  ): unknown {
    this.at(node);
    const name = node.ident;
    const f = this.env.funcs[name];
    if (!f) this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, f, cmd, name, args, final);
  }

  evalCall(
    dot: unknown,
    f: GoFunc,
    node: AnyNode,
    name: string,
    argNodes: ArgNode[] | undefined,
    final: unknown,
  ): unknown {
    const args = argNodes ? argNodes.slice(1) : [];
    let numIn = args.length;
    if (final !== MISSING) numIn++;
    let numFixed = args.length;
    if (f.variadic !== undefined) {
      numFixed = f.params.length;
      if (numIn < numFixed)
        this.errorf(`wrong number of args for ${name}: want at least ${f.params.length} got ${args.length}`);
    } else if (numIn !== f.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${f.params.length} got ${numIn}`);
    }
    if ((name === "and" || name === "or") && this.env.funcs[name] === f && f.variadic === "value") {
      let v: unknown;
      for (const a of args) {
        v = this.evalArg(dot, "value", a);
        if (truth(dig(v)) === (name === "or")) return v;
      }
      if (final !== MISSING) v = this.validateType(final, "value");
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++)
      argv.push(this.evalArg(dot, f.params[i] as ParamType, args[i] as ArgNode));
    if (f.variadic !== undefined)
      for (; i < args.length; i++) argv.push(this.evalArg(dot, f.variadic, args[i] as ArgNode));
    if (final !== MISSING) {
      let t: ParamType = (f.params[f.params.length - 1] ?? f.variadic) as ParamType;
      if (f.variadic !== undefined)
        t = numIn - 1 < numFixed ? (f.params[numIn - 1] as ParamType) : f.variadic;
      argv.push(this.validateType(final, t));
    }
    let v: unknown;
    try {
      v = (f.fn as (...a: unknown[]) => unknown)(...argv);
    } catch (e) {
      if (e instanceof ExecFailure) throw e;
      if (e instanceof RangeError && e.message.includes("call stack")) {
        this.errorf(`exceeded maximum template depth (${maxExecDepth})`);
      }
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    // A nil result of an interface{}-returning function is an interface slot holding nil.
    return v === null ? new Boxed(null) : v;
  }

  validateType(value: unknown, typ: ParamType | undefined): unknown {
    if (value === undefined) {
      if (typ === undefined || typ === "value") return undefined;
      if (typ === "any") return null;
      if (typ === "[]any" || typ === "[]string" || typ === "map") return typ === "map" ? null : [];
      this.errorf(`invalid value; expected ${paramTypeName(typ)}`);
    }
    if (typ === undefined || typ === "value") return value;
    if (typ === "any") return unbox(value);
    const inner = unbox(value);
    if (inner === null) this.errorf(`wrong type for value; expected ${paramTypeName(typ)}; got interface {}`);
    if (!assignable(inner, typ))
      this.errorf(`wrong type for value; expected ${paramTypeName(typ)}; got ${typeName(inner)}`);
    return inner;
  }

  evalArg(dot: unknown, typ: ParamType | undefined, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.validateType(dot, typ);
      case "nil":
        if (
          typ === undefined ||
          typ === "any" ||
          typ === "value" ||
          typ === "[]any" ||
          typ === "[]string" ||
          typ === "map"
        ) {
          return typ === "value" ? undefined : null;
        }
        this.errorf(`cannot assign nil to ${paramTypeName(typ)}`);
        break;
      case "field":
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case "variable":
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), typ);
      case "pipe":
        return this.validateType(this.evalPipeline(dot, n), typ);
      case "identifier":
        return this.validateType(this.evalFunction(dot, n, n, undefined, MISSING), typ);
      case "chain":
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), typ);
    }
    switch (typ) {
      case "bool":
        if (n.type === "bool") return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
        break;
      case "float64":
        if (n.type === "number" && n.num.isFloat) return floatConst(n.num);
        this.errorf(`expected float; found ${nodeString(n)}`);
        break;
      case "int":
      case "int64":
        if (n.type === "number" && n.num.isInt)
          return typ === "int" ? new GoNumber(Number(n.num.int), "int") : Number(n.num.int);
        this.errorf(`expected integer; found ${nodeString(n)}`);
        break;
      case "uint32":
        if (n.type === "number" && n.num.isUint) return new GoNumber(Number(n.num.int), "int");
        this.errorf(`expected unsigned integer; found ${nodeString(n)}`);
        break;
      case "string":
        if (n.type === "string") return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
        break;
      case undefined:
      case "any":
      case "value":
        return this.evalEmptyInterface(dot, n);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${paramTypeName(typ)}`);
  }

  evalEmptyInterface(dot: unknown, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
    }
    return this.evalArg(dot, "any", n);
  }

  printValue(n: AnyNode, v: unknown): void {
    this.at(n);
    const d = dig(v);
    this.out.push(d === undefined ? "<no value>" : formatValue(d, "v", defaultSpec));
  }
}

function floatConst(num: NumberValue): number | GoNumber {
  return Number.isInteger(num.float) ? new GoNumber(num.float, "float64") : num.float;
}

function zeroOf(elem: string): unknown {
  switch (elem) {
    case "string":
      return "";
    case "bool":
      return false;
    case "int":
      return new GoNumber(0, "int");
    case "int64":
      return 0;
    case "float64":
      return new GoNumber(0, "float64");
  }
  return null;
}

function assignable(v: unknown, typ: ParamType): boolean {
  const t = typeName(v);
  switch (typ) {
    case "string":
      return t === "string";
    case "bool":
      return t === "bool";
    case "int":
      return t === "int";
    case "int64":
      return t === "int64";
    case "float64":
      return t === "float64";
    case "uint32":
      return t === "uint32";
    case "[]any":
      return t === "[]interface {}";
    case "[]string":
      return t === "[]string";
    case "map":
      return t === "map[string]interface {}";
    case "time":
      return t === "time.Time";
  }
  return true;
}

/** Marker for "no final value from a previous pipeline stage". */
export const MISSING: unique symbol = Symbol("missing");

export function goQuoteName(s: string): string {
  return JSON.stringify(s);
}

/** Executes the tree `name` with data, returning the output. Throws ExecFailure. */
export function execute(env: ExecEnv, name: string, data: unknown): string {
  const tree = env.trees.get(name);
  const out: string[] = [];
  if (!tree)
    throw new ExecFailure(
      `template: no template ${goQuoteName(name)} associated with template ${goQuoteName(name)}`,
      { name, parseName: name, text: "", root: { type: "list", pos: 0, nodes: [] } },
      undefined,
    );
  const dot = data === null ? undefined : data;
  const s = new State(env, tree, out, [{ name: "$", value: dot }], 0);
  try {
    s.walk(dot, tree.root);
  } catch (e) {
    if (e instanceof RangeError && e.message.includes("call stack"))
      s.errorf(`exceeded maximum template depth (${maxExecDepth})`);
    throw e;
  }
  return out.join("");
}

export { isSlice, TypedSlice };
