/**
 * The two pattern languages charts use: Go's `path.Match` (`.helmignore` rules: `*` and `?` stop at `/`,
 * `[...]` classes, `\` escapes) and gobwas/glob with `/` as separator (`.Files.Glob`: `**` crosses
 * slashes, `{a,b}` alternatives). Both compile to an anchored RegExp.
 */

/** Whether name matches a Go path.Match pattern; undefined for a malformed pattern (Go's ErrBadPattern). */
export function pathMatch(pattern: string, name: string): boolean | undefined {
  const re = compile(pattern, false);
  return re === undefined ? undefined : re.test(name);
}

/** A gobwas/glob matcher with `/` as separator; a malformed pattern matches everything, as Helm falls back to `**`. */
export function globMatcher(pattern: string): (name: string) => boolean {
  const re = compile(pattern, true) ?? /^[\s\S]*$/;
  return (name) => re.test(name);
}

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** A `[...]` class starting at chars[i]: its RegExp text and the index of its `]`, or undefined if malformed. */
function compileClass(
  chars: string[],
  start: number,
  glob: boolean,
): { re: string; end: number } | undefined {
  let j = start + 1;
  let cls = "";
  if (chars[j] === "^" || (glob && chars[j] === "!")) {
    cls += "^";
    j++;
  }
  for (let first = true; j < chars.length; j++, first = false) {
    const d = chars[j] as string;
    if (d === "]" && !first) return { re: cls.startsWith("^") ? `[${cls}/]` : `[${cls}]`, end: j };
    if (d === "\\") {
      const n = chars[j + 1];
      if (n === undefined) return undefined;
      cls += escapeChar(n);
      j++;
    } else cls += d === "-" ? "-" : escapeChar(d);
  }
  return undefined;
}

interface CompileState {
  out: string;
  depth: number;
}

/** Compiles the pattern character at i into st; returns the last index consumed, or undefined if malformed. */
function step(chars: string[], i: number, glob: boolean, st: CompileState): number | undefined {
  const c = chars[i] as string;
  switch (c) {
    case "*": {
      const double = glob && chars[i + 1] === "*";
      st.out += double ? "[\\s\\S]*" : "[^/]*";
      return double ? i + 1 : i;
    }
    case "?":
      st.out += "[^/]";
      return i;
    case "\\": {
      const n = chars[i + 1];
      if (n === undefined) return undefined;
      st.out += escapeChar(n);
      return i + 1;
    }
    case "[": {
      const cls = compileClass(chars, i, glob);
      if (!cls) return undefined;
      st.out += cls.re;
      return cls.end;
    }
  }
  if (glob && (c === "{" || (st.depth > 0 && (c === "}" || c === ",")))) {
    st.out += c === "{" ? "(?:" : c === "}" ? ")" : "|";
    st.depth += c === "{" ? 1 : c === "}" ? -1 : 0;
    return i;
  }
  st.out += escapeChar(c);
  return i;
}

function compile(pattern: string, glob: boolean): RegExp | undefined {
  const chars = [...pattern];
  const st: CompileState = { out: "", depth: 0 };
  for (let i = 0; i < chars.length; i++) {
    const last = step(chars, i, glob, st);
    if (last === undefined) return undefined;
    i = last;
  }
  if (st.depth > 0) return undefined;
  try {
    return new RegExp(`^${st.out}$`, "u");
  } catch {
    return undefined;
  }
}
