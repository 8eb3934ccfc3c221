/**
 * Expands a ResourceSet's templates over its combined inputs, with flux-operator's rules: each entry of
 * `resources` is turned into YAML text and rendered once per input set (once with no inputs when there are
 * none), then `resourcesTemplate` is rendered per input set as a multi-document stream; objects annotated
 * `fluxcd.controlplane.io/reconcile: disabled` are dropped; duplicates (same group, kind, namespace, name)
 * keep the first, so `resources` wins over `resourcesTemplate`. `steps` are built the same way one by one,
 * and an object defined in two steps is an error. The template engine is passed in (`render`).
 */
import { FerryError } from "../../errors/index.ts";
import { identityOf, isKubeObject, isRecord, type KubeObject, refOf } from "../object.ts";
import { goYamlParseAll, goYamlTemplateText } from "../yaml.ts";
import { compilePlan, renderPlan } from "./fastpath.ts";
import type { InputSet } from "./inputs.ts";

export const RECONCILE_ANNOTATION = "fluxcd.controlplane.io/reconcile";

/** Renders a `<<`/`>>` template with the "resourceset" functions and `inputs` bound to the input set. */
export type RenderFn = (source: string, inputs: InputSet | undefined, name: string) => string;

/** A resource failed to render or did not produce objects; names the ResourceSet, the resource and the input. */
export class ResourceSetBuildError extends FerryError {
  override name = "ResourceSetBuildError";
  readonly resourceSet: string;
  readonly resource: string;
  readonly input: string | undefined;
  constructor(
    resourceSet: string,
    resource: string,
    input: string | undefined,
    detail: string,
    cause?: unknown,
  ) {
    super(`${resourceSet}: ${resource}${input ? ` with input ${input}` : ""}: ${detail}`, { cause });
    this.resourceSet = resourceSet;
    this.resource = resource;
    this.input = input;
  }
}

export interface StepResult {
  /** Empty for a ResourceSet without steps. */
  name: string;
  timeout?: string;
  objects: KubeObject[];
}

interface Source {
  resources: unknown[];
  resourcesTemplate: string;
}

/** Which input set, for messages: its `id` when it has one, else its position. */
function describeInput(inputs: readonly InputSet[], i: number): string {
  const id = inputs[i]?.id;
  return typeof id === "string" || typeof id === "number" ? `id ${id}` : `#${i + 1}`;
}

/** The objects of one resources/resourcesTemplate pair. */
export function buildResources(
  rsetName: string,
  where: string,
  src: Source,
  inputs: readonly InputSet[],
  render: RenderFn,
): KubeObject[] {
  const objects: KubeObject[] = [];
  const seen = new Set<string>();
  const add = (o: KubeObject, dedup: boolean) => {
    const key = identityOf(o);
    if (dedup && seen.has(key)) return;
    seen.add(key);
    objects.push(o);
  };
  const disabled = (o: KubeObject) => o.metadata.annotations?.[RECONCILE_ANNOTATION] === "disabled";
  for (const [i, resource] of src.resources.entries()) {
    const label = `${where}.resources[${i}]${describeTemplate(resource)}`;
    const text = goYamlTemplateText(resource);
    const plan = compilePlan(text);
    const one = (input: InputSet | undefined, desc: string | undefined): KubeObject => {
      if (plan) {
        const fast = renderPlan(plan, input, (s, inp) => render(s, inp, "resourceset"));
        if (isKubeObject(fast)) {
          fast.metadata ??= {};
          return fast;
        }
      }
      return renderOne(rsetName, label, text, input, desc, render);
    };
    if (inputs.length === 0) {
      add(one(undefined, undefined), false);
      continue;
    }
    for (const [j, input] of inputs.entries()) {
      const o = one(input, describeInput(inputs, j));
      if (disabled(o)) continue;
      add(o, true);
    }
  }
  if (src.resourcesTemplate) {
    const label = `${where}.resourcesTemplate`;
    const rendered: KubeObject[] = [];
    const sets: Array<InputSet | undefined> = inputs.length === 0 ? [undefined] : [...inputs];
    for (const [j, input] of sets.entries()) {
      const desc = input ? describeInput(inputs, j) : undefined;
      const out = renderText(rsetName, label, src.resourcesTemplate, input, desc, render);
      rendered.push(...readObjects(rsetName, label, out, desc));
    }
    for (const o of rendered) if (!disabled(o)) add(o, true);
  }
  return objects;
}

