/**
 * Test support: runs template cases through the Go oracle (`tmploracle`, built by scripts/tools.sh) in one
 * process, one JSON line per case, and through Ferry's engine, for byte-for-byte comparison.
 */
import { spawnSync } from "node:child_process";
import { toolPath } from "../dev/tools.ts";
import { renderTemplate, TemplateError } from "./index.ts";

export interface Case {
  name?: string;
  template: string;
  data?: unknown;
  delims?: [string, string];
  missingKey?: "default" | "zero" | "error";
  functions?: "sprig" | "resourceset" | "helm" | "none";
}

export interface Outcome {
  output?: string;
  error?: string;
}

/** Renders every case with Go in one oracle process. */
export function runOracle(cases: Case[], opts: { binary?: string } = {}): Outcome[] {
  const bin = opts.binary ?? toolPath("tmploracle");
  const input = `${cases.map((c) => JSON.stringify({ ...c, name: c.name ?? "t" })).join("\n")}\n`;
  const r = spawnSync(bin, [], { input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tmploracle failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  if (lines.length !== cases.length)
    throw new Error(`tmploracle answered ${lines.length} of ${cases.length} cases`);
  return lines.map((l) => JSON.parse(l) as Outcome);
}

/** Renders one case with Ferry. */
export function runFerry(c: Case): Outcome {
  try {
    return {
      output: renderTemplate(c.template, c.data ?? null, {
        name: c.name ?? "t",
        delims: c.delims,
        missingKey: c.missingKey,
        functions: c.functions,
      }),
    };
  } catch (e) {
    if (e instanceof TemplateError) return { error: e.message };
    return { error: `UNEXPECTED ${(e as Error).stack}` };
  }
}

/** Data as the oracle sees it after a JSON round trip (what Ferry must be given to compare fairly). */
export function jsonRoundTrip(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}
