import assert from "node:assert/strict";
import { test } from "node:test";
import { CelExpressionError, CelHealthChecker } from "./cel.ts";
import { computeHealth } from "./health.ts";
import type { KubeObject } from "./object.ts";

const obj = (
  apiVersion: string,
  kind: string,
  rest: Partial<KubeObject> & { generation?: number } = {},
): KubeObject => {
  const { generation, ...others } = rest;
  return { apiVersion, kind, metadata: { name: "x", namespace: "ns", generation }, ...others };
};

test("kstatus rules for built-in kinds", () => {
  const cases: Array<[string, KubeObject, string]> = [
    ["configmap has no status", obj("v1", "ConfigMap"), "Current"],
    [
      "deployment not observed",
      obj("apps/v1", "Deployment", {
        generation: 2,
        spec: { replicas: 1 },
        status: { observedGeneration: 1 },
      }),
      "InProgress",
    ],
    [
      "deployment rolling",
      obj("apps/v1", "Deployment", {
        generation: 1,
        spec: { replicas: 2 },
        status: { observedGeneration: 1, updatedReplicas: 1, replicas: 2 },
      }),
      "InProgress",
    ],
    [
      "deployment available",
      obj("apps/v1", "Deployment", {
        generation: 1,
        spec: { replicas: 2 },
        status: {
          observedGeneration: 1,
          updatedReplicas: 2,
          replicas: 2,
          availableReplicas: 2,
          readyReplicas: 2,
        },
      }),
      "Current",
    ],
    [
      "deployment deadline exceeded",
      obj("apps/v1", "Deployment", {
        generation: 1,
        spec: { replicas: 1 },
        status: {
          observedGeneration: 1,
          conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
        },
      }),
      "Failed",
    ],
    [
      "job complete",
      obj("batch/v1", "Job", { status: { conditions: [{ type: "Complete", status: "True" }] } }),
      "Current",
    ],
    [
      "job failed",
      obj("batch/v1", "Job", {
        status: { conditions: [{ type: "Failed", status: "True", message: "BackoffLimitExceeded" }] },
      }),
      "Failed",
    ],
    ["job running", obj("batch/v1", "Job", { status: { active: 1 } }), "InProgress"],
    [
      "pod running ready",
      obj("v1", "Pod", { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } }),
      "Current",
    ],
    ["pod pending", obj("v1", "Pod", { status: { phase: "Pending" } }), "InProgress"],
    [
      "pod crashloop",
      obj("v1", "Pod", {
        status: {
          phase: "Running",
          containerStatuses: [{ name: "c", state: { waiting: { reason: "CrashLoopBackOff" } } }],
        },
      }),
      "Failed",
    ],
    ["pvc bound", obj("v1", "PersistentVolumeClaim", { status: { phase: "Bound" } }), "Current"],
    ["pvc pending", obj("v1", "PersistentVolumeClaim", { status: { phase: "Pending" } }), "InProgress"],
    ["service clusterip", obj("v1", "Service", { spec: { type: "ClusterIP" } }), "Current"],
    [
      "service lb pending",
      obj("v1", "Service", { spec: { type: "LoadBalancer" }, status: { loadBalancer: {} } }),
      "InProgress",
    ],
    [
      "service lb ready",
      obj("v1", "Service", {
        spec: { type: "LoadBalancer" },
        status: { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } },
      }),
      "Current",
    ],
    ["namespace active", obj("v1", "Namespace", { status: { phase: "Active" } }), "Current"],
    ["namespace terminating", obj("v1", "Namespace", { status: { phase: "Terminating" } }), "Terminating"],
    [
      "crd established",
      obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {
        status: { conditions: [{ type: "Established", status: "True" }] },
      }),
      "Current",
    ],
    [
      "crd not established",
      obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", { status: {} }),
      "InProgress",
    ],
    [
      "statefulset ready",
      obj("apps/v1", "StatefulSet", {
        generation: 1,
        spec: { replicas: 1 },
        status: {
          observedGeneration: 1,
          replicas: 1,
          readyReplicas: 1,
          currentReplicas: 1,
          updatedReplicas: 1,
          currentRevision: "a",
          updateRevision: "a",
        },
      }),
      "Current",
    ],
    [
      "daemonset partially scheduled",
      obj("apps/v1", "DaemonSet", {
        generation: 1,
        status: { observedGeneration: 1, desiredNumberScheduled: 2, currentNumberScheduled: 1 },
      }),
      "InProgress",
    ],
    [
      "replicaset ready",
      obj("apps/v1", "ReplicaSet", {
        spec: { replicas: 1 },
        status: { replicas: 1, availableReplicas: 1, readyReplicas: 1 },
      }),
      "Current",
    ],
    [
      "custom resource ready",
      obj("example.com/v1", "Widget", {
        generation: 3,
        status: { observedGeneration: 3, conditions: [{ type: "Ready", status: "True" }] },
      }),
      "Current",
    ],
    [
      "custom resource stalled",
      obj("example.com/v1", "Widget", {
        status: { conditions: [{ type: "Stalled", status: "True", message: "bad" }] },
      }),
      "Failed",
    ],
    [
      "custom resource ready for old generation",
      obj("example.com/v1", "Widget", {
        generation: 3,
        status: { conditions: [{ type: "Ready", status: "True", observedGeneration: 2 }] },
      }),
      "InProgress",
    ],
  ];
  for (const [name, o, want] of cases) assert.equal(computeHealth(o).status, want, name);
});

test("terminating objects report Terminating", () => {
  const o = obj("v1", "ConfigMap");
  o.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
  assert.equal(computeHealth(o).status, "Terminating");
});

test("CEL health expressions in Flux's healthCheckExprs shape", () => {
  const checker = new CelHealthChecker([
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      inProgress: "has(status.pending) && status.pending",
      failed: "status.conditions.filter(e, e.type == 'Issuing').all(e, e.status == 'False')",
      current:
        "status.conditions.filter(e, e.type == 'Ready').all(e, e.observedGeneration == metadata.generation && e.status == 'True')",
    },
  ]);
  const cert = (status: unknown): KubeObject => ({
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "c", generation: 2 },
    status,
  });
  const cases: Array<[string, unknown, string]> = [
    [
      "ready",
      {
        conditions: [
          { type: "Ready", status: "True", observedGeneration: 2 },
          { type: "Issuing", status: "True" },
        ],
      },
      "Current",
    ],
    ["issuing failed", { conditions: [{ type: "Issuing", status: "False" }] }, "Failed"],
    ["pending", { pending: true, conditions: [] }, "InProgress"],
    [
      "old generation",
      {
        conditions: [
          { type: "Ready", status: "True", observedGeneration: 1 },
          { type: "Issuing", status: "True" },
        ],
      },
      "InProgress",
    ],
  ];
  for (const [name, status, want] of cases) assert.equal(checker.evaluate(cert(status))?.status, want, name);
  const noStatus = checker.evaluate({
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "c" },
  });
  assert.equal(noStatus?.status, "InProgress");
  assert.match(noStatus?.message ?? "", /cannot evaluate/);
  assert.equal(checker.evaluate({ apiVersion: "v1", kind: "ConfigMap", metadata: {} }), undefined);
});

test("an invalid CEL expression fails when the checker is built", () => {
  assert.throws(
    () => new CelHealthChecker([{ apiVersion: "a/v1", kind: "B", current: "status.ready == " }]),
    (err: unknown) => err instanceof CelExpressionError && /a\/v1\/B: current expression/.test(err.message),
  );
});
