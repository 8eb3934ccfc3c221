/**
 * Validate: what a fleet repository's CI runs before merging, with no network. Every YAML file must parse,
 * every kustomize overlay (a folder with a kustomization file) must build, and every object (from the
 * builds, and from files outside any overlay) is checked against its schema: Kubernetes core kinds from
 * the bundled API-server schemas, Flux kinds from Ferry's own, custom kinds from CRDs found alongside.
 * An unknown kind is a warning (an error with `strict`), and `strict` also rejects unknown fields.
 * It does not substitute variables or expand ResourceSets: it checks the files as written.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { FerryError } from "../../errors/index.ts";
import { KUSTOMIZATION_FILES } from "../generate.ts";
import { buildKustomization, KustomizeBuildError, type KustomizeRunner } from "../kustomize.ts";
import { isKubeObject, type KubeObject, refOf } from "../object.ts";
import { expandResourceSet, templateRenderer } from "../resourceset/index.ts";
import { parseDocuments, YamlError } from "../yaml.ts";
import { checkValue } from "./check.ts";
import { loadSchemas, type SchemaSet } from "./schemas.ts";

export { checkValue, type FieldProblem } from "./check.ts";
export { DEFAULT_BUNDLE, loadSchemas, SchemaBundleError, type SchemaSet } from "./schemas.ts";

export interface Problem {
  severity: "error" | "warning";
  /** File (or overlay folder) relative to the validated folder. */
  file: string;
  line?: number;
  /** `Kind/ns/name` of the object, when the problem is in one. */
  object?: string;
  field?: string;
  message: string;
}

export interface ValidateResult {
  problems: Problem[];
  files: number;
  overlays: number;
  objects: number;
}

export interface ValidateOptions {
  signal: AbortSignal;
  runner: KustomizeRunner;
  strict?: boolean;
  schemas?: SchemaSet;
  /** kustomize builds run at once (default 2). */
  concurrency?: number;
  /** Also expand the ResourceSets found and check the objects they generate (templates as written, `${…}` kept). */
  expandResourceSets?: boolean;
}

interface Pending {
  file: string;
  line?: number;
  object: KubeObject;
}

interface Collected {
  problems: Problem[];
  pending: Pending[];
}

/** Parses every file; keeps the objects of files outside overlays for checking. */
async function checkFiles(
  dir: string,
  files: readonly string[],
  overlays: readonly string[],
  signal: AbortSignal,
  into: Collected,
): Promise<void> {
  const rel = (p: string) => relative(dir, p) || ".";
  const inOverlay = (file: string) => overlays.some((o) => file.startsWith(`${o}/`));
  for (const file of files) {
    signal.throwIfAborted();
    let docs: ReturnType<typeof parseDocuments>;
    try {
      docs = parseDocuments(await readFile(file, "utf8"), rel(file));
    } catch (err) {
      if (!(err instanceof YamlError)) throw err;
      const message = err.message.replace(`${err.file}${err.line ? `:${err.line}` : ""}: `, "");
      into.problems.push({ severity: "error", file: rel(file), line: err.line, message });
      continue;
    }
    if (inOverlay(file) || KUSTOMIZATION_FILES.includes(basename(file))) continue;
    for (const d of docs) {
      if (isKubeObject(d.value)) {
        into.pending.push({ file: rel(file), line: d.line, object: d.value });
        continue;
      }
      const message = "not a Kubernetes object (no apiVersion and kind): skipped";
      into.problems.push({ severity: "warning", file: rel(file), line: d.line, message });
    }
  }
}

/** Builds every overlay (Components excepted: they are checked through the overlays using them). */
async function buildOverlays(
  dir: string,
  overlays: readonly string[],
  opts: ValidateOptions,
  into: Collected,
): Promise<void> {
  type Outcome = { rel: string; objects?: KubeObject[]; error?: KustomizeBuildError } | undefined;
  const build = async (overlay: string): Promise<Outcome> => {
    if (await isComponent(overlay)) return undefined;
    const rel = relative(dir, overlay) || ".";
    try {
      return {
        rel,
        objects: await buildKustomization(overlay, { signal: opts.signal, runner: opts.runner }),
      };
    } catch (err) {
      if (!(err instanceof KustomizeBuildError)) throw err;
      return { rel, error: err };
    }
  };
  // A few kustomize processes at a time; results are reported in folder order.
  const outcomes: Outcome[] = new Array(overlays.length);
  let next = 0;
  const worker = async () => {
    while (next < overlays.length) {
      const i = next++;
      outcomes[i] = await build(overlays[i] as string);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 2, overlays.length) }, worker));
  for (const o of outcomes) {
    if (!o) continue;
    if (o.error) {
      into.problems.push({
        severity: "error",
        file: o.rel,
        message: `kustomize build failed: ${o.error.detail}`,
      });
    }
    for (const object of o.objects ?? []) into.pending.push({ file: `${o.rel} (kustomize build)`, object });
  }
}

