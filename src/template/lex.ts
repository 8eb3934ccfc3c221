/**
 * The lexer of Go's template language: splits a template into text and action tokens, honouring custom
 * delimiters, trim markers (`{{- ` and ` -}}`) and comments. Positions are UTF-16 offsets into the source;
 * lines start at 1. Lexical errors come back as an "error" item, as in Go.
 */

export type ItemType =
  | "error"
  | "bool"
  | "char"
  | "charConstant"
  | "complex"
  | "assign"
  | "declare"
  | "EOF"
  | "field"
  | "identifier"
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe"
  | "rawString"
  | "rightDelim"
  | "rightParen"
  | "space"
  | "string"
  | "text"
  | "variable"
  // keywords
  | "block"
  | "break"
  | "continue"
  | "dot"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

export interface Item {
  type: ItemType;
  pos: number;
  val: string;
  line: number;
}

const keywords: Record<string, ItemType> = {
  ".": "dot",
  block: "block",
  break: "break",
  continue: "continue",
  define: "define",
  else: "else",
  end: "end",
  if: "if",
  range: "range",
  nil: "nil",
  template: "template",
  with: "with",
};

export function isKeyword(t: ItemType): boolean {
  return Object.values(keywords).includes(t);
}

/** Go's item String(), used in "unexpected X in Y" messages. */
export function itemString(i: Item): string {
  switch (i.type) {
    case "EOF":
      return "EOF";
    case "error":
      return i.val;
  }
  if (isKeyword(i.type)) return `<${i.val}>`;
  if ([...i.val].length > 10) return `${goQuote([...i.val].slice(0, 10).join(""))}...`;
  return goQuote(i.val);
}

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

const spaceChars = " \t\r\n";

function isSpace(c: string | undefined): boolean {
  return c !== undefined && c !== "" && spaceChars.includes(c);
}

function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined || c === "") return false;
  return c === "_" || /[\p{L}\p{Nd}]/u.test(c);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === "-" && isSpace(s[at + 1]);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === "-";
}

/** Formats a rune as Go's %#U does: U+0041 'A'. */
export function runeU(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")} '${c}'`;
}

