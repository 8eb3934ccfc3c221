/** Field groups shared by several Flux kinds (same names as the upstream APIs). */
import { arr, bool, duration, map, obj, str, strEnum } from "./schema.ts";

export const localObjectReference = obj({ name: str() }, ["name"]);

export const secretKeyReference = obj({ name: str(), key: str() }, ["name"]);

export const commonMetadata = obj({ annotations: map(str()), labels: map(str()) });

/** Kustomize's patch target selector. */
export const selector = obj({
  group: str(),
  version: str(),
  kind: str(),
  name: str(),
  namespace: str(),
  labelSelector: str(),
  annotationSelector: str(),
});

export const patch = obj({ patch: str(), target: selector }, ["patch"]);

export const image = obj({ name: str(), newName: str(), newTag: str(), digest: str() }, ["name"]);

export const kubeConfigReference = obj({
  secretRef: secretKeyReference,
  configMapRef: localObjectReference,
});

export const labelSelector = obj({
  matchLabels: map(str()),
  matchExpressions: arr(obj({ key: str(), operator: str(), values: arr(str()) }, ["key", "operator"])),
});

export const dependencyReference = obj({ name: str(), namespace: str(), readyExpr: str() }, ["name"]);

export const healthCheckExpr = obj(
  { apiVersion: str(), kind: str(), current: str(), inProgress: str(), failed: str() },
  ["apiVersion", "current"],
);

export const ignoreRule = obj({ paths: arr(str()), target: selector }, ["paths"]);

export { bool, duration, strEnum };
