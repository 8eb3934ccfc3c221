import type { FuncMap } from "./funcs.ts";
import type { AnyNode } from "./node.ts";
import { nodeString } from "./node.ts";
import type { Tree } from "./parse.ts";

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
export function unbox(v: unknown): unknown {
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

export const BREAK = Symbol("break");
export const CONTINUE = Symbol("continue");
export const maxExecDepth = 100000;

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

export interface Var {
  name: string;
  value: unknown;
}

/** Variables, the current node for error reporting, and the output of one template execution. */
export class Scope {
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
}

export const MISSING: unique symbol = Symbol("missing");

export function goQuoteName(s: string): string {
  return JSON.stringify(s);
}

/** Executes the tree `name` with data, returning the output. Throws ExecFailure. */
