/**
 * Go's text/template in TypeScript: the whole template language (actions, pipelines, variables, if/range/
 * with/define/template/block, break/continue, trim markers, comments, custom delimiters, missingkey) with
 * Go's builtins and fmt semantics, plus the function libraries templates in the Flux ecosystem use:
 * slim-sprig's hermetic set ("sprig"), Flux Operator's ResourceSet set ("resourceset": sprig + slugify,
 * toYaml, inputs) and Helm's extras ("helm": sprig + include, tpl, required, toYaml, fromYaml, …).
 * Output and error messages match Go byte for byte where the conformance suite checks them
 * (see docs/template.md for the known differences). It does not read files or touch the network.
 */
import { UsageError } from "../errors/index.ts";
import type { MissingKey } from "./exec.ts";
import type { FuncMap } from "./funcs.ts";
import { libraryFuncs } from "./library.ts";
import { Template } from "./template.ts";

export { TemplateError } from "./errors.ts";
export type { MissingKey } from "./exec.ts";
export { sprintf } from "./fmt.ts";
export type { FuncMap, GoFunc, ParamType } from "./funcs.ts";
export { fn } from "./funcs.ts";
export { Template } from "./template.ts";
export {
  GoDuration,
  type GoMethodTable,
  GoNumber,
  GoTime,
  goFormatted,
  goMethods,
  goStringer,
  TypedMap,
  TypedSlice,
} from "./values.ts";
export { toYaml } from "./yaml.ts";

export type FunctionLibrary = "sprig" | "resourceset" | "helm" | "none";

const libraries: readonly string[] = ["sprig", "resourceset", "helm", "none"];
const missingKeys: readonly string[] = ["default", "zero", "error"];

export interface RenderOptions {
  /** Template name used in errors (default "template"; Flux Operator uses "resourceset"). */
  name?: string;
  /** Action delimiters; default ["{{", "}}"]. ResourceSets use ["<<", ">>"]. */
  delims?: [string, string];
  /** Function library (default "sprig"). */
  functions?: FunctionLibrary;
  /** Go's missingkey option (default "default"). */
  missingKey?: MissingKey;
  /** Extra functions, added over the library's. */
  extraFuncs?: FuncMap;
}

/**
 * Parses a template (with its `define`s) once, to execute it many times. With functions "resourceset",
 * the data given to execute is what the `inputs` function returns and dot is nil, as in Flux Operator.
 */
export function parse(source: string, options: RenderOptions = {}): Template {
  const name = options.name ?? "template";
  const library = options.functions ?? "sprig";
  if (!libraries.includes(library)) {
    throw new UsageError(
      `unknown template function library ${JSON.stringify(library)}; use one of ${libraries.join(", ")}`,
    );
  }
  if (options.missingKey !== undefined && !missingKeys.includes(options.missingKey)) {
    throw new UsageError(
      `unknown missingKey option ${JSON.stringify(options.missingKey)}; use one of ${missingKeys.join(", ")}`,
    );
  }
  const t = new Template(name, {}, { delims: options.delims, missingKey: options.missingKey });
  if (library === "resourceset") t.inputs = { value: undefined };
  t.funcs = { ...libraryFuncs(library, t), ...options.extraFuncs };
  t.parse(source);
  return t;
}

/** Renders a template against data; throws TemplateError (Go's message) on parse or execution failure. */
export function renderTemplate(source: string, data: unknown, options: RenderOptions = {}): string {
  return parse(source, options).execute(data);
}
