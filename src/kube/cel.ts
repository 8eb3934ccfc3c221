/**
 * CEL health checks in the shape of Flux's `healthCheckExprs`: per apiVersion/kind, `inProgress`, `failed`
 * and `current` expressions evaluated with the object's top-level fields (`metadata`, `spec`, `status`) as
 * variables. Expressions are parsed once when the checker is built, so a typo fails early.
 */
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { UsageError } from "../errors/index.ts";
import type { Health } from "./health.ts";
import type { KubeObject } from "./object.ts";

export interface HealthCheckExpr {
  apiVersion: string;
  kind: string;
  current: string;
  inProgress?: string;
  failed?: string;
}

export class CelExpressionError extends UsageError {
  override name = "CelExpressionError";
  readonly expression: string;
  constructor(target: string, field: string, expression: string, detail: string, cause?: unknown) {
    super(`healthCheckExprs for ${target}: ${field} expression "${expression}" is invalid: ${detail}`, {
      cause,
    });
    this.expression = expression;
  }
}

type Program = (vars: Record<string, unknown>) => unknown;

interface Compiled {
  current: Program;
  inProgress?: Program;
  failed?: Program;
}

function compile(target: string, field: string, expr: string): Program {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expr);
  } catch (err) {
    throw new CelExpressionError(target, field, expr, err instanceof Error ? err.message : String(err), err);
  }
  const fn = plan(celEnv(), parsed) as (ctx: Record<string, unknown>) => unknown;
  return (vars) => fn(vars);
}

/** JSON → CEL input: objects become maps, integral numbers become ints (Kubernetes integers are ints). */
export function toCel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toCel);
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (v !== null && typeof v === "object") return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return v;
}

export class CelHealthChecker {
  private readonly byKind = new Map<string, Compiled>();

  constructor(exprs: HealthCheckExpr[]) {
    for (const e of exprs) {
      const target = `${e.apiVersion}/${e.kind}`;
      if (!e.current)
        throw new CelExpressionError(target, "current", "", "the current expression is required");
      this.byKind.set(target, {
        current: compile(target, "current", e.current),
        inProgress: e.inProgress ? compile(target, "inProgress", e.inProgress) : undefined,
        failed: e.failed ? compile(target, "failed", e.failed) : undefined,
      });
    }
  }

  handles(obj: KubeObject): boolean {
    return this.byKind.has(`${obj.apiVersion}/${obj.kind}`);
  }

  /** Health by the expressions: inProgress wins, then failed, then current; nothing matched = InProgress. */
  evaluate(obj: KubeObject): Health | undefined {
    const c = this.byKind.get(`${obj.apiVersion}/${obj.kind}`);
    if (!c) return undefined;
    if (obj.metadata.deletionTimestamp)
      return { status: "Terminating", message: "resource scheduled for deletion" };
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) vars[k] = toCel(v);
    const test = (p: Program | undefined, name: string): boolean | string => {
      if (!p) return false;
      const r = p(vars);
      if (isCelError(r)) return `${name} expression: ${r.message}`;
      return r === true;
    };
    for (const [name, p, status] of [
      ["inProgress", c.inProgress, "InProgress"],
      ["failed", c.failed, "Failed"],
      ["current", c.current, "Current"],
    ] as const) {
      const r = test(p, name);
      if (typeof r === "string") return { status: "InProgress", message: `cannot evaluate ${r}` };
      if (r) return { status, message: `${name} expression matched` };
    }
    return { status: "InProgress", message: "no health expression matched yet" };
  }
}
