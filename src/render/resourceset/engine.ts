/**
 * The bridge to the Go template engine (src/template): renders ResourceSet templates the way flux-operator
 * does — `<<`/`>>` delimiters, the "resourceset" function library (slim-sprig, slugify, toYaml…),
 * `missingkey=error`, and `inputs` bound to the input set being rendered.
 */
import { FerryError } from "../../errors/index.ts";
import type { RenderFn } from "./build.ts";

type RenderTemplate = (
  source: string,
  data: unknown,
  opts: { name?: string; delims?: [string, string]; functions?: string; missingKey?: string },
) => string;

export class TemplateEngineUnavailableError extends FerryError {
  override name = "TemplateEngineUnavailableError";
  constructor(options?: { cause?: unknown }) {
    super(
      "the Go template engine (src/template) is not available in this build; ResourceSets cannot be expanded",
      options,
    );
  }
}

/** A RenderFn backed by src/template. */
export async function templateRenderer(): Promise<RenderFn> {
  // Loaded lazily so that kustomize-only commands do not pay for (or depend on) the template engine.
  const specifier = "../../template/index.ts";
  let renderTemplate: RenderTemplate;
  try {
    ({ renderTemplate } = (await import(specifier)) as { renderTemplate: RenderTemplate });
  } catch (err) {
    throw new TemplateEngineUnavailableError({ cause: err });
  }
  return (source, inputs, name) =>
    renderTemplate(source, inputs ?? null, {
      name,
      delims: ["<<", ">>"],
      functions: "resourceset",
      missingKey: "error",
    });
}
