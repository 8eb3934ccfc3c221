/**
 * Render: everything between an artifact on disk and the objects a cluster would apply, offline and
 * exactly as the Flux controllers do it: kustomize builds (the real binary as a subprocess, with Flux's
 * generated kustomization and overlay fields), post-build variable substitution, ResourceSet expansion
 * (`./resourceset`) and offline validation (`./validate`). Pure library: nothing here talks to a cluster;
 * the only side effects are kustomize subprocesses and temporary folders that are removed afterwards.
 */
export { EnvsubstError, envsubst, referencedVariables } from "./envsubst.ts";
export {
  generateKustomization,
  hasOverlayFields,
  isLocalRelativePath,
  KUSTOMIZATION_FILES,
  KustomizationFileError,
  type OverlaySpec,
  scanManifests,
} from "./generate.ts";
export {
  InvalidObjectError,
  KUSTOMIZATION_API,
  type KustomizationSpec,
  OWNER_NAME_LABEL,
  OWNER_NAMESPACE_LABEL,
  type RenderKustomizationOptions,
  renderKustomization,
  syntheticKustomization,
} from "./kustomization.ts";
export {
  buildKustomization,
  findKustomize,
  KustomizeBuildError,
  KustomizeNotFoundError,
  type KustomizeRunner,
  onPath,
} from "./kustomize.ts";
export {
  groupOf,
  identityOf,
  isKubeObject,
  isRecord,
  type KubeObject,
  refOf,
  setCommonMetadata,
} from "./object.ts";
export {
  loadVariables,
  type PostBuild,
  SUBSTITUTE_ANNOTATION,
  type SubstituteReference,
  SubstituteSourceNotFoundError,
  SubstitutionError,
  sourceData,
  substituteObjects,
  substitutionDisabled,
  VariableNameError,
} from "./substitute.ts";
export { NotAnObjectError, parseDocuments, parseObjects, stringifyObjects, YamlError } from "./yaml.ts";
