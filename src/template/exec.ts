/**
 * The executor: walks a parsed tree against data, following Go's text/template semantics — text and
 * actions, truthiness, `if`/`with`, `range` over slices, maps (sorted keys) and integers with
 * `break`/`continue`, and `template` calls. Expressions are evaluated by eval.ts.
 */
import { Evaluator } from "./eval.ts";
import { defaultSpec, formatValue } from "./fmt.ts";
import type { AnyNode, ControlNode, ListNode, Node, PipeNode } from "./node.ts";
import { nodeString } from "./node.ts";
import type { Tree } from "./parse.ts";
import {
  Boxed,
  BREAK,
  CONTINUE,
  dig,
  type ExecEnv,
  ExecFailure,
  goQuoteName,
  maxExecDepth,
  type Var,
} from "./state.ts";
import {
  GoNumber,
  isInt,
  isMap,
  isSlice,
  mapEntries,
  numValue,
  sliceItems,
  sortedKeys,
  stringerOf,
  TypedMap,
  TypedSlice,
  truth,
} from "./values.ts";

export type { ExecEnv, MissingKey } from "./state.ts";
export { Boxed, dig, ExecFailure, errorContext, goQuoteName, MISSING } from "./state.ts";

class State extends Evaluator {
  constructor(env: ExecEnv, tree: Tree, out: string[], vars: Var[], depth: number) {
    super(env, tree, out, vars, depth);
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
      if (isInt(val)) {
        if (r.pipe.decl.length > 1)
          this.errorf(
            `can't use ${formatValue(val, "v", defaultSpec)} to iterate over more than one variable`,
          );
        const n = numValue(val as number);
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

  printValue(n: AnyNode, v: unknown): void {
    this.at(n);
    const d = dig(v);
    const stringer = stringerOf(d);
    this.out.push(d === undefined ? "<no value>" : stringer ? stringer() : formatValue(d, "v", defaultSpec));
  }
}

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
