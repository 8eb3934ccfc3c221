/**
 * Helm's toYamlPretty (go-yaml v3's encoder with a two-space indent): like toYaml, but sequences are
 * indented under their key and nested sequences start on the dash line. Scalars and keys are written as
 * toYaml writes them.
 */
import { isMap, isSlice, mapEntries, sliceItems, sortedKeys } from "./values.ts";
import { toPlain, toYaml } from "./yaml.ts";

function scalar(v: unknown): string[] {
  return toYaml(v).replace(/\n$/, "").split("\n");
}

function isEmpty(v: unknown): boolean {
  return (isMap(v) && Object.keys(mapEntries(v)).length === 0) || (isSlice(v) && sliceItems(v).length === 0);
}

function isBlock(v: unknown): boolean {
  return (isMap(v) || isSlice(v)) && !isEmpty(v);
}

function mapLines(m: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of sortedKeys(m)) {
    const key = scalar(k)[0] as string;
    const e = m[k];
    if (isBlock(e)) {
      out.push(`${key}:`);
      for (const l of lines(e)) out.push(`  ${l}`);
    } else {
      const [first, ...rest] = scalar(e);
      out.push(`${key}: ${first}`, ...rest);
    }
  }
  return out;
}

function seqLines(items: unknown[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    const [first, ...rest] = isBlock(item) ? lines(item) : scalar(item);
    out.push(`- ${first}`);
    for (const l of rest) out.push(`  ${l}`);
  }
  return out;
}

function lines(v: unknown): string[] {
  if (!isBlock(v)) return scalar(v);
  return isMap(v) ? mapLines(mapEntries(v)) : seqLines(sliceItems(v as unknown[]));
}

export function toYamlPretty(v: unknown): string {
  try {
    return lines(toPlain(v)).join("\n");
  } catch {
    return "";
  }
}
