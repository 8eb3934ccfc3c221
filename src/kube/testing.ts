/**
 * Test helpers for the kube module's integration tests: object builders. Test-only (like src/cli/testing.ts);
 * the cluster comes from src/dev/testing.ts.
 */
import type { ChangeSetEntry } from "./changeset.ts";
import type { KubeObject } from "./object.ts";

export const cm = (
  ns: string,
  name: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
  data,
});

/** A one-replica Deployment kwok can run; `extra` goes into the pod spec. */
export const deployment = (ns: string, name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: "app", image: "registry.example/app:1" }],
        tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoSchedule" }],
        ...extra,
      },
    },
  },
});

/** `Kind/ns/name` → action, for compact assertions. */
export const actions = (cs: ChangeSetEntry[]): Record<string, string> =>
  Object.fromEntries(cs.map((e) => [e.ref, e.action]));

/** Flux's kustomize-controller owner labels. */
export function owner(name: string, ns: string): Record<string, string> {
  return { "kustomize.toolkit.fluxcd.io/name": name, "kustomize.toolkit.fluxcd.io/namespace": ns };
}