export async function validateDir(dir: string, opts: ValidateOptions): Promise<ValidateResult> {
  const schemas = opts.schemas ?? (await loadSchemas({ signal: opts.signal }));
  const { files, overlays } = await walk(dir);
  const collected: Collected = { problems: [], pending: [] };
  await checkFiles(dir, files, overlays, opts.signal, collected);
  await buildOverlays(dir, overlays, opts, collected);
  if (opts.expandResourceSets) expandAll(collected);
  const { problems, pending } = collected;
  schemas.addCRDs(pending.map((p) => p.object));
  for (const p of pending) problems.push(...checkObject(p, schemas, opts.strict ?? false));
  return { problems, files: files.length, overlays: overlays.length, objects: pending.length };
}

function checkObject(p: Pending, schemas: SchemaSet, strict: boolean): Problem[] {
  const { object } = p;
  const where = { file: p.file, ...(p.line ? { line: p.line } : {}), object: refOf(object) };
  // SOPS-encrypted Secrets carry a `sops` field no schema knows; CI validates them after decryption.
  if (object.kind === "Secret" && "sops" in object) return [];
  const schema = schemas.lookup(object.apiVersion, object.kind);
  if (!schema) {
    return [
      {
        severity: strict ? "error" : "warning",
        ...where,
        message: `unknown kind ${object.apiVersion}/${object.kind}: no schema to check it against (add its CRD to the folder)`,
      },
    ];
  }
  return checkValue(object, schema, { strict, resolve: schemas.resolve }).map((f) => ({
    severity: "error" as const,
    ...where,
    field: f.field,
    message: f.message,
  }));
}

/** Adds the objects each ResourceSet generates; a failing expansion is a problem naming the ResourceSet. */
function expandAll(into: Collected): void {
  const render = templateRenderer();
  const providers = into.pending.map((p) => p.object).filter((o) => o.kind === "ResourceSetInputProvider");
  for (const p of [...into.pending]) {
    const o = p.object;
    if (o.kind !== "ResourceSet" || !o.apiVersion.startsWith("fluxcd.controlplane.io/")) continue;
    try {
      const { objects } = expandResourceSet(structuredClone(o), { render, providers });
      for (const object of objects) into.pending.push({ file: `${p.file} (expanded ${refOf(o)})`, object });
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      const where = { file: p.file, ...(p.line ? { line: p.line } : {}), object: refOf(o) };
      into.problems.push({ severity: "error", ...where, message: `expansion failed: ${err.message}` });
    }
  }
}

async function isComponent(dir: string): Promise<boolean> {
  for (const f of KUSTOMIZATION_FILES) {
    try {
      return /^kind:\s*Component\s*$/m.test(await readFile(join(dir, f), "utf8"));
    } catch {
      // not this name: try the next
    }
  }
  return false;
}

/** YAML files (sorted) and overlay folders under `dir`, skipping hidden folders and node_modules. */
async function walk(dir: string): Promise<{ files: string[]; overlays: string[] }> {
  const files: string[] = [];
  const overlays: string[] = [];
  const visit = async (d: string): Promise<void> => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (entries.some((e) => e.isFile() && KUSTOMIZATION_FILES.includes(e.name))) overlays.push(d);
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const path = join(d, e.name);
      if (e.isDirectory()) await visit(path);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) files.push(path);
    }
  };
  await visit(dir);
  return { files, overlays };
}

/** One line per problem: `file:line: Kind/ns/name: field: message`. */
export function formatProblem(p: Problem): string {
  const parts = [`${p.file}${p.line ? `:${p.line}` : ""}`];
  if (p.object) parts.push(p.object);
  if (p.field) parts.push(p.field);
  return `${p.severity}: ${parts.join(": ")}: ${p.message}`;
}