/** Tokenizes a whole template. The last item is EOF or error. */
export function lex(input: string, leftDelim = "{{", rightDelim = "}}", breakOK = true): Item[] {
  const items: Item[] = [];
  const ld = leftDelim === "" ? "{{" : leftDelim;
  const rd = rightDelim === "" ? "}}" : rightDelim;
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;
  let done = false;

  const countNL = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i++) if (input.charCodeAt(i) === 10) n++;
    return n;
  };
  const emit = (type: ItemType): void => {
    items.push({ type, pos: start, val: input.slice(start, pos), line: startLine });
    line = startLine + countNL(start, pos);
    start = pos;
    startLine = line;
  };
  const ignore = (): void => {
    line += countNL(start, pos);
    start = pos;
    startLine = line;
  };
  const error = (msg: string): void => {
    items.push({ type: "error", pos: start, val: msg, line: startLine });
    done = true;
  };
  const peekChar = (): string => {
    if (pos >= input.length) return "";
    return String.fromCodePoint(input.codePointAt(pos) ?? 0);
  };
  const nextChar = (): string => {
    const c = peekChar();
    pos += c.length;
    return c;
  };
  const atRightDelim = (): [boolean, boolean] => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(rd, pos + 2)) return [true, true];
    if (input.startsWith(rd, pos)) return [true, false];
    return [false, false];
  };
  const atTerminator = (): boolean => {
    const r = peekChar();
    if (isSpace(r)) return true;
    if (r === "" || r === "." || r === "," || r === "|" || r === ":" || r === ")" || r === "(") return true;
    return input.startsWith(rd, pos);
  };
  const accept = (valid: string): boolean => {
    const c = peekChar();
    if (c !== "" && valid.includes(c)) {
      pos += c.length;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid)) {}
  };
  const scanNumber = (): boolean => {
    accept("+-");
    let digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (accept("oO")) digits = "01234567_";
      else if (accept("bB")) digits = "01_";
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.length === 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length === 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peekChar())) {
      nextChar();
      return false;
    }
    return true;
  };

  // State machine: text, then actions.
  let insideAction = false;
  while (!done) {
    if (!insideAction) {
      const x = input.indexOf(ld, pos);
      if (x < 0) {
        pos = input.length;
        if (pos > start) emit("text");
        items.push({ type: "EOF", pos, val: "", line });
        break;
      }
      {
        pos = x;
        const delimEnd = pos + ld.length;
        let trim = 0;
        if (hasLeftTrimMarker(input, delimEnd)) {
          let i = pos;
          while (i > start && isSpace(input[i - 1])) i--;
          trim = pos - i;
        }
        pos -= trim;
        if (pos > start) {
          const item: Item = { type: "text", pos: start, val: input.slice(start, pos), line: startLine };
          line = startLine + countNL(start, pos);
          items.push(item);
        } else line = startLine + countNL(start, pos);
        start = pos;
        startLine = line;
        pos += trim;
        ignore();
      }
      // left delimiter
      pos += ld.length;
      const trimSpace = hasLeftTrimMarker(input, pos);
      const afterMarker = trimSpace ? 2 : 0;
      if (input.startsWith("/*", pos + afterMarker)) {
        pos += afterMarker;
        ignore();
        pos += 2;
        const e = input.indexOf("*/", pos);
        if (e < 0) {
          error("unclosed comment");
          break;
        }
        pos = e + 2;
        const [delim, trimR] = atRightDelim();
        if (!delim) {
          error("comment ends before closing delimiter");
          break;
        }
        if (trimR) pos += 2;
        pos += rd.length;
        if (trimR) while (isSpace(input[pos])) pos++;
        ignore();
        continue;
      }
      emit("leftDelim");
      pos += afterMarker;
      ignore();
      parenDepth = 0;
      insideAction = true;
      continue;
    }
    // inside action
    const [delim, trimSpace] = atRightDelim();
    if (delim) {
      if (parenDepth !== 0) {
        error("unclosed left paren");
        break;
      }
      if (trimSpace) {
        pos += 2;
        ignore();
      }
      pos += rd.length;
      emit("rightDelim");
      if (trimSpace) {
        while (isSpace(input[pos])) pos++;
        ignore();
      }
      insideAction = false;
      continue;
    }
    const r = nextChar();
    if (r === "") {
      error("unclosed action");
      break;
    }
    if (isSpace(r)) {
      pos -= r.length;
      let numSpaces = 0;
      while (isSpace(peekChar())) {
        nextChar();
        numSpaces++;
      }
      if (hasRightTrimMarker(input, pos - 1) && input.startsWith(rd, pos - 1 + 2)) {
        pos--;
        if (numSpaces === 1) continue;
      }
      emit("space");
      continue;
    }
    switch (r) {
      case "=":
        emit("assign");
        continue;
      case ":":
        if (nextChar() !== "=") {
          error("expected :=");
          break;
        }
        emit("declare");
        continue;
      case "|":
        emit("pipe");
        continue;
      case '"': {
        for (;;) {
          const c = nextChar();
          if (c === "\\") {
            const d = nextChar();
            if (d !== "" && d !== "\n") continue;
            error("unterminated quoted string");
            break;
          }
          if (c === "" || c === "\n") {
            error("unterminated quoted string");
            break;
          }
          if (c === '"') break;
        }
        if (!done) emit("string");
        continue;
      }
      case "`": {
        const e = input.indexOf("`", pos);
        if (e < 0) {
          error("unterminated raw quoted string");
          break;
        }
        pos = e + 1;
        emit("rawString");
        continue;
      }
      case "$":
      case ".": {
        if (
          r === "." &&
          pos < input.length &&
          input[pos] !== undefined &&
          /[0-9]/.test(input[pos] as string)
        ) {
          pos--;
          lexNumber();
          continue;
        }
        const typ: ItemType = r === "$" ? "variable" : "field";
        if (atTerminator()) {
          emit(r === "$" ? "variable" : "dot");
          continue;
        }
        let c = "";
        for (;;) {
          c = nextChar();
          if (!isAlphaNumeric(c)) {
            pos -= c.length;
            break;
          }
        }
        if (!atTerminator()) {
          error(`bad character ${runeU(c)}`);
          break;
        }
        emit(typ);
        continue;
      }
      case "'": {
        for (;;) {
          const c = nextChar();
          if (c === "\\") {
            const d = nextChar();
            if (d !== "" && d !== "\n") continue;
            error("unterminated character constant");
            break;
          }
          if (c === "" || c === "\n") {
            error("unterminated character constant");
            break;
          }
          if (c === "'") break;
        }
        if (!done) emit("charConstant");
        continue;
      }
      case "(":
        parenDepth++;
        emit("leftParen");
        continue;
      case ")":
        parenDepth--;
        if (parenDepth < 0) {
          error("unexpected right paren");
          break;
        }
        emit("rightParen");
        continue;
    }
    if (done) break;
    if (r === "+" || r === "-" || (r >= "0" && r <= "9")) {
      pos -= r.length;
      lexNumber();
      continue;
    }
    if (isAlphaNumeric(r)) {
      let c = r;
      while (isAlphaNumeric(c)) c = nextChar();
      pos -= c.length;
      const word = input.slice(start, pos);
      if (!atTerminator()) {
        error(`bad character ${runeU(c)}`);
        break;
      }
      const kw = Object.hasOwn(keywords, word) ? keywords[word] : undefined;
      if (kw !== undefined && kw !== "dot" && (breakOK || (kw !== "break" && kw !== "continue"))) emit(kw);
      else if (word === "true" || word === "false") emit("bool");
      else emit("identifier");
      continue;
    }
    const cp = r.codePointAt(0) ?? 0;
    if (cp <= 0x7f && cp >= 0x20 && cp !== 0x7f) {
      emit("char");
      continue;
    }
    error(`unrecognized character in action: ${runeU(r)}`);
  }
  return items;

  function lexNumber(): void {
    if (!scanNumber()) {
      error(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
      return;
    }
    const sign = peekChar();
    if (sign === "+" || sign === "-") {
      if (!scanNumber() || input[pos - 1] !== "i") {
        error(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
        return;
      }
      emit("complex");
      return;
    }
    emit("number");
  }
}
