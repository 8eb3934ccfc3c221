/**
 * Shell-style pattern matching as Flux's envsubst uses it for `${var#pattern}` and friends: `*` matches any
 * run of characters (slashes included), `?` one character, `[a-z]`/`[^a-z]` a class, `\c` a literal `c`.
 * A pattern that ends in `*` matches whatever remains. Malformed patterns throw `BadPatternError`.
 */

export class BadPatternError extends Error {
  override name = "BadPatternError";
}

/** Whether `pattern` matches the whole of `name`. */
export function globMatch(pattern: string, name: string): boolean {
  let pat = pattern;
  let rest = name;
  outer: while (pat.length > 0) {
    const { star, chunk, remaining } = nextChunk(pat);
    pat = remaining;
    if (star && chunk === "") return true;
    const here = matchChunk(chunk, rest);
    if (here !== undefined && (here.length === 0 || pat.length > 0)) {
      rest = here;
      continue;
    }
    if (star) {
      for (let i = 0; i < rest.length; i++) {
        const after = matchChunk(chunk, rest.slice(i + 1));
        if (after === undefined) continue;
        if (pat.length === 0 && after.length > 0) continue;
        rest = after;
        continue outer;
      }
    }
    return false;
  }
  return rest.length === 0;
}

function nextChunk(pattern: string): { star: boolean; chunk: string; remaining: string } {
  let p = pattern;
  let star = false;
  while (p.startsWith("*")) {
    p = p.slice(1);
    star = true;
  }
  let inClass = false;
  let i = 0;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      if (i + 1 < p.length) i++;
    } else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "*" && !inClass) break;
  }
  return { star, chunk: p.slice(0, i), remaining: p.slice(i) };
}

/** Matches a star-free chunk against the start of `s`; returns what is left of `s`, or undefined. */
function matchChunk(chunk: string, s: string): string | undefined {
  let c = chunk;
  let rest = s;
  while (c.length > 0) {
    if (rest.length === 0) return undefined;
    const head = c[0];
    if (head === "[") {
      const ch = firstChar(rest);
      rest = rest.slice(ch.length);
      const cls = matchClass(c.slice(1), ch);
      if (!cls.matched) return undefined;
      c = cls.rest;
    } else if (head === "?") {
      rest = rest.slice(firstChar(rest).length);
      c = c.slice(1);
    } else {
      if (head === "\\") {
        c = c.slice(1);
        if (c.length === 0) throw new BadPatternError("pattern ends with a lone backslash");
      }
      if (c[0] !== rest[0]) return undefined;
      rest = rest.slice(1);
      c = c.slice(1);
    }
  }
  return rest;
}

/** Matches `ch` against the class starting after `[`; returns whether it matched and the pattern after `]`. */
function matchClass(pattern: string, ch: string): { matched: boolean; rest: string } {
  let c = pattern;
  let negated = false;
  if (c.startsWith("^")) {
    negated = true;
    c = c.slice(1);
  }
  const code = ch.codePointAt(0) ?? 0;
  let matched = false;
  for (let ranges = 0; !(c.startsWith("]") && ranges > 0); ranges++) {
    const lo = classChar(c);
    c = lo.rest;
    let hi = lo.ch;
    if (c[0] === "-") {
      const h = classChar(c.slice(1));
      hi = h.ch;
      c = h.rest;
    }
    if ((lo.ch.codePointAt(0) ?? 0) <= code && code <= (hi.codePointAt(0) ?? 0)) matched = true;
  }
  return { matched: matched !== negated, rest: c.slice(1) };
}

function classChar(chunk: string): { ch: string; rest: string } {
  let c = chunk;
  if (c.length === 0 || c[0] === "-" || c[0] === "]") throw new BadPatternError("malformed character class");
  if (c[0] === "\\") {
    c = c.slice(1);
    if (c.length === 0) throw new BadPatternError("malformed character class");
  }
  const ch = firstChar(c);
  const rest = c.slice(ch.length);
  if (rest.length === 0) throw new BadPatternError("unterminated character class");
  return { ch, rest };
}

function firstChar(s: string): string {
  const cp = s.codePointAt(0);
  return cp === undefined ? "" : String.fromCodePoint(cp);
}
