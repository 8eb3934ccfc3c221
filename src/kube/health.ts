/**
 * Health: the kstatus rules (sigs.k8s.io/cli-utils) for built-in kinds, and the generic `Ready` /
 * `observedGeneration` rules for custom resources. Pure functions over one object; waiting is in wait.ts.
 */
import { groupOf, isObject, type KubeObject } from "./object.ts";

export type HealthStatus = "Current" | "InProgress" | "Failed" | "Terminating" | "NotFound" | "Unknown";

export interface Health {
  status: HealthStatus;
  message: string;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

type Status = Record<string, unknown>;

function statusOf(obj: KubeObject): Status {
  return isObject(obj.status) ? obj.status : {};
}

function specOf(obj: KubeObject): Status {
  return isObject(obj.spec) ? obj.spec : {};
}

function conditions(obj: KubeObject): Condition[] {
  const c = statusOf(obj).conditions;
  return Array.isArray(c) ? (c.filter(isObject) as Condition[]) : [];
}

export function findCondition(obj: KubeObject, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}

function num(v: unknown, dflt = 0): number {
  return typeof v === "number" ? v : dflt;
}

const current = (message: string): Health => ({ status: "Current", message });
const inProgress = (message: string): Health => ({ status: "InProgress", message });
const failed = (message: string): Health => ({ status: "Failed", message });

/** Computes the kstatus of one object. */
export function computeHealth(obj: KubeObject): Health {
  if (obj.metadata.deletionTimestamp)
    return { status: "Terminating", message: "resource scheduled for deletion" };
  const gen = obj.metadata.generation;
  const st = statusOf(obj);
  if (gen !== undefined && typeof st.observedGeneration === "number" && st.observedGeneration < gen) {
    return inProgress(
      `waiting for the controller to observe generation ${gen} (observed ${st.observedGeneration})`,
    );
  }
  const rule = rules[`${groupOf(obj.apiVersion)}/${obj.kind}`];
  return rule ? rule(obj) : generic(obj);
}

/** Custom resources and kinds without a rule: Stalled/Reconciling/Ready conditions, else Current. */
function generic(obj: KubeObject): Health {
  const stalled = findCondition(obj, "Stalled");
  if (stalled?.status === "True") return failed(stalled.message || stalled.reason || "Stalled");
  const reconciling = findCondition(obj, "Reconciling");
  if (reconciling?.status === "True")
    return inProgress(reconciling.message || reconciling.reason || "Reconciling");
  const ready = findCondition(obj, "Ready");
  if (ready) {
    const gen = obj.metadata.generation;
    if (gen !== undefined && ready.observedGeneration !== undefined && ready.observedGeneration < gen) {
      return inProgress(`Ready condition is for generation ${ready.observedGeneration}, not ${gen}`);
    }
    if (ready.status === "True") return current(ready.message || "Ready");
    return inProgress(ready.message || ready.reason || "not Ready");
  }
  return current("resource is current");
}

const rules: Record<string, (obj: KubeObject) => Health> = {
  "apps/Deployment": deployment,
  "apps/StatefulSet": statefulSet,
  "apps/DaemonSet": daemonSet,
  "apps/ReplicaSet": replicaSet,
  "batch/Job": job,
  "/Pod": pod,
  "/PersistentVolumeClaim": pvc,
  "/Service": service,
  "/Namespace": namespace,
  "apiextensions.k8s.io/CustomResourceDefinition": crd,
  "policy/PodDisruptionBudget": pdb,
};

function deployment(obj: KubeObject): Health {
  const st = statusOf(obj);
  const spec = specOf(obj);
  if (st.observedGeneration === undefined && obj.metadata.generation !== undefined) {
    return inProgress("waiting for the deployment controller to observe the Deployment");
  }
  const want = num(spec.replicas, 1);
  const progressing = findCondition(obj, "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return failed(`progress deadline exceeded: ${progressing.message ?? ""}`.trim());
  }
  if (spec.paused === true) return inProgress("Deployment is paused");
  const updated = num(st.updatedReplicas);
  const replicas = num(st.replicas);
  const available = num(st.availableReplicas);
  const ready = num(st.readyReplicas);
  if (updated < want) return inProgress(`Updated: ${updated}/${want}`);
  if (replicas > updated) return inProgress(`Pending termination: ${replicas - updated}`);
  if (available < updated) return inProgress(`Available: ${available}/${updated}`);
  if (ready < want) return inProgress(`Ready: ${ready}/${want}`);
  const avail = findCondition(obj, "Available");
  if (avail && avail.status !== "True") return inProgress("Deployment not Available");
  return current(`Deployment is available. Replicas: ${replicas}`);
}

function statefulSet(obj: KubeObject): Health {
  const st = statusOf(obj);
  const spec = specOf(obj);
  if (st.observedGeneration === undefined && obj.metadata.generation !== undefined) {
    return inProgress("waiting for the statefulset controller to observe the StatefulSet");
  }
  const strategy = isObject(spec.updateStrategy) ? spec.updateStrategy : {};
  if (strategy.type === "OnDelete") return current("StatefulSet uses the OnDelete update strategy");
  const want = num(spec.replicas, 1);
  const ready = num(st.readyReplicas);
  const cur = num(st.currentReplicas);
  const updated = num(st.updatedReplicas);
  if (num(st.replicas) < want) return inProgress(`Replicas: ${num(st.replicas)}/${want}`);
  if (ready < want) return inProgress(`Ready: ${ready}/${want}`);
  const ru = isObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const partition = num(ru.partition);
  if (partition > 0) {
    if (updated < want - partition) return inProgress(`Partitioned roll out: ${updated}/${want - partition}`);
    return current(`Partitioned roll out complete: ${updated}/${want - partition}`);
  }
  if (st.updateRevision !== undefined && st.currentRevision !== st.updateRevision) {
    return inProgress(`Rolling out: ${updated}/${want} updated`);
  }
  if (cur < want) return inProgress(`Current: ${cur}/${want}`);
  return current(`All replicas scheduled as expected. Replicas: ${want}`);
}

function daemonSet(obj: KubeObject): Health {
  const st = statusOf(obj);
  if (st.observedGeneration === undefined && obj.metadata.generation !== undefined) {
    return inProgress("waiting for the daemonset controller to observe the DaemonSet");
  }
  const desired = num(st.desiredNumberScheduled);
  if (num(st.currentNumberScheduled) < desired)
    return inProgress(`Scheduled: ${num(st.currentNumberScheduled)}/${desired}`);
  if (num(st.updatedNumberScheduled) < desired)
    return inProgress(`Updated: ${num(st.updatedNumberScheduled)}/${desired}`);
  if (num(st.numberAvailable) < desired)
    return inProgress(`Available: ${num(st.numberAvailable)}/${desired}`);
  if (num(st.numberReady) < desired) return inProgress(`Ready: ${num(st.numberReady)}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function replicaSet(obj: KubeObject): Health {
  const st = statusOf(obj);
  const want = num(specOf(obj).replicas, 1);
  const failure = findCondition(obj, "ReplicaFailure");
  if (failure?.status === "True") return inProgress(`Replica failure: ${failure.message ?? ""}`.trim());
  if (num(st.replicas) < want) return inProgress(`Replicas: ${num(st.replicas)}/${want}`);
  if (num(st.availableReplicas) < want) return inProgress(`Available: ${num(st.availableReplicas)}/${want}`);
  if (num(st.readyReplicas) < want) return inProgress(`Ready: ${num(st.readyReplicas)}/${want}`);
  return current(`ReplicaSet is available. Replicas: ${want}`);
}

function job(obj: KubeObject): Health {
  const st = statusOf(obj);
  const f = findCondition(obj, "Failed");
  if (f?.status === "True") return failed(`Job failed: ${f.message || f.reason || ""}`.trim());
  const c = findCondition(obj, "Complete");
  if (c?.status === "True") return current(`Job completed. succeeded: ${num(st.succeeded)}`);
  if (specOf(obj).suspend === true) return current("Job is suspended");
  return inProgress(
    `Job in progress. success: ${num(st.succeeded)}, active: ${num(st.active)}, failed: ${num(st.failed)}`,
  );
}

function pod(obj: KubeObject): Health {
  const st = statusOf(obj);
  const phase = st.phase;
  if (phase === "Succeeded") return current("Pod has completed successfully");
  if (phase === "Failed") return failed(`Pod has failed: ${String(st.message ?? st.reason ?? "")}`.trim());
  const cs = Array.isArray(st.containerStatuses) ? st.containerStatuses.filter(isObject) : [];
  for (const c of cs) {
    const state = isObject(c.state) ? c.state : {};
    const waiting = isObject(state.waiting) ? state.waiting : undefined;
    if (waiting?.reason === "CrashLoopBackOff" || waiting?.reason === "ImagePullBackOff") {
      return failed(`container ${String(c.name)} is in ${String(waiting.reason)}`);
    }
  }
  const ready = findCondition(obj, "Ready");
  if (phase === "Running" && ready?.status === "True") return current("Pod is Ready");
  return inProgress(`Pod phase ${String(phase ?? "Pending")}${ready ? `, Ready=${ready.status}` : ""}`);
}

function pvc(obj: KubeObject): Health {
  const phase = statusOf(obj).phase;
  if (phase === "Bound") return current("PVC is Bound");
  return inProgress(`PVC is not Bound. phase: ${String(phase ?? "Pending")}`);
}

function service(obj: KubeObject): Health {
  const spec = specOf(obj);
  if (spec.type !== "LoadBalancer") return current("Service is ready");
  const lb = isObject(statusOf(obj).loadBalancer) ? (statusOf(obj).loadBalancer as Status) : {};
  const ingress = Array.isArray(lb.ingress) ? lb.ingress : [];
  if (ingress.length === 0) return inProgress("LoadBalancer has no ingress address yet");
  return current("Service is ready");
}

function namespace(obj: KubeObject): Health {
  const phase = statusOf(obj).phase;
  if (phase === "Terminating") return { status: "Terminating", message: "Namespace is terminating" };
  if (phase === "Active" || phase === undefined) return current("Namespace is Active");
  return inProgress(`Namespace phase ${String(phase)}`);
}

function crd(obj: KubeObject): Health {
  const names = findCondition(obj, "NamesAccepted");
  if (names?.status === "False") return failed(`names not accepted: ${names.message ?? ""}`.trim());
  const est = findCondition(obj, "Established");
  if (est?.status === "True") return current("CRD is established");
  return inProgress("CRD is not established yet");
}

function pdb(obj: KubeObject): Health {
  const st = statusOf(obj);
  if (num(st.currentHealthy) < num(st.desiredHealthy)) {
    return inProgress(`Budget not met: ${num(st.currentHealthy)}/${num(st.desiredHealthy)} healthy`);
  }
  return current("Budget is met");
}
