/**
 * Renders a Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1) the way kustomize-controller does on a
 * cluster: Flux's generator on `spec.path` inside the source folder, `kustomize build`, the check that every
 * object has apiVersion, kind and name, post-build substitution when `spec.postBuild` is set, and finally
 * `spec.commonMetadata`. The ConfigMaps and Secrets that `substituteFrom` names are passed in as objects.
 */
import { resolve, sep } from "node:path";
import { FerryError, UsageError } from "../errors/index.ts";
import { generateKustomization, type OverlaySpec } from "./generate.ts";
import { buildKustomization, type KustomizeRunner } from "./kustomize.ts";
import { isRecord, type KubeObject, refOf, setCommonMetadata } from "./object.ts";
import { loadVariables, type PostBuild, substituteObjects } from "./substitute.ts";

export const KUSTOMIZATION_API = "kustomize.toolkit.fluxcd.io/v1";

export interface KustomizationSpec extends OverlaySpec {
  path?: string;
  postBuild?: PostBuild;
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
}

/** A built object lacks apiVersion, kind or name, which kustomize-controller rejects. */
export class InvalidObjectError extends FerryError {
  override name = "InvalidObjectError";
  readonly kustomization: string;
  constructor(kustomization: string, detail: string) {
    super(
      `${kustomization}: a built object has no ${detail}; give every manifest apiVersion, kind and metadata.name`,
    );
    this.kustomization = kustomization;
  }
}

export interface RenderKustomizationOptions {
  signal: AbortSignal;
  runner: KustomizeRunner;
  /** The artifact root (what the source's artifact extracts to); `spec.path` is relative to it. */
  sourceDir: string;
  /** ConfigMaps and Secrets available to `postBuild.substituteFrom`. */
  sources?: readonly KubeObject[];
  /** Undefined variables are an error (`--strict-substitute`). */
  strictSubstitute?: boolean;
  /**
   * Add the labels kustomize-controller puts on what it applies (`kustomize.toolkit.fluxcd.io/name` and
   * `/namespace`), as `flux build` shows them. Default true.
   */
  ownerLabels?: boolean;
}

export const OWNER_NAME_LABEL = "kustomize.toolkit.fluxcd.io/name";
export const OWNER_NAMESPACE_LABEL = "kustomize.toolkit.fluxcd.io/namespace";

/** The objects the cluster would apply for this Kustomization. */
export async function renderKustomization(
  kustomization: KubeObject,
  opts: RenderKustomizationOptions,
): Promise<KubeObject[]> {
  const spec = (isRecord(kustomization.spec) ? kustomization.spec : {}) as KustomizationSpec;
  const name = refOf(kustomization);
  const root = resolve(opts.sourceDir);
  const dir = resolve(root, spec.path ?? ".");
  if (dir !== root && !dir.startsWith(root + sep)) {
    throw new UsageError(
      `${name}: spec.path "${spec.path}" leaves the source folder ${root}; use a path inside it`,
    );
  }
  const generated = await generateKustomization(dir, spec, { signal: opts.signal });
  const overrides = generated.changed ? { [generated.file]: generated.content } : {};
  let objects = await buildKustomization(dir, { signal: opts.signal, runner: opts.runner, overrides });
  for (const o of objects) {
    if (!o.apiVersion) throw new InvalidObjectError(name, `apiVersion (kind ${o.kind})`);
    if (!o.kind) throw new InvalidObjectError(name, "kind");
    if (!o.metadata?.name) throw new InvalidObjectError(name, `metadata.name (${o.kind})`);
  }
  if (spec.postBuild) {
    const vars = loadVariables(spec.postBuild, {
      sources: opts.sources,
      namespace: kustomization.metadata.namespace,
    });
    objects = substituteObjects(objects, vars, {
      strict: opts.strictSubstitute,
      always: spec.postBuild.substituteStrategy === "Always",
    });
  }
  if (spec.commonMetadata) {
    setCommonMetadata(objects, spec.commonMetadata.labels, spec.commonMetadata.annotations);
  }
  if (opts.ownerLabels ?? true) {
    const owner = {
      [OWNER_NAME_LABEL]: kustomization.metadata.name ?? "",
      [OWNER_NAMESPACE_LABEL]: kustomization.metadata.namespace ?? "",
    };
    setCommonMetadata(objects, owner, undefined);
  }
  return objects;
}

/** A Kustomization for rendering a folder directly (`ferry build kustomization --path DIR`). */
export function syntheticKustomization(postBuild: PostBuild | undefined): KubeObject {
  return {
    apiVersion: KUSTOMIZATION_API,
    kind: "Kustomization",
    metadata: { name: "build", namespace: "flux-system" },
    spec: { path: ".", ...(postBuild ? { postBuild } : {}) },
  };
}
