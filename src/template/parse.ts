/**
 * The parser of Go's template language: turns a source into named trees (the main template plus every
 * `define`/`block`), reporting errors the way Go does (`template: NAME:LINE: …`). Function names are
 * checked at parse time against the function set the caller passes.
 */
import { type Item, type ItemType, itemString, lex } from "./lex.ts";
import type { ArgNode, CommandNode, ListNode, Node, NumberValue, PipeNode, VariableNode } from "./node.ts";
import { nodeString } from "./node.ts";
import { NumberSyntaxError, parseNumber } from "./number.ts";
import { unquoteGo } from "./unquote.ts";

export interface Tree {
  name: string;
  /** Name of the template whose source this tree was parsed from (for error locations). */
  parseName: string;
  text: string;
  root: ListNode;
}

export class ParseFailure extends Error {
  override name = "ParseFailure";
  readonly line: number;
  readonly template: string;
  constructor(message: string, template: string, line: number) {
    super(message);
    this.template = template;
    this.line = line;
  }
}

export interface ParseOptions {
  delims?: [string, string];
  /** Reports whether a function name exists (builtins and the library). */
  hasFunction: (name: string) => boolean;
}

export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return n.text.trim() === "";
    default:
      return false;
  }
}

/** Parses `text` as template `name`; returns every tree it defines, the main one under `name`. */
export function parseTrees(name: string, text: string, opts: ParseOptions): Map<string, Tree> {
  const [ld, rd] = opts.delims ?? ["{{", "}}"];
  const items = lex(text, ld, rd, !opts.hasFunction("break"));
  const p = new Parser(name, text, items, opts);
  return p.parseAll();
}

class Parser {
  readonly parseName: string;
  readonly text: string;
  readonly items: Item[];
  readonly opts: ParseOptions;
  readonly trees = new Map<string, Tree>();
  idx = 0;
  token: Item[] = [];
  peekCount = 0;
  vars: string[] = ["$"];
  rangeDepth = 0;
  actionLine = 0;
  depth = 0;

  constructor(name: string, text: string, items: Item[], opts: ParseOptions) {
    this.parseName = name;
    this.text = text;
    this.items = items;
    this.opts = opts;
  }

  private lexNext(): Item {
    const it = this.items[this.idx] ?? this.items[this.items.length - 1];
    if (this.idx < this.items.length - 1) this.idx++;
    return it as Item;
  }

