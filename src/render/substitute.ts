// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} is Flux variable syntax, not a JS template
/**
 * Flux post-build variable substitution over rendered objects (kustomize-controller's `postBuild`):
 * variables come from `substituteFrom` ConfigMaps and Secrets in order (a later source overrides an earlier
 * one), then `substitute` overrides them all; newlines in values are dropped; names must match
 * `^[_a-zA-Z][_a-zA-Z0-9]*$`. Each object is serialized to YAML text, expanded, and parsed back, exactly as
 * the controller does, so a `${VAR}` standing alone can turn into a number or a boolean. An object labelled
 * or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` is left untouched (only that object: a
 * Namespace carrying it does not shield the objects inside it). Offline, the ConfigMaps and Secrets are
 * passed in as objects instead of being read from a cluster.
 */
import { FerryError } from "../errors/index.ts";
import { EnvsubstError, envsubst } from "./envsubst.ts";
import { isRecord, type KubeObject, refOf } from "./object.ts";
import { goYamlParse, goYamlStringify } from "./yaml.ts";

export const SUBSTITUTE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute";
const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export interface SubstituteReference {
  /** `ConfigMap` or `Secret`. */
  kind: string;
  name: string;
  optional?: boolean;
}

/** `spec.postBuild` of a Flux Kustomization. */
export interface PostBuild {
  substituteStrategy?: "WithVariables" | "Always";
  substitute?: Record<string, string>;
  substituteFrom?: SubstituteReference[];
}

/** A `substituteFrom` reference that names no ConfigMap or Secret among the sources, and is not optional. */
export class SubstituteSourceNotFoundError extends FerryError {
  override name = "SubstituteSourceNotFoundError";
  readonly reference: string;
  constructor(reference: string, namespace: string | undefined) {
    super(
      `substituteFrom ${reference}${namespace ? ` in namespace ${namespace}` : ""} was not found: provide it (e.g. --substitute-from runtime-info.yaml) or mark the reference optional`,
    );
    this.reference = reference;
  }
}

export class VariableNameError extends FerryError {
  override name = "VariableNameError";
  readonly variable: string;
  constructor(variable: string) {
    super(`variable name "${variable}" is invalid: it must match ^[_a-zA-Z][_a-zA-Z0-9]*$; rename it`);
    this.variable = variable;
  }
}

/** Substitution in one object failed; `cause` is the EnvsubstError or the YAML error of the result. */
export class SubstitutionError extends FerryError {
  override name = "SubstitutionError";
  readonly object: string;
  readonly variable: string | undefined;
  constructor(object: string, detail: string, variable: string | undefined, cause: unknown) {
    super(`post-build substitution failed for ${object}: ${detail}`, { cause });
    this.object = object;
    this.variable = variable;
  }
}

export interface LoadVariablesOptions {
  /** ConfigMaps and Secrets the references may name (what the cluster would hold). */
  sources?: readonly KubeObject[];
  /** Namespace of the Kustomization; a source with a different namespace does not match. */
  namespace?: string;
}

/** The variables a postBuild section defines, with the precedence kustomize-controller applies. */
export function loadVariables(
  postBuild: PostBuild | undefined,
  opts: LoadVariablesOptions = {},
): Map<string, string> {
  const vars = new Map<string, string>();
  for (const ref of postBuild?.substituteFrom ?? []) {
    const src = (opts.sources ?? []).find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata.name === ref.name &&
        (!opts.namespace || !o.metadata.namespace || o.metadata.namespace === opts.namespace),
    );
    if (!src) {
      if (ref.optional) continue;
      throw new SubstituteSourceNotFoundError(`${ref.kind}/${ref.name}`, opts.namespace);
    }
    for (const [k, v] of Object.entries(sourceData(src))) vars.set(k, v.replaceAll("\n", ""));
  }
  for (const [k, v] of Object.entries(postBuild?.substitute ?? {}))
    vars.set(k, String(v).replaceAll("\n", ""));
  return vars;
}

/** The string data of a ConfigMap (`data`) or Secret (`data` decoded from base64, then `stringData`). */
export function sourceData(obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  const data = isRecord(obj.data) ? obj.data : {};
  for (const [k, v] of Object.entries(data)) {
    out[k] = obj.kind === "Secret" ? Buffer.from(String(v), "base64").toString("utf8") : String(v);
  }
  if (obj.kind === "Secret" && isRecord(obj.stringData)) {
    for (const [k, v] of Object.entries(obj.stringData)) out[k] = String(v);
  }
  return out;
}

export interface SubstituteOptions {
  /** An undefined variable without a default is an error (kustomize-controller's `--feature-gates=StrictPostBuildSubstitutions`). */
  strict?: boolean;
  /** Substitute even when no variable is defined (`substituteStrategy: Always`), so defaults apply. */
  always?: boolean;
}

/** Whether an object opted out of substitution. */
export function substitutionDisabled(obj: KubeObject): boolean {
  return (
    obj.metadata.labels?.[SUBSTITUTE_ANNOTATION] === "disabled" ||
    obj.metadata.annotations?.[SUBSTITUTE_ANNOTATION] === "disabled"
  );
}

/** Substitutes `vars` into each object; returns new objects (inputs are not modified). */
export function substituteObjects(
  objects: readonly KubeObject[],
  vars: ReadonlyMap<string, string>,
  opts: SubstituteOptions = {},
): KubeObject[] {
  if (vars.size === 0 && !opts.always) return [...objects];
  for (const name of vars.keys()) if (!VAR_NAME.test(name)) throw new VariableNameError(name);
  const lookup = opts.strict ? (n: string) => vars.get(n) : (n: string) => vars.get(n) ?? "";
  return objects.map((obj) => substituteOne(obj, lookup, opts.strict ?? false));
}

function substituteOne(
  obj: KubeObject,
  lookup: (n: string) => string | undefined,
  strict: boolean,
): KubeObject {
  if (substitutionDisabled(obj)) return obj;
  const text = goYamlStringify(obj);
  if (!text.includes("$")) return obj;
  let expanded: string;
  try {
    expanded = envsubst(text, lookup, { strict });
  } catch (err) {
    if (err instanceof EnvsubstError) throw new SubstitutionError(refOf(obj), err.message, err.variable, err);
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = goYamlParse(expanded);
  } catch (err) {
    throw new SubstitutionError(
      refOf(obj),
      `the substituted YAML does not parse (${(err as Error).message.split("\n")[0]}); quote the value or the field`,
      undefined,
      err,
    );
  }
  if (!isRecord(parsed)) {
    throw new SubstitutionError(refOf(obj), "the substituted YAML is not an object", undefined, undefined);
  }
  return parsed as KubeObject;
}
