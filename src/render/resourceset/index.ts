/**
 * ResourceSet expansion (fluxcd.controlplane.io/v1), offline: combines the inputs (in-line and from
 * ResourceSetInputProvider manifests), renders `resources`/`resourcesTemplate`/`steps` with the Go template
 * engine (`<<`/`>>`, the "resourceset" function library), drops excluded objects, deduplicates, and sets
 * `commonMetadata` and the owner labels the operator sets. The annotations resolved at apply time
 * (`copyFrom`, `checksumFrom`, `convertKubeConfigFrom`) are recognised and reported, not resolved: that
 * needs the cluster. Nothing here reads files or talks to a cluster.
 */
import { isRecord, type KubeObject, refOf, setCommonMetadata } from "../object.ts";
import { buildSteps, type RenderFn, type StepResult } from "./build.ts";
import { combineInputs, type InputSet, selectProviders } from "./inputs.ts";

export {
  buildResources,
  buildSteps,
  RECONCILE_ANNOTATION,
  type RenderFn,
  ResourceSetBuildError,
  type StepResult,
} from "./build.ts";
export { templateRenderer } from "./engine.ts";
export {
  combineInputs,
  type InputSet,
  InputsError,
  inputId,
  matchesSelector,
  normalizeKey,
  providerInputs,
  RSET_API,
  selectProviders,
} from "./inputs.ts";

export const OWNER_NAME_LABEL = "resourceset.fluxcd.controlplane.io/name";
export const OWNER_NAMESPACE_LABEL = "resourceset.fluxcd.controlplane.io/namespace";

/** Annotations whose effect needs the cluster; an expansion lists them so a reader knows what changes later. */
export const APPLY_TIME_ANNOTATIONS = {
  copyFrom: "fluxcd.controlplane.io/copyFrom",
  checksumFrom: "fluxcd.controlplane.io/checksumFrom",
  convertKubeConfigFrom: "fluxcd.controlplane.io/convertKubeConfigFrom",
} as const;

export interface Deferred {
  object: string;
  annotation: string;
  /** What the annotation points at (e.g. `flux-system/runtime-info`). */
  source: string;
}

export interface Expansion {
  /** One entry per step; a single unnamed entry without steps. */
  steps: StepResult[];
  /** All objects, in step order. */
  objects: KubeObject[];
  inputs: InputSet[];
  deferred: Deferred[];
}

export interface ExpandOptions {
  /** The template engine; see `templateRenderer()`. */
  render: RenderFn;
  /** ResourceSetInputProvider manifests `spec.inputsFrom` may select. */
  providers?: readonly KubeObject[];
}

export function expandResourceSet(rset: KubeObject, opts: ExpandOptions): Expansion {
  const providers = selectProviders(rset, opts.providers ?? []);
  const inputs = combineInputs(rset, providers);
  const steps = buildSteps(rset, inputs, opts.render);
  const objects = steps.flatMap((s) => s.objects);
  const spec = isRecord(rset.spec) ? rset.spec : {};
  const common = isRecord(spec.commonMetadata) ? spec.commonMetadata : {};
  setCommonMetadata(
    objects,
    isRecord(common.labels) ? (common.labels as Record<string, string>) : undefined,
    isRecord(common.annotations) ? (common.annotations as Record<string, string>) : undefined,
  );
  setCommonMetadata(
    objects,
    { [OWNER_NAME_LABEL]: rset.metadata.name ?? "", [OWNER_NAMESPACE_LABEL]: rset.metadata.namespace ?? "" },
    undefined,
  );
  const deferred: Deferred[] = [];
  for (const o of objects) {
    for (const annotation of Object.values(APPLY_TIME_ANNOTATIONS)) {
      const source = o.metadata.annotations?.[annotation];
      if (source) deferred.push({ object: refOf(o), annotation, source: source.trim() });
    }
  }
  return { steps, objects, inputs, deferred };
}
