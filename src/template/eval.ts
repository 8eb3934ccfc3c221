import type { GoFunc, ParamType } from "./funcs.ts";
import { paramTypeName } from "./funcs.ts";
import type { AnyNode, ArgNode, CommandNode, NumberValue, PipeNode } from "./node.ts";
import { nodeString } from "./node.ts";
import { Boxed, dig, ExecFailure, MISSING, maxExecDepth, Scope, unbox } from "./state.ts";
import { timeMethods } from "./time.ts";
import { GoNumber, GoTime, isMap, mapEntries, methodsOf, TypedMap, truth, typeName } from "./values.ts";

export abstract class Evaluator extends Scope {
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
    for (let i = 0; i < ident.length - 1; i++)
      r = this.evalField(dot, node, ident[i] as string, [], MISSING, r);
    return this.evalField(dot, node, ident[ident.length - 1] as string, args, final, r);
  }

  evalField(
    dot: unknown,
    node: AnyNode,
    fieldName: string,
    args: ArgNode[],
    final: unknown,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) {
      if (this.env.missingKey === "error")
        this.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    const typ = receiver instanceof Boxed ? "interface {}" : typeName(receiver);
    const r = unbox(receiver);
    if (r === null || r === undefined) this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (r instanceof GoTime) {
      // Methods come first in Go's field lookup; time.Time has no exported fields.
      const methods = timeMethods(r);
      const m = Object.hasOwn(methods, fieldName) ? methods[fieldName] : undefined;
      if (m) return this.evalCall(dot, m, node, fieldName, args, final);
      this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
    }
    const methods = methodsOf(r);
    if (methods && Object.hasOwn(methods, fieldName)) {
      return this.evalCall(dot, methods[fieldName] as GoFunc, node, fieldName, args, final);
    }
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