function renderText(
  rsetName: string,
  label: string,
  text: string,
  input: InputSet | undefined,
  desc: string | undefined,
  render: RenderFn,
): string {
  try {
    return render(text, input, "resourceset");
  } catch (err) {
    throw new ResourceSetBuildError(rsetName, label, desc, (err as Error).message, err);
  }
}

function renderOne(
  rsetName: string,
  label: string,
  text: string,
  input: InputSet | undefined,
  desc: string | undefined,
  render: RenderFn,
): KubeObject {
  const objects = readObjects(rsetName, label, renderText(rsetName, label, text, input, desc, render), desc);
  const first = objects[0];
  if (!first) throw new ResourceSetBuildError(rsetName, label, desc, "the template rendered no object");
  return first;
}

function readObjects(rsetName: string, label: string, text: string, desc: string | undefined): KubeObject[] {
  let docs: unknown[];
  try {
    docs = goYamlParseAll(text);
  } catch (err) {
    const detail = (err as Error).message.split("\n")[0];
    throw new ResourceSetBuildError(
      rsetName,
      label,
      desc,
      `the rendered YAML does not parse (${detail})`,
      err,
    );
  }
  const out: KubeObject[] = [];
  for (const d of docs) {
    if (!isKubeObject(d)) {
      throw new ResourceSetBuildError(
        rsetName,
        label,
        desc,
        "rendered a document without apiVersion and kind",
      );
    }
    d.metadata ??= {};
    out.push(d);
  }
  return out;
}

/** ` (Kind/name)` of a resource template, for messages. */
function describeTemplate(resource: unknown): string {
  if (!isRecord(resource)) return "";
  const meta = isRecord(resource.metadata) ? resource.metadata : {};
  return ` (${String(resource.kind ?? "?")}/${String(meta.name ?? "?")})`;
}

/** Builds every step (or the single anonymous step) of a ResourceSet. */
export function buildSteps(rset: KubeObject, inputs: readonly InputSet[], render: RenderFn): StepResult[] {
  const spec = isRecord(rset.spec) ? rset.spec : {};
  const name = refOf(rset);
  const steps = Array.isArray(spec.steps) ? spec.steps.filter(isRecord) : [];
  const hasFlat =
    (Array.isArray(spec.resources) && spec.resources.length > 0) || Boolean(spec.resourcesTemplate);
  if (steps.length > 0 && hasFlat) {
    throw new ResourceSetBuildError(
      name,
      "spec",
      undefined,
      "spec.steps is mutually exclusive with spec.resources and spec.resourcesTemplate",
    );
  }
  if (steps.length === 0) {
    const objects = buildResources(name, "spec", sourceOf(spec), inputs, render);
    return [{ name: "", objects }];
  }
  const results: StepResult[] = [];
  const owner = new Map<string, string>();
  for (const [i, step] of steps.entries()) {
    const stepName = String(step.name ?? "");
    const src = sourceOf(step);
    if (src.resources.length === 0 && !src.resourcesTemplate) {
      throw new ResourceSetBuildError(
        name,
        `spec.steps[${i}] (${stepName})`,
        undefined,
        "at least one of resources or resourcesTemplate must be set",
      );
    }
    const objects = buildResources(name, `spec.steps[${i}]`, src, inputs, render);
    for (const o of objects) {
      const key = identityOf(o);
      const prev = owner.get(key);
      if (prev !== undefined && prev !== stepName) {
        throw new ResourceSetBuildError(
          name,
          `spec.steps[${i}] (${stepName})`,
          undefined,
          `duplicate resource ${refOf(o)}, already defined in step "${prev}"`,
        );
      }
      owner.set(key, stepName);
    }
    results.push({
      name: stepName,
      ...(typeof step.timeout === "string" ? { timeout: step.timeout } : {}),
      objects,
    });
  }
  return results;
}

function sourceOf(spec: Record<string, unknown>): Source {
  return {
    resources: Array.isArray(spec.resources) ? spec.resources : [],
    resourcesTemplate: typeof spec.resourcesTemplate === "string" ? spec.resourcesTemplate : "",
  };
}
