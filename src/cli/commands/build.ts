/**
 * `ferry build resourceset`, `ferry build kustomization`, `ferry validate`: offline rendering and
 * validation. Parses flags, reads files, calls src/render, prints multi-document YAML (notes on stderr).
 */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { Command } from "commander";
import { findTool } from "../../dev/tools.ts";
import { UsageError } from "../../errors/index.ts";
import {
  findKustomize,
  isKubeObject,
  isRecord,
  type KubeObject,
  type KustomizeRunner,
  type PostBuild,
  parseDocuments,
  parseObjects,
  refOf,
  renderKustomization,
  stringifyObjects,
  syntheticKustomization,
} from "../../render/index.ts";
import {
  type Deferred,
  expandResourceSet,
  type RenderFn,
  templateRenderer,
} from "../../render/resourceset/index.ts";
import { formatProblem, validateDir } from "../../render/validate/index.ts";
import { type CliContext, write } from "../context.ts";

function abs(ctx: CliContext, p: string): string {
  return isAbsolute(p) ? p : join(ctx.cwd, p);
}

async function readText(ctx: CliContext, file: string, what: string): Promise<string> {
  try {
    return await readFile(abs(ctx, file), "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? "error"}); check the path`,
      {
        cause: err,
      },
    );
  }
}

/** FERRY_KUSTOMIZE, then the test-tool cache, then kustomize or kubectl on PATH. */
export function kustomizeRunner(ctx: CliContext): KustomizeRunner {
  const explicit = ctx.env.FERRY_KUSTOMIZE || findTool("kustomize");
  return findKustomize({ ...(explicit ? { kustomize: explicit } : {}), path: ctx.env.PATH ?? "" });
}

/** A `--substitute-from` file: ConfigMap/Secret manifests, or `KEY=VALUE` lines (as a ConfigMap named after the file). */
export async function readSubstituteSources(ctx: CliContext, file: string): Promise<KubeObject[]> {
  const text = await readText(ctx, file, "substitute-from file");
  let docs: unknown[] | undefined;
  try {
    docs = parseDocuments(text, file).map((d) => d.value);
  } catch {
    docs = undefined;
  }
  if (docs && docs.length > 0 && docs.every(isKubeObject)) {
    const objects = docs as KubeObject[];
    for (const o of objects) {
      if (o.kind !== "ConfigMap" && o.kind !== "Secret") {
        throw new UsageError(
          `${file}: ${refOf(o)} is not a ConfigMap or Secret; --substitute-from takes only those`,
        );
      }
    }
    return objects;
  }
  const data: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new UsageError(`${file}:${i + 1}: expected KEY=VALUE or a ConfigMap/Secret manifest`);
    data[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `file:${file}` }, data }];
}

function printDeferred(ctx: CliContext, deferred: readonly Deferred[]): void {
  for (const d of deferred) {
    ctx.stderr.write(
      `note: ${d.object}: ${d.annotation}=${d.source} is resolved when applied to a cluster\n`,
    );
  }
}

interface ResourceSetFlags {
  filename: string;
  inputsFrom?: string;
  namespace: string;
}

/** `--inputs-from`: a YAML list replacing spec.inputs, or provider manifests. */
async function readInputsFrom(
  ctx: CliContext,
  file: string,
): Promise<{ inputs?: unknown[]; providers: KubeObject[] }> {
  const docs = parseDocuments(await readText(ctx, file, "inputs file"), file).map((d) => d.value);
  if (docs.length === 1 && Array.isArray(docs[0])) return { inputs: docs[0], providers: [] };
  if (docs.every(isKubeObject)) return { providers: docs as KubeObject[] };
  throw new UsageError(`${file}: expected a YAML list of input sets or ResourceSetInputProvider manifests`);
}

function checkResourceSet(rset: KubeObject, file: string, providers: readonly KubeObject[]): void {
  if (!rset.metadata.name) throw new UsageError(`${file}: the ResourceSet has no metadata.name; set it`);
  const spec = isRecord(rset.spec) ? rset.spec : {};
  if (Array.isArray(spec.inputsFrom) && spec.inputsFrom.length > 0 && providers.length === 0) {
    throw new UsageError(
      `${refOf(rset)} has spec.inputsFrom: pass the ResourceSetInputProvider manifests with --inputs-from FILE`,
    );
  }
}

