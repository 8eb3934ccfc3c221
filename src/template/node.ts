/**
 * Parse-tree nodes of Go's template language and their Go `String()` forms (used in error contexts such
 * as `executing "t" at <.a.b>`).
 */

export interface NumberValue {
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int: bigint;
  float: number;
  text: string;
}

export type Node =
  | { type: "text"; pos: number; text: string }
  | { type: "action"; pos: number; line: number; pipe: PipeNode }
  | { type: "list"; pos: number; nodes: Node[] }
  | {
      type: "if" | "with" | "range";
      pos: number;
      line: number;
      pipe: PipeNode;
      list: ListNode;
      elseList?: ListNode;
    }
  | { type: "template"; pos: number; line: number; name: string; pipe?: PipeNode }
  | { type: "break" | "continue"; pos: number; line: number }
  | { type: "end" | "else"; pos: number; line: number };

export type ListNode = Extract<Node, { type: "list" }>;
export type ControlNode = Extract<Node, { type: "if" | "with" | "range" }>;

export interface PipeNode {
  type: "pipe";
  pos: number;
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}

export interface CommandNode {
  type: "command";
  pos: number;
  args: ArgNode[];
}

export interface VariableNode {
  type: "variable";
  pos: number;
  ident: string[];
}

export type ArgNode =
  | { type: "field"; pos: number; ident: string[] }
  | VariableNode
  | { type: "identifier"; pos: number; ident: string }
  | { type: "chain"; pos: number; node: ArgNode; field: string[] }
  | PipeNode
  | { type: "dot"; pos: number }
  | { type: "nil"; pos: number }
  | { type: "bool"; pos: number; value: boolean }
  | { type: "number"; pos: number; num: NumberValue }
  | { type: "string"; pos: number; quoted: string; text: string };

export type AnyNode = Node | PipeNode | CommandNode | ArgNode;

export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case "text":
      return n.text;
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "list":
      return n.nodes.map(nodeString).join("");
    case "if":
    case "with":
    case "range": {
      let s = `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList) s += `{{else}}${nodeString(n.elseList)}`;
      return `${s}{{end}}`;
    }
    case "template":
      return n.pipe
        ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}`
        : `{{template ${JSON.stringify(n.name)}}}`;
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "end":
      return "{{end}}";
    case "else":
      return "{{else}}";
    case "pipe": {
      let s = "";
      if (n.decl.length > 0) s = `${n.decl.map(nodeString).join(", ")} ${n.isAssign ? "=" : ":="} `;
      return s + n.cmds.map(nodeString).join(" | ");
    }
    case "command":
      return n.args.map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a))).join(" ");
    case "field":
      return n.ident.map((f) => `.${f}`).join("");
    case "variable":
      return n.ident.join(".");
    case "identifier":
      return n.ident;
    case "chain": {
      let s = nodeString(n.node);
      if (n.node.type === "pipe") s = `(${s})`;
      return s + n.field.map((f) => `.${f}`).join("");
    }
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(n.value);
    case "number":
      return n.num.text;
    case "string":
      return n.quoted;
  }
}
