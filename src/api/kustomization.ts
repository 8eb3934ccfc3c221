/** Kustomization (kustomize.toolkit.fluxcd.io/v1): a kustomize overlay from a source, applied and pruned. */
import {
  commonMetadata,
  dependencyReference,
  healthCheckExpr,
  ignoreRule,
  image,
  kubeConfigReference,
  localObjectReference,
  patch,
} from "./common.ts";
import { arr, bool, duration, type Infer, kind, map, obj, str, strEnum } from "./schema.ts";

export const kustomizationSpec = obj(
  {
    commonMetadata,
    dependsOn: arr(dependencyReference),
    decryption: obj(
      { provider: strEnum(["sops"]), serviceAccountName: str(), secretRef: localObjectReference },
      ["provider"],
    ),
    deletionPolicy: strEnum(["MirrorPrune", "Delete", "WaitForTermination", "Orphan"]),
    interval: duration(),
    retryInterval: duration(),
    kubeConfig: kubeConfigReference,
    path: str(),
    postBuild: obj({
      substituteStrategy: strEnum(["WithVariables", "Always"]),
      substitute: map(str()),
      substituteFrom: arr(
        obj({ kind: strEnum(["Secret", "ConfigMap"]), name: str(), optional: bool() }, ["kind", "name"]),
      ),
    }),
    prune: bool(),
    healthChecks: arr(
      obj({ apiVersion: str(), kind: str(), name: str(), namespace: str() }, ["kind", "name"]),
    ),
    healthCheckExprs: arr(healthCheckExpr),
    namePrefix: str(),
    nameSuffix: str(),
    patches: arr(patch),
    images: arr(image),
    serviceAccountName: str(),
    sourceRef: obj(
      {
        apiVersion: str(),
        kind: strEnum(["OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"]),
        name: str(),
        namespace: str(),
      },
      ["kind", "name"],
    ),
    suspend: bool(),
    targetNamespace: str(),
    timeout: duration(),
    force: bool(),
    wait: bool(),
    buildMetadata: arr(strEnum(["originAnnotations", "transformerAnnotations"])),
    components: arr(str()),
    ignoreMissingComponents: bool(),
    ignore: arr(ignoreRule),
  },
  ["interval", "prune", "sourceRef"],
);

export const kustomization = kind("kustomize.toolkit.fluxcd.io/v1", "Kustomization", kustomizationSpec);
export type Kustomization = Infer<typeof kustomization>;
export type KustomizationSpec = Infer<typeof kustomizationSpec>;
