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

function compile(pattern: string, glob: boolean): RegExp | undefined {
  let out = "";
  let depth = 0;
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === "*") {
      if (glob && chars[i + 1] === "*") {
        out += "[\\s\\S]*";
        i++;
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "\\") {
      const n = chars[i + 1];
      if (n === undefined) return undefined;
      out += escapeChar(n);
      i++;
    } else if (c === "[") {
      let j = i + 1;
      let cls = "";
      if (chars[j] === "^" || (glob && chars[j] === "!")) {
        cls += "^";
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < chars.length; j++) {
        const d = chars[j] as string;
        if (d === "]" && !first) {
          closed = true;
          break;
        }
        first = false;
        if (d === "\\") {
          const n = chars[j + 1];
          if (n === undefined) return undefined;
          cls += escapeChar(n);
          j++;
        } else if (d === "-") cls += "-";
        else cls += escapeChar(d);
      }
      if (!closed) return undefined;
      out += cls.startsWith("^") ? `[${cls}/]` : `[${cls}]`;
      i = j;
    } else if (glob && c === "{") {
      out += "(?:";
      depth++;
    } else if (glob && c === "}" && depth > 0) {
      out += ")";
      depth--;
    } else if (glob && c === "," && depth > 0) out += "|";
    else out += escapeChar(c);
  }
  if (depth > 0) return undefined;
  try {
    return new RegExp(`^${out}$`, "u");
  } catch {
    return undefined;
  }
}
