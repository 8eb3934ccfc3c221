/**
 * The outcome of an install or upgrade attempt beyond the release itself: the test hooks when
 * `spec.test.enable` (TestSuccess), and a failed attempt's record — the Released condition, the failure
 * count, the remediation — as helm-controller keeps them.
 */
import type { HelmRelease } from "../../api/index.ts";
import { describe } from "../../errors/index.ts";
import type { Release } from "../../helm/index.ts";
import type { KubeObject } from "../../kube/index.ts";
import { setCondition } from "../../runtime/index.ts";
import type { ReconcileLogger } from "../ocirepository/index.ts";
import type { ActionContext } from "./action.ts";
import { HelmReleaseError, Reasons } from "./errors.ts";
import { type Prepared, remediate, retriesExhausted } from "./plan.ts";
import { durationMs, type HelmReleaseStatus } from "./status.ts";
import { ignoreTestFailures, runReleaseTests, TestFailedError } from "./tests.ts";

type Spec = HelmRelease["spec"];

export interface AttemptIO {
  event(
    obj: KubeObject,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    signal: AbortSignal,
  ): void;
  log: ReconcileLogger;
}

/** Runs the test hooks when spec.test.enable; sets TestSuccess; throws when a failure is not ignored. */
export async function testRelease(
  ctx: ActionContext,
  rel: Release,
  status: HelmReleaseStatus,
  gen: number | undefined,
  upgrade: boolean,
  spec: Spec,
): Promise<void> {
  if (!spec.test?.enable) return;
  const t = await runReleaseTests(ctx, rel, spec, durationMs(spec.test.timeout ?? spec.timeout, 300_000));
  status.conditions = setCondition(status.conditions, {
    type: "TestSuccess",
    status: t.ok ? "True" : "False",
    reason: t.ok ? "TestSucceeded" : "TestFailed",
    message: t.message,
    observedGeneration: gen,
  });
  if (!t.ok && !ignoreTestFailures(spec, upgrade)) throw new TestFailedError(t.message);
}

/**
 * Records a failed attempt: the Released condition, the failure count, the remediation (when retries
 * are set); returns the error to throw, stalled once retries are spent.
 */
export async function recordFailure(
  io: AttemptIO,
  key: string,
  obj: KubeObject,
  ctx: ActionContext,
  status: HelmReleaseStatus,
  p: Prepared,
  timeoutMs: number,
  err: unknown,
): Promise<HelmReleaseError> {
  const spec = obj.spec as Spec;
  const gen = obj.metadata.generation;
  const action = p.upgrade ? "upgrade" : "install";
  const name = `${ctx.releaseNamespace}/${ctx.releaseName}`;
  const chart = `${p.chart.metadata.name}@${p.chart.metadata.version}`;
  const succeeded = p.upgrade ? Reasons.upgradeSucceeded : Reasons.installSucceeded;
  // Failed tests count as a failed attempt (and are remediated), but the release itself went out.
  const testFailed = err instanceof TestFailedError;
  const reason = testFailed ? "TestFailed" : p.upgrade ? Reasons.upgradeFailed : Reasons.installFailed;
  const msg = testFailed
    ? err.message
    : `Helm ${action} failed for release ${name} with chart ${chart}: ${describe(err)}`;
  status.conditions = setCondition(status.conditions, {
    type: "Released",
    status: testFailed ? "True" : "False",
    reason: testFailed ? succeeded : reason,
    message: testFailed ? `Helm ${action} succeeded for release ${name} with chart ${chart}` : msg,
    observedGeneration: gen,
  });
  if (p.upgrade) status.upgradeFailures = (status.upgradeFailures ?? 0) + 1;
  else status.installFailures = (status.installFailures ?? 0) + 1;
  const remediated = await remediate(ctx, spec, status, p, timeoutMs).catch((e: unknown) => {
    io.log.error(`remediation failed: ${describe(e)}`, { object: key });
    return undefined;
  });
  if (remediated) {
    status.conditions = setCondition(status.conditions, {
      ...remediated,
      type: "Remediated",
      observedGeneration: gen,
    });
    io.event(obj, "Normal", remediated.reason, remediated.message, ctx.signal);
  }
  return new HelmReleaseError(key, reason, msg, {
    cause: err,
    stalled: retriesExhausted(spec, status, p.upgrade),
  });
}
