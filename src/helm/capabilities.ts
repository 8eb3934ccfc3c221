/**
 * `.Capabilities`: the Kubernetes version and API versions a chart renders for, and the Helm version.
 * Offline (like `helm template`) Helm assumes Kubernetes v1.20.0 and the API versions built into its
 * client; the reconciler passes the cluster's.
 */
import { fn, goFormatted, goMethods, goStringer, TypedSlice } from "../template/index.ts";

export interface Capabilities {
  /** e.g. "v1.37.2" (a leading "v" is added when missing). */
  kubeVersion: string;
  /** "group/version" and "group/version/Kind" entries the cluster serves. */
  apiVersions: string[];
}

/** The API versions of a stock cluster (Kubernetes' built-in groups), for offline rendering. */
export const DEFAULT_API_VERSIONS: readonly string[] = [
  "v1",
  "admissionregistration.k8s.io/v1",
  "apiextensions.k8s.io/v1",
  "apiregistration.k8s.io/v1",
  "apps/v1",
  "authentication.k8s.io/v1",
  "authorization.k8s.io/v1",
  "autoscaling/v1",
  "autoscaling/v2",
  "batch/v1",
  "certificates.k8s.io/v1",
  "coordination.k8s.io/v1",
  "discovery.k8s.io/v1",
  "events.k8s.io/v1",
  "flowcontrol.apiserver.k8s.io/v1",
  "networking.k8s.io/v1",
  "node.k8s.io/v1",
  "policy/v1",
  "rbac.authorization.k8s.io/v1",
  "scheduling.k8s.io/v1",
  "storage.k8s.io/v1",
];

export const DEFAULT_CAPABILITIES: Capabilities = {
  kubeVersion: "v1.20.0",
  apiVersions: [...DEFAULT_API_VERSIONS],
};

/** Helm's own version as templates see it. */
export const HELM_VERSION = "v3.22";

/** The template value of `.Capabilities`. */
export function capabilitiesValue(caps: Capabilities): Record<string, unknown> {
  const version = caps.kubeVersion.startsWith("v") ? caps.kubeVersion : `v${caps.kubeVersion}`;
  const m = /^v(\d+)\.(\d+)/.exec(version);
  const kube = {
    Version: version,
    Major: m?.[1] ?? "",
    Minor: m?.[2] ?? "",
    [goMethods]: { GitVersion: fn([], () => version), String: fn([], () => version) },
    [goStringer]: () => version,
    [goFormatted]: () => `{${version} ${m?.[1] ?? ""} ${m?.[2] ?? ""}}`,
  };
  const apis = new TypedSlice([...caps.apiVersions], "string");
  Object.assign(apis, {
    [goMethods]: { Has: fn(["string"], (v: string) => caps.apiVersions.includes(v)) },
  });
  return {
    KubeVersion: kube,
    APIVersions: apis,
    HelmVersion: { Version: HELM_VERSION, GitCommit: "", GitTreeState: "", GoVersion: "" },
  };
}

/** Parses "1.37.2", "v1.37.2+k3s1" into Helm's form "v1.37.2" (undefined when it is not a version). */
export function normalizeKubeVersion(v: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  return m ? `v${m[1]}.${m[2]}.${m[3] ?? "0"}` : undefined;
}
