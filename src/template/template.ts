/**
 * Template: a set of named trees sharing one function map, delimiters and missingkey option — Go's
 * *template.Template. `parse` adds the main tree and every `define`/`block`; `execute` runs one of them.
 */

import { TemplateError } from "./errors.ts";
import { type ExecEnv, ExecFailure, errorContext, execute, type MissingKey } from "./exec.ts";
import type { FuncMap } from "./funcs.ts";
import { isEmptyTree, ParseFailure, parseTrees, type Tree } from "./parse.ts";

export interface TemplateOptions {
  delims?: [string, string];
  missingKey?: MissingKey;
}

export class Template {
  readonly name: string;
  readonly delims: [string, string];
  readonly missingKey: MissingKey;
  readonly trees: Map<string, Tree>;
  funcs: FuncMap;
  /**
   * Set for Flux Operator's ResourceSet mode: execute() hands its data to the `inputs` function and runs
   * with a nil dot.
   */
  inputs: { value: unknown } | undefined;

  constructor(name: string, funcs: FuncMap, opts: TemplateOptions = {}, trees?: Map<string, Tree>) {
    this.name = name;
    this.funcs = funcs;
    this.delims = opts.delims ?? ["{{", "}}"];
    this.missingKey = opts.missingKey ?? "default";
    this.trees = trees ?? new Map();
  }

  /** Parses source as this template's body (plus its defines); returns this. Throws TemplateError. */
  parse(source: string, name = this.name): this {
    let trees: Map<string, Tree>;
    try {
      trees = parseTrees(name, source, {
        delims: this.delims,
        hasFunction: (n) => Object.hasOwn(this.funcs, n),
      });
    } catch (e) {
      if (e instanceof ParseFailure) {
        throw new TemplateError(e.message, { template: e.template, phase: "parse", line: e.line, cause: e });
      }
      throw e;
    }
    for (const [n, t] of trees) {
      const old = this.trees.get(n);
      if (old && isEmptyTree(t.root) && n !== name) continue;
      if (old && isEmptyTree(t.root) && !isEmptyTree(old.root)) continue;
      this.trees.set(n, t);
    }
    return this;
  }

  /** Names of the templates defined so far. */
  templateNames(): string[] {
    return [...this.trees.keys()];
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  /** A copy sharing nothing mutable with this template (Helm's tpl parses into a clone). */
  clone(name = this.name): Template {
    return new Template(
      name,
      this.funcs,
      { delims: this.delims, missingKey: this.missingKey },
      new Map(this.trees),
    );
  }

  /** Executes the named template (default: this one) against data. Throws TemplateError. */
  execute(data: unknown, name = this.name): string {
    const env: ExecEnv = { trees: this.trees, funcs: this.funcs, missingKey: this.missingKey };
    if (!this.trees.has(name)) {
      const msg =
        name === this.name
          ? `template: ${name}: ${JSON.stringify(name)} is an incomplete or empty template`
          : `template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.name)}`;
      throw new TemplateError(msg, { template: name, phase: "exec" });
    }
    const holder = this.inputs;
    const saved = holder?.value;
    if (holder) holder.value = data;
    try {
      return execute(env, name, holder ? undefined : data);
    } catch (e) {
      if (e instanceof ExecFailure) {
        const ctx = e.node ? errorContext(e.tree, e.node) : undefined;
        throw new TemplateError(e.message, {
          template: e.tree.parseName,
          phase: "exec",
          line: ctx?.line,
          column: ctx?.col,
          action: ctx?.context,
          cause: e.cause2,
        });
      }
      throw e;
    } finally {
      if (holder) holder.value = saved;
    }
  }
}
