/** Release naming and identity as helm-controller computes them. */
import { createHash } from "node:crypto";
import type { HelmRelease } from "../../api/index.ts";

type Spec = HelmRelease["spec"];

/** Flux's ShortenName: names past 53 characters become their first 40, a dash and 12 hex of their sha256. */
export function shortenName(name: string): string {
  if (name.length <= 53) return name;
  const sum = createHash("sha256").update(name).digest("hex");
  return `${name.slice(0, 40)}-${sum.slice(0, 12)}`;
}

/** spec.releaseName, else `<targetNamespace>-<name>` (or `<name>`), shortened. */
export function releaseNameOf(name: string, spec: Spec): string {
  if (spec.releaseName) return spec.releaseName;
  return shortenName(spec.targetNamespace ? `${spec.targetNamespace}-${name}` : name);
}

/** Where the release's objects go: spec.targetNamespace, else the HelmRelease's namespace. */
export function releaseNamespaceOf(namespace: string, spec: Spec): string {
  return spec.targetNamespace || namespace;
}

/** Where the release records live: spec.storageNamespace, else the HelmRelease's namespace. */
export function storageNamespaceOf(namespace: string, spec: Spec): string {
  return spec.storageNamespace || namespace;
}
