/** ResourceSet (fluxcd.controlplane.io/v1): templated resources expanded once per input set. */
import { commonMetadata, labelSelector } from "./common.ts";
import {
  anyValue,
  arr,
  bool,
  duration,
  freeObject,
  type Infer,
  kind,
  map,
  obj,
  str,
  strEnum,
} from "./schema.ts";

const inputProviderReference = obj({
  apiVersion: strEnum(["fluxcd.controlplane.io/v1"]),
  kind: strEnum(["ResourceSetInputProvider"]),
  name: str(),
  selector: labelSelector,
});

export const resourceSetSpec = obj({
  commonMetadata,
  dependsOn: arr(
    obj({ apiVersion: str(), kind: str(), name: str(), namespace: str(), ready: bool(), readyExpr: str() }, [
      "apiVersion",
      "kind",
      "name",
    ]),
  ),
  inputStrategy: obj({ name: strEnum(["Flatten", "Permute"]), includeEmptyProviders: bool() }, ["name"]),
  inputs: arr(map(anyValue())),
  inputsFrom: arr(inputProviderReference),
  resources: arr(freeObject()),
  resourcesTemplate: str(),
  steps: arr(
    obj(
      {
        name: str({ pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" }),
        resources: arr(freeObject()),
        resourcesTemplate: str(),
        timeout: duration(),
      },
      ["name"],
    ),
  ),
  serviceAccountName: str(),
  wait: bool(),
});

export const resourceSet = kind("fluxcd.controlplane.io/v1", "ResourceSet", resourceSetSpec);
export type ResourceSet = Infer<typeof resourceSet>;
export type ResourceSetSpec = Infer<typeof resourceSetSpec>;
