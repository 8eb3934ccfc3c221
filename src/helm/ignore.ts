/**
 * `.helmignore` rules as Helm applies them when loading a chart folder: one pattern a line, `#` comments,
 * `!` negation, a trailing `/` for directories only, a leading `/` or any `/` matching the whole path,
 * otherwise the base name; `**` is refused. The default rule `templates/.?*` always applies.
 */
import { ChartLoadError } from "./errors.ts";
import { pathMatch } from "./match.ts";

interface Rule {
  pattern: string;
  negate: boolean;
  mustDir: boolean;
  whole: boolean;
}

export class IgnoreRules {
  readonly #rules: Rule[] = [];

  /** Parses the text of a .helmignore (throws ChartLoadError naming the bad line). */
  static parse(text: string, where = ".helmignore"): IgnoreRules {
    const r = new IgnoreRules();
    for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) r.add(line, where);
    return r;
  }

  add(line: string, where = ".helmignore"): void {
    let rule = line.trim();
    if (rule === "" || rule.startsWith("#")) return;
    if (rule.includes("**")) {
      throw new ChartLoadError(
        where,
        `${where}: rule ${JSON.stringify(rule)} uses **, which Helm does not support; use * per path segment`,
      );
    }
    if (pathMatch(rule, "abc") === undefined) {
      throw new ChartLoadError(
        where,
        `${where}: rule ${JSON.stringify(rule)} is not a valid pattern; fix its brackets or escapes`,
      );
    }
    const negate = rule.startsWith("!");
    if (negate) rule = rule.slice(1);
    const mustDir = rule.endsWith("/");
    if (mustDir) rule = rule.slice(0, -1);
    const whole = rule.includes("/");
    if (rule.startsWith("/")) rule = rule.slice(1);
    this.#rules.push({ pattern: rule, negate, mustDir, whole });
  }

  /** Whether a path (relative to the chart root) is ignored. */
  ignores(path: string, isDir: boolean): boolean {
    if (path === "" || path === "." || path === "./") return false;
    for (const r of this.#rules) {
      const subject = r.whole ? path : (path.split("/").pop() ?? path);
      const m = pathMatch(r.pattern, subject) === true;
      if (r.negate) {
        if (r.mustDir && !isDir) return true;
        if (!m) return true;
        continue;
      }
      if (r.mustDir && !isDir) continue;
      if (m) return true;
    }
    return false;
  }
}

export function defaultIgnoreRules(text: string | undefined): IgnoreRules {
  const r = text === undefined ? new IgnoreRules() : IgnoreRules.parse(text);
  r.add("templates/.?*");
  return r;
}
