/**
 * `.Files` as chart templates see it: a map from path to bytes with Helm's methods Get, GetBytes, Glob,
 * AsConfig, AsSecrets and Lines. Ranging over it gives paths and byte slices, as in Helm.
 */
import { fn, goMethods, TypedMap, TypedSlice, toYaml } from "../template/index.ts";
import type { ChartFile } from "./chart.ts";
import { globMatcher } from "./match.ts";

const decoder = new TextDecoder();

export function filesValue(files: ChartFile[] | Map<string, Uint8Array>): TypedMap {
  const entries: Record<string, Uint8Array> = {};
  if (files instanceof Map) for (const [k, v] of files) entries[k] = v;
  else for (const f of files) entries[f.name] = f.data;
  const m = new TypedMap(entries, "[]uint8");
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  const table = (enc: (b: Uint8Array) => string) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(entries)) out[base(k)] = enc(v);
    return toYaml(out).replace(/\n$/, "");
  };
  Object.assign(m, {
    [goMethods]: {
      GetBytes: fn(["string"], (name: string) => entries[name] ?? new Uint8Array()),
      Get: fn(["string"], (name: string) => decoder.decode(entries[name] ?? new Uint8Array())),
      Glob: fn(["string"], (pattern: string) => {
        const match = globMatcher(pattern);
        const picked = new Map<string, Uint8Array>();
        for (const [k, v] of Object.entries(entries)) if (match(k)) picked.set(k, v);
        return filesValue(picked);
      }),
      AsConfig: fn([], () => table((b) => decoder.decode(b))),
      AsSecrets: fn([], () => table((b) => Buffer.from(b).toString("base64"))),
      Lines: fn(["string"], (path: string) => {
        const b = entries[path];
        if (!b || b.length === 0) return new TypedSlice([], "string");
        let s = decoder.decode(b);
        if (s.endsWith("\n")) s = s.slice(0, -1);
        return new TypedSlice(s.split("\n"), "string");
      }),
    },
  });
  return m;
}