  next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lexNext();
    return this.token[this.peekCount] as Item;
  }
  backup(): void {
    this.peekCount++;
  }
  backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lexNext();
    return this.token[0];
  }
  nextNonSpace(): Item {
    let t: Item;
    for (;;) {
      t = this.next();
      if (t.type !== "space") break;
    }
    return t;
  }
  peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  errorf(msg: string): never {
    const line = this.token[0]?.line ?? 1;
    throw new ParseFailure(`template: ${this.parseName}:${line}: ${msg}`, this.parseName, line);
  }

  unexpected(token: Item, context: string): never {
    if (token.type === "error") {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  expect(type: ItemType, context: string): Item {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  add(name: string, root: ListNode): void {
    const old = this.trees.get(name);
    if (old && !isEmptyTree(old.root) && !isEmptyTree(root)) {
      this.errorf(`template: multiple definition of template ${JSON.stringify(name)}`);
    }
    if (old && isEmptyTree(root)) return;
    this.trees.set(name, { name, parseName: this.parseName, text: this.text, root });
  }

  parseAll(): Map<string, Tree> {
    const root: ListNode = { type: "list", pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== "EOF") {
      if (this.peek().type === "leftDelim") {
        const delim = this.next();
        if (this.nextNonSpace().type === "define") {
          this.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    // The main template is added last so that an empty main body does not replace a define of the same name.
    this.add(this.parseName, root);
    return this.trees;
  }

  parseDefinition(): void {
    const context = "define clause";
    const name = this.parseTemplateName(this.nextNonSpace(), context);
    this.expect("rightDelim", context);
    const saved = this.vars;
    this.vars = ["$"];
    const [list, end] = this.itemList();
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add(name, list);
    this.vars = saved;
  }

  parseTemplateName(token: Item, context: string): string {
    if (token.type === "string" || token.type === "rawString") {
      try {
        return unquoteGo(token.val);
      } catch (e) {
        this.errorf((e as Error).message);
      }
    }
    this.unexpected(token, context);
  }

  itemList(): [ListNode, Node] {
    const list: ListNode = { type: "list", pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== "EOF") {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "text":
        return { type: "text", pos: token.pos, text: token.val };
      case "leftDelim": {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
    }
    this.unexpected(token, "input");
  }

  action(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "block":
        return this.blockControl();
      case "break":
        return this.breakControl(token, "break");
      case "continue":
        return this.breakControl(token, "continue");
      case "else":
        return this.elseControl();
      case "end":
        return { type: "end", pos: this.expect("rightDelim", "end").pos, line: token.line };
      case "if":
        return this.control("if");
      case "range":
        return this.control("range");
      case "template":
        return this.templateControl();
      case "with":
        return this.control("with");
    }
    this.backup();
    const t = this.peek();
    return { type: "action", pos: t.pos, line: t.line, pipe: this.pipeline("command", "rightDelim") };
  }

  breakControl(token: Item, kind: "break" | "continue"): Node {
    const t = this.nextNonSpace();
    if (t.type !== "rightDelim") this.unexpected(t, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { type: kind, pos: token.pos, line: token.line };
  }

  elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.type === "if" || peek.type === "with") return { type: "else", pos: peek.pos, line: peek.line };
    const t = this.expect("rightDelim", "else");
    return { type: "else", pos: t.pos, line: t.line };
  }

  control(context: "if" | "with" | "range"): Node {
    const nvars = this.vars.length;
    try {
      const pipe = this.pipeline(context, "rightDelim");
      if (context === "range") this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === "else") {
        if (
          (context === "if" && this.peek().type === "if") ||
          (context === "with" && this.peek().type === "with")
        ) {
          elseList = { type: "list", pos: next.pos, nodes: [] };
          this.next();
          elseList.nodes.push(this.control(context));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== "end") this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = nvars;
    }
  }

  blockControl(): Node {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, "rightDelim");
    const saved = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ["$"];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.vars = saved;
    this.rangeDepth = savedRange;
    this.add(name, list);
    return { type: "template", pos: token.pos, line: token.line, name, pipe };
  }

  templateControl(): Node {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== "rightDelim") {
      this.backup();
      pipe = this.pipeline(context, "rightDelim");
    }
    return { type: "template", pos: token.pos, line: token.line, name, pipe };
  }

  pipeline(context: string, end: ItemType): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = {
      type: "pipe",
      pos: token.pos,
      line: token.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type === "variable") {
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.type === "assign" || next.type === "declare") {
          pipe.isAssign = next.type === "assign";
          this.nextNonSpace();
          pipe.decl.push({ type: "variable", pos: v.pos, ident: [v.val] });
          this.vars.push(v.val);
        } else if (next.type === "char" && next.val === ",") {
          this.nextNonSpace();
          pipe.decl.push({ type: "variable", pos: v.pos, ident: [v.val] });
          this.vars.push(v.val);
          if (context === "range" && pipe.decl.length < 2) {
            const pk = this.peekNonSpace().type;
            if (pk === "variable" || pk === "rightDelim" || pk === "rightParen") continue;
            this.errorf("range can only initialize variables");
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.type === "space") {
          this.backup3(v, tokenAfterVariable);
        } else {
          this.backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (token.type) {
        case "bool":
        case "charConstant":
        case "complex":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]?.type;
      if (t === "bool" || t === "dot" || t === "nil" || t === "number" || t === "string") {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  command(): CommandNode {
    const cmd: CommandNode = { type: "command", pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === "space") continue;
      if (token.type === "rightDelim" || token.type === "rightParen") this.backup();
      else if (token.type !== "pipe") this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  operand(): ArgNode | undefined {
    let node = this.term();
    if (!node) return undefined;
    if (this.peek().type === "field") {
      const pos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().type === "field") fields.push(this.next().val.slice(1));
      switch (node.type) {
        case "field":
          node = { type: "field", pos, ident: [...node.ident, ...fields] };
          break;
        case "variable":
          node = { type: "variable", pos, ident: [...node.ident, ...fields] };
          break;
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
          break;
        default:
          node = { type: "chain", pos, node, field: fields };
      }
    }
    return node;
  }

  term(): ArgNode | undefined {
    const token = this.nextNonSpace();
    switch (token.type) {
      case "identifier":
        if (!this.opts.hasFunction(token.val))
          this.errorf(`function ${JSON.stringify(token.val)} not defined`);
        return { type: "identifier", pos: token.pos, ident: token.val };
      case "dot":
        return { type: "dot", pos: token.pos };
      case "nil":
        return { type: "nil", pos: token.pos };
      case "variable":
        return this.useVar(token.pos, token.val);
      case "field":
        return { type: "field", pos: token.pos, ident: [token.val.slice(1)] };
      case "bool":
        return { type: "bool", pos: token.pos, value: token.val === "true" };
      case "charConstant":
      case "complex":
      case "number":
        return { type: "number", pos: token.pos, num: this.newNumber(token.val, token.type) };
      case "leftParen": {
        if (++this.depth > 10000) this.errorf("max expression depth exceeded");
        const pipe = this.pipeline("parenthesized pipeline", "rightParen");
        this.depth--;
        return pipe;
      }
      case "string":
      case "rawString":
        try {
          return { type: "string", pos: token.pos, quoted: token.val, text: unquoteGo(token.val) };
        } catch (e) {
          this.errorf((e as Error).message);
        }
    }
    this.backup();
    return undefined;
  }

  useVar(pos: number, name: string): VariableNode {
    const ident = name.split(".");
    if (!this.vars.includes(ident[0] as string))
      this.errorf(`undefined variable ${JSON.stringify(ident[0])}`);
    return { type: "variable", pos, ident };
  }

  newNumber(text: string, type: ItemType): NumberValue {
    try {
      return parseNumber(text, type);
    } catch (e) {
      if (e instanceof NumberSyntaxError) this.errorf(e.message);
      throw e;
    }
  }
}
