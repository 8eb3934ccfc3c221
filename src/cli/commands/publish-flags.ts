/** Flag parsing shared by the publish commands (artifact.ts, release.ts). */
import { UsageError } from "../../errors/index.ts";

export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

/** `--annotations key=value` (repeatable); the value may contain `=`. */
export function parseAnnotations(list: readonly string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--annotations "${item}" is not of the form key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `--ignore-paths a,b --ignore-paths c` → [a, b, c]; undefined keeps flux's default list. */
export function parseIgnorePaths(list: readonly string[] | undefined): string[] | undefined {
  if (!list) return undefined;
  return list
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
}

export type OutputFormat = "text" | "json";

export function outputFormat(value: string | undefined): OutputFormat {
  const v = value ?? "text";
  if (v !== "text" && v !== "json") throw new UsageError(`--output "${v}" is not one of text, json`);
  return v;
}

export function positiveInt(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new UsageError(`${name} "${v}" is not a positive whole number`);
    return n;
  };
}
