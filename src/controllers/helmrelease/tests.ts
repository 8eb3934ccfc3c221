/**
 * `spec.test`: after a successful install or upgrade, the chart's test hooks (`helm.sh/hook: test`) run as
 * `helm test` runs them (filters by name: include-only when any non-exclude filter is set, excludes
 * removed), and the outcome is recorded in the release's hooks. A failure is reported unless
 * `test.ignoreFailures` (or the action's `remediation.ignoreTestFailures`) says to ignore it.
 */
import type { HelmRelease } from "../../api/index.ts";
import { describe } from "../../errors/index.ts";
import { type Release, updateRelease } from "../../helm/index.ts";
import type { ActionContext } from "./action.ts";
import { runHooks } from "./hooks.ts";

type Spec = HelmRelease["spec"];

/** Tests failed and the spec does not ignore it: the release is deployed but not Ready. */
export class TestFailedError extends Error {
  override name = "TestFailedError";
}

export interface TestOutcome {
  ok: boolean;
  /** Number of test hooks run. */
  count: number;
  message: string;
}

export async function runReleaseTests(
  ctx: ActionContext,
  rel: Release,
  spec: Spec,
  timeoutMs: number,
): Promise<TestOutcome> {
  const filters = spec.test?.filters ?? [];
  const include = filters.filter((f) => !f.exclude).map((f) => f.name);
  const exclude = new Set(filters.filter((f) => f.exclude).map((f) => f.name));
  const hooks = (rel.hooks ?? []).filter(
    (h) =>
      h.events?.includes("test") &&
      (include.length === 0 || include.includes(h.name ?? "")) &&
      !exclude.has(h.name ?? ""),
  );
  const name = `${ctx.releaseNamespace}/${ctx.releaseName}.v${rel.version}`;
  let outcome: TestOutcome;
  try {
    await runHooks(ctx, hooks, "test", rel, timeoutMs);
    outcome = {
      ok: true,
      count: hooks.length,
      message: `Helm test succeeded for release ${name} with ${hooks.length} test hook(s)`,
    };
  } catch (err) {
    outcome = {
      ok: false,
      count: hooks.length,
      message: `Helm test failed for release ${name}: ${describe(err)}`,
    };
  }
  await updateRelease(ctx.storage, ctx.storageNamespace, rel, { signal: ctx.signal });
  return outcome;
}

/** Whether a failed test leaves the release Ready (test.ignoreFailures, or the action's ignoreTestFailures). */
export function ignoreTestFailures(spec: Spec, upgrade: boolean): boolean {
  const rem = upgrade ? spec.upgrade?.remediation : spec.install?.remediation;
  return spec.test?.ignoreFailures ?? rem?.ignoreTestFailures ?? false;
}
