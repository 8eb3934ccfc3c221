/**
 * API: TypeScript types and schemas of the Flux-compatible kinds Ferry reads (FluxInstance, ResourceSet,
 * ResourceSetInputProvider, OCIRepository, Kustomization, HelmRelease; FluxReport, which only the agent
 * writes), with the upstream field names.
 * The schemas are authored here with a typed builder and the types are derived from them, so the
 * validator and the code agree. This module holds no behaviour: no defaulting, no conversion, no I/O.
 */
import { fluxInstance } from "./fluxinstance.ts";
import { fluxReport } from "./fluxreport.ts";
import { helmRelease } from "./helmrelease.ts";
import { kustomization } from "./kustomization.ts";
import { ociRepository } from "./ocirepository.ts";
import { resourceSet } from "./resourceset.ts";
import { resourceSetInputProvider } from "./resourcesetinputprovider.ts";
import type { JsonSchema } from "./schema.ts";

export { type CustomResourceDefinition, fluxCRDs } from "./crds.ts";
export type { FluxInstance } from "./fluxinstance.ts";
export type { FluxReport, FluxReportSpec } from "./fluxreport.ts";
export type { HelmRelease } from "./helmrelease.ts";
export type { Kustomization, KustomizationSpec } from "./kustomization.ts";
export type { OCIRepository } from "./ocirepository.ts";
export type { ResourceSet, ResourceSetSpec } from "./resourceset.ts";
export { INPUT_PROVIDER_TYPES, type ResourceSetInputProvider } from "./resourcesetinputprovider.ts";
export type { Infer, JsonSchema, ObjectMeta, S } from "./schema.ts";

/** Schemas of the Flux kinds, keyed by `apiVersion/Kind` (e.g. `kustomize.toolkit.fluxcd.io/v1/Kustomization`). */
export function fluxSchemas(): Map<string, JsonSchema> {
  const all = [
    fluxInstance,
    resourceSet,
    resourceSetInputProvider,
    ociRepository,
    kustomization,
    helmRelease,
  ];
  return schemaMap(all);
}

/**
 * Schemas of every kind Ferry serves as a CRD: the Flux kinds above plus those only the agent writes
 * (FluxReport), which a fleet repository never holds and the validator therefore does not know.
 */
export function servedSchemas(): Map<string, JsonSchema> {
  return new Map([...fluxSchemas(), ...schemaMap([fluxReport])]);
}

function schemaMap(all: ReadonlyArray<{ json: JsonSchema }>): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  for (const s of all) {
    const api = s.json.properties?.apiVersion?.enum?.[0] as string;
    const k = s.json.properties?.kind?.enum?.[0] as string;
    out.set(`${api}/${k}`, s.json);
  }
  return out;
}