async function buildResourceSetCommand(ctx: CliContext, flags: ResourceSetFlags): Promise<void> {
  const text =
    flags.filename === "-" ? await readStdin() : await readText(ctx, flags.filename, "ResourceSet file");
  const objects = parseObjects(text, flags.filename);
  const rsets = objects.filter((o) => o.kind === "ResourceSet");
  if (rsets.length === 0) {
    throw new UsageError(`${flags.filename} holds no ResourceSet; pass the ResourceSet manifest with -f`);
  }
  const extra = flags.inputsFrom ? await readInputsFrom(ctx, flags.inputsFrom) : { providers: [] };
  const providers = [...objects.filter((o) => o.kind === "ResourceSetInputProvider"), ...extra.providers];
  const render = templateRenderer();
  const out: string[] = [];
  let count = 0;
  for (const rset of rsets) {
    rset.metadata.namespace ||= flags.namespace;
    checkResourceSet(rset, flags.filename, providers);
    if (extra.inputs) rset.spec = { ...(isRecord(rset.spec) ? rset.spec : {}), inputs: extra.inputs };
    const expansion = expandResourceSet(rset, { render, providers });
    printDeferred(ctx, expansion.deferred);
    for (const step of expansion.steps) {
      if (step.objects.length === 0) continue;
      // Named steps are marked as flux-operator's CLI marks them.
      out.push(`${step.name ? `# step: ${step.name}\n` : ""}${stringifyObjects(step.objects)}`);
      count += step.objects.length;
    }
  }
  if (count === 0) {
    throw new UsageError(`${flags.filename}: no objects were generated (no inputs, or all excluded)`);
  }
  write(ctx.stdout, out.join(""));
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

interface KustomizationFlags {
  path: string;
  kustomization?: string;
  substituteFrom: string[];
  strictSubstitute?: boolean;
  expandResourcesets?: boolean;
}

/**
 * The Kustomization of `--kustomization FILE`, ready to build the `--path` folder: `spec.path` is the folder
 * itself, KEY=VALUE sources are appended to `postBuild.substituteFrom`, and the given ConfigMaps and
 * Secrets stand for the objects in the Kustomization's namespace (those it does not reference are noted).
 */
async function kustomizationFromFile(
  ctx: CliContext,
  file: string,
  sources: KubeObject[],
  fromFiles: Array<{ kind: string; name: string }>,
): Promise<KubeObject> {
  const found = parseObjects(await readText(ctx, file, "Kustomization file"), file).find(
    (o) => o.kind === "Kustomization" && o.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/"),
  );
  if (!found) throw new UsageError(`${file} holds no Flux Kustomization (kustomize.toolkit.fluxcd.io/v1)`);
  const spec = isRecord(found.spec) ? { ...found.spec } : {};
  const postBuild = isRecord(spec.postBuild) ? ({ ...spec.postBuild } as PostBuild) : undefined;
  const keyValueFiles = fromFiles.filter((r) => r.name.startsWith("file:"));
  if (postBuild || keyValueFiles.length > 0) {
    spec.postBuild = {
      ...postBuild,
      substituteFrom: [...(postBuild?.substituteFrom ?? []), ...keyValueFiles],
    } satisfies PostBuild;
  }
  const referenced = new Set(
    ((spec.postBuild as PostBuild | undefined)?.substituteFrom ?? []).map((r) => `${r.kind}/${r.name}`),
  );
  for (const s of sources) {
    if (!referenced.has(`${s.kind}/${s.metadata.name}`)) {
      ctx.stderr.write(
        `note: ${refOf(s)} is not referenced by the Kustomization's postBuild.substituteFrom: ignored\n`,
      );
    }
    s.metadata.namespace = found.metadata.namespace;
  }
  return { ...found, spec: { ...spec, path: "." } };
}

async function buildKustomizationCommand(ctx: CliContext, flags: KustomizationFlags): Promise<void> {
  const dir = abs(ctx, flags.path);
  if (!(await isDirectory(dir)))
    throw new UsageError(`--path ${flags.path} is not a folder; give the folder to build`);
  const sources: KubeObject[] = [];
  const fromFiles: Array<{ kind: string; name: string }> = [];
  for (const f of flags.substituteFrom) {
    for (const o of await readSubstituteSources(ctx, f)) {
      sources.push(o);
      fromFiles.push({ kind: o.kind, name: o.metadata.name ?? "" });
    }
  }
  const ks = flags.kustomization
    ? await kustomizationFromFile(ctx, flags.kustomization, sources, fromFiles)
    : syntheticKustomization(sources.length > 0 ? { substituteFrom: fromFiles } : undefined);
  const objects = await renderKustomization(ks, {
    signal: ctx.signal,
    runner: kustomizeRunner(ctx),
    sourceDir: dir,
    sources,
    strictSubstitute: flags.strictSubstitute ?? false,
    // A folder built without a Kustomization has no owner to label it with.
    ownerLabels: flags.kustomization !== undefined,
  });
  const out: KubeObject[] = [];
  let render: RenderFn | undefined;
  for (const o of objects) {
    out.push(o);
    if (
      flags.expandResourcesets &&
      o.kind === "ResourceSet" &&
      o.apiVersion.startsWith("fluxcd.controlplane.io/")
    ) {
      render ??= templateRenderer();
      const providers = objects.filter((p) => p.kind === "ResourceSetInputProvider");
      const expansion = expandResourceSet(structuredClone(o), { render, providers });
      printDeferred(ctx, expansion.deferred);
      out.push(...expansion.objects);
    }
  }
  write(ctx.stdout, stringifyObjects(out));
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function validateCommand(
  ctx: CliContext,
  dir: string,
  flags: { strict?: boolean; expandResourcesets?: boolean },
): Promise<void> {
  const root = resolve(abs(ctx, dir));
  if (!(await isDirectory(root))) throw new UsageError(`${dir} is not a folder; give the folder to validate`);
  const result = await validateDir(root, {
    signal: ctx.signal,
    runner: kustomizeRunner(ctx),
    strict: flags.strict ?? false,
    expandResourceSets: flags.expandResourcesets ?? false,
  });
  for (const p of result.problems) write(ctx.stdout, formatProblem(p));
  const errors = result.problems.filter((p) => p.severity === "error").length;
  const warnings = result.problems.length - errors;
  write(
    ctx.stdout,
    `${errors === 0 ? "ok" : "failed"}: ${result.files} files, ${result.overlays} kustomize overlays, ${result.objects} objects checked; ${errors} errors, ${warnings} warnings`,
  );
  if (errors > 0) ctx.exitCode = 1;
}

export function registerBuildCommands(program: Command, ctx: CliContext): void {
  const build = program
    .command("build")
    .description("render what a cluster would apply, offline: ResourceSets and Flux Kustomizations");

  build
    .command("resourceset")
    .alias("rset")
    .description(
      "expand a ResourceSet's templates over its inputs and print the objects as multi-document YAML",
    )
    .requiredOption(
      "-f, --filename <file>",
      "ResourceSet manifest (may also hold ResourceSetInputProviders); - for stdin",
    )
    .option(
      "-i, --inputs-from <file>",
      "a YAML list of input sets (replaces spec.inputs), or ResourceSetInputProvider manifests (Static, or with status.exportedInputs)",
    )
    .option("-n, --namespace <ns>", "namespace of a ResourceSet that sets none", "flux-system")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry build resourceset -f examples/fleet/tenants/apps.yaml\n  ferry build rset -f rset.yaml --inputs-from providers.yaml\n",
    )
    .action(async (flags: ResourceSetFlags) => buildResourceSetCommand(ctx, flags));

  build
    .command("kustomization")
    .alias("ks")
    .description(
      "render a folder as a Flux Kustomization would: kustomize build, overlay fields, postBuild substitution",
    )
    .requiredOption("--path <dir>", "folder to build (the Kustomization's spec.path inside the artifact)")
    .option("--kustomization <file>", "Flux Kustomization manifest whose overlay fields and postBuild apply")
    .option(
      "--substitute-from <file>",
      "ConfigMap/Secret manifest (e.g. a cluster's runtime-info.yaml) or KEY=VALUE file; repeatable, later files win",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--strict-substitute", "fail on a variable that is not defined and has no default")
    .option("--expand-resourcesets", "also expand the ResourceSets found in the output")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry build kustomization --path examples/fleet/tenants --substitute-from examples/fleet/clusters/staging/flux-system/runtime-info.yaml --expand-resourcesets\n  ferry build ks --path ./apps/production --kustomization ks.yaml --substitute-from vars.env --strict-substitute\n",
    )
    .action(async (flags: KustomizationFlags) => buildKustomizationCommand(ctx, flags));

  program
    .command("validate")
    .description(
      "check a fleet folder offline: YAML syntax, every kustomize overlay builds, every object matches its schema",
    )
    .argument("[dir]", "folder to check", ".")
    .option("--strict", "reject unknown fields and unknown kinds")
    .option("--expand-resourcesets", "also expand ResourceSets and check the objects they generate")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry validate examples/fleet\n  ferry validate . --strict --expand-resourcesets\n",
    )
    .action(async (dir: string, flags: { strict?: boolean; expandResourcesets?: boolean }) =>
      validateCommand(ctx, dir, flags),
    );
}
