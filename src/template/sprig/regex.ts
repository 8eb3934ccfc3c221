/**
 * Go regexp (RE2) on JavaScript RegExp: translates the syntax that differs — (?P<name>…), leading inline
 * flags (?i)(?s)(?m)(?U is unsupported), \z, \A, [[:alpha:]] classes — and implements Go's replacement
 * template expansion ($1, ${1}, ${name}, $$) and Split with a count.
 */

const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

export function goRegExp(re: string): RegExp {
  let flags = "";
  let src = re;
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(src);
    if (!m) break;
    for (const f of m[1] ?? "") {
      if (f === "U") throw new Error("invalid or unsupported Perl syntax: `(?U`");
      if (!flags.includes(f)) flags += f;
    }
    src = src.slice(m[0].length);
  }
  src = src
    .replace(/\(\?P</g, "(?<")
    .replace(/\\z/g, "$(?![\\s\\S])")
    .replace(/\\A/g, "^(?<![\\s\\S])")
    .replace(/\[:(\^?)([a-z]+):\]/g, (all, neg: string, name: string) => {
      const c = posixClasses[name];
      if (!c) return all;
      return neg ? `^${c}` : c;
    });
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new Error(`error parsing regexp: ${goRegexError(re, (e as Error).message)}`);
  }
}

/** RE2's wording for the compile errors JavaScript reports differently. */
function goRegexError(re: string, js: string): string {
  const bt = (s: string) => `\`${s}\``;
  if (/Unterminated character class/.test(js))
    return `missing closing ]: ${bt(re.slice(re.lastIndexOf("[")))}`;
  if (/Unterminated group/.test(js)) return `missing closing ): ${bt(re)}`;
  if (/Unmatched '\)'/.test(js)) return `unexpected ): ${bt(re)}`;
  if (/Nothing to repeat/.test(js)) {
    const m = /(^|[^\\])([*+?]|\{\d+(,\d*)?\})/.exec(re);
    return `missing argument to repetition operator: ${bt(m?.[2] ?? "*")}`;
  }
  if (/\\ at end of pattern/.test(js)) return "trailing backslash at end of expression: ``";
  return js.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "");
}

/** Regexp.FindAllStringIndex(s, n): non-overlapping matches, empty matches abutting a match skipped. */
export function goFindAllIndex(r: RegExp, s: string, n: number): Array<[number, number, RegExpMatchArray]> {
  const out: Array<[number, number, RegExpMatchArray]> = [];
  if (n === 0) return out;
  const g = new RegExp(r.source, `${r.flags.replace("g", "")}g`);
  let prevEnd = -1;
  for (const m of s.matchAll(g)) {
    const idx = m.index ?? 0;
    const end = idx + m[0].length;
    if (m[0] === "" && idx === prevEnd) continue;
    out.push([idx, end, m]);
    prevEnd = end;
    if (n > 0 && out.length >= n) break;
  }
  return out;
}

/** Regexp.ReplaceAllString (template expansion) or ReplaceAllLiteralString. */
export function goReplace(r: RegExp, s: string, repl: string, literal: boolean): string {
  const g = new RegExp(r.source, `${r.flags.replace("g", "")}g`);
  let out = "";
  let last = 0;
  let prevMatchEnd = -1;
  for (const m of s.matchAll(g)) {
    const idx = m.index ?? 0;
    if (m[0] === "" && idx === prevMatchEnd) continue;
    out += s.slice(last, idx);
    out += literal ? repl : expand(repl, m);
    last = idx + m[0].length;
    prevMatchEnd = last;
  }
  return out + s.slice(last);
}

function expand(tmpl: string, m: RegExpMatchArray): string {
  let out = "";
  for (let i = 0; i < tmpl.length; i++) {
    const c = tmpl[i];
    if (c !== "$") {
      out += c;
      continue;
    }
    const rest = tmpl.slice(i + 1);
    if (rest.startsWith("$")) {
      out += "$";
      i++;
      continue;
    }
    let name: string | undefined;
    let len = 0;
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    if (braced) {
      name = braced[1];
      len = braced[0].length;
    } else {
      const plain = /^[A-Za-z0-9_]+/.exec(rest);
      if (plain) {
        name = plain[0];
        len = plain[0].length;
      }
    }
    if (name === undefined) {
      out += "$";
      continue;
    }
    i += len;
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? "";
    else out += m.groups?.[name] ?? "";
  }
  return out;
}

/** Regexp.Split(s, n). */
export function goSplitRegex(r: RegExp, s: string, n: number): string[] {
  if (n === 0) return [];
  if (r.source === "(?:)" && s.length > 0) {
    const runes = [...s];
    if (n < 0 || n >= runes.length) return runes;
    return [...runes.slice(0, n - 1), runes.slice(n - 1).join("")];
  }
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [a, b] of goFindAllIndex(r, s, n)) {
    if (n > 0 && out.length === n - 1) break;
    end = a;
    if (b !== 0) out.push(s.slice(beg, end));
    beg = b;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}
