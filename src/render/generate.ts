/**
 * What kustomize-controller writes into a folder before building it: when the folder has no
 * kustomization file, one listing its YAML files (recursively; a subfolder with its own kustomization file
 * is listed as a folder and not entered); then the Flux Kustomization's overlay fields merged in
 * (`targetNamespace` as `namespace`, `namePrefix`, `nameSuffix`, `patches` appended, `components` appended,
 * `images` merged by name, `buildMetadata`). Returns the file to write; the folder itself is never modified.
 */
import { existsSync, statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { FerryError } from "../errors/index.ts";
import { isRecord } from "./object.ts";
import { goYamlParse, goYamlStringify, parseObjects } from "./yaml.ts";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** Kustomize's patch target selector, as Flux's `patches[].target`. */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** The overlay fields of a Flux Kustomization's spec. */
export interface OverlaySpec {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: Array<{ patch: string; target?: Selector }>;
  images?: ImageOverride[];
  components?: string[];
  ignoreMissingComponents?: boolean;
  buildMetadata?: string[];
}

export class KustomizationFileError extends FerryError {
  override name = "KustomizationFileError";
  readonly file: string;
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
    this.file = file;
  }
}

export interface Generated {
  /** Name of the kustomization file in the folder (existing or new). */
  file: string;
  /** Its content after Flux's changes. */
  content: string;
  /** Whether the folder had no kustomization file. */
  created: boolean;
  /** Whether the content differs in meaning from the folder's own file (if not, build the folder as is). */
  changed: boolean;
}

/** The folder's kustomization file as kustomize-controller would leave it before the build. */
export async function generateKustomization(
  dir: string,
  spec: OverlaySpec = {},
  opts: { signal?: AbortSignal } = {},
): Promise<Generated> {
  let kus: Record<string, unknown>;
  let file = KUSTOMIZATION_FILES.find((f) => isFile(join(dir, f)));
  const created = file === undefined;
  let changed = created || hasOverlayFields(spec);
  if (file !== undefined) {
    const path = join(dir, file);
    const text = await readFile(path, "utf8");
    let parsed: unknown;
    try {
      parsed = goYamlParse(text);
    } catch (err) {
      throw new KustomizationFileError(path, `invalid YAML (${(err as Error).message.split("\n")[0]})`, {
        cause: err,
      });
    }
    kus = isRecord(parsed) ? parsed : {};
    if (!Array.isArray(kus.resources) || kus.resources.length === 0) {
      // Flux's guard against "kustomization.yaml is empty": objects then carry origin annotations.
      kus.buildMetadata = ["originAnnotations"];
      changed = true;
    }
  } else {
    file = "kustomization.yaml";
    const resources = await scanManifests(dir, opts);
    kus = resources.length > 0 ? { resources } : { namespace: "_placeholder" };
  }
  kus.apiVersion ??= "kustomize.config.k8s.io/v1beta1";
  kus.kind ??= "Kustomization";
  applyOverlay(kus, spec, dir);
  return { file, content: goYamlStringify(kus), created, changed };
}

/** Whether the spec sets any of the fields Flux writes into the kustomization file. */
export function hasOverlayFields(spec: OverlaySpec): boolean {
  return (
    spec.targetNamespace !== undefined ||
    spec.namePrefix !== undefined ||
    spec.nameSuffix !== undefined ||
    (spec.patches?.length ?? 0) > 0 ||
    (spec.images?.length ?? 0) > 0 ||
    (spec.components?.length ?? 0) > 0 ||
    (spec.buildMetadata?.length ?? 0) > 0
  );
}

function applyOverlay(kus: Record<string, unknown>, spec: OverlaySpec, dir: string): void {
  if (spec.targetNamespace !== undefined) kus.namespace = spec.targetNamespace;
  if (spec.namePrefix !== undefined) kus.namePrefix = spec.namePrefix;
  if (spec.nameSuffix !== undefined) kus.nameSuffix = spec.nameSuffix;
  if (spec.patches?.length) {
    const patches = Array.isArray(kus.patches) ? kus.patches : [];
    for (const p of spec.patches) {
      patches.push(p.target ? { patch: p.patch, target: p.target } : { patch: p.patch });
    }
    kus.patches = patches;
  }
  if (spec.components?.length) kus.components = appendComponents(kus.components, spec, dir);
  if (spec.images?.length) kus.images = mergeImages(kus.images, spec.images);
  if (spec.buildMetadata?.length) kus.buildMetadata = [...spec.buildMetadata];
}

function appendComponents(existing: unknown, spec: OverlaySpec, dir: string): unknown[] {
  const components = Array.isArray(existing) ? existing : [];
  for (const c of spec.components ?? []) {
    if (!isLocalRelativePath(c)) {
      throw new KustomizationFileError(
        dir,
        `component path '${c}' must be local and relative; fix spec.components`,
      );
    }
    if (spec.ignoreMissingComponents && !existsSync(join(dir, c))) continue;
    components.push(c);
  }
  return components;
}

/** Flux's image merge: an entry with the same name is updated field by field, others are appended. */
function mergeImages(existing: unknown, overrides: readonly ImageOverride[]): Array<Record<string, unknown>> {
  const images = (Array.isArray(existing) ? existing : []) as Array<Record<string, unknown>>;
  for (const image of overrides) {
    const found = images.find((i) => i.name === image.name);
    if (!found) {
      const entry: Record<string, unknown> = { name: image.name };
      if (image.newName) entry.newName = image.newName;
      if (image.newTag) entry.newTag = image.newTag;
      if (image.digest) entry.digest = image.digest;
      images.push(entry);
      continue;
    }
    if (image.newName) found.newName = image.newName;
    // A tag and a digest pick the version together: setting one clears the other.
    if (image.newTag || image.digest) {
      setOrDelete(found, "newTag", image.newTag);
      setOrDelete(found, "digest", image.digest);
    }
  }
  return images;
}

function setOrDelete(o: Record<string, unknown>, key: string, value: string | undefined): void {
  if (value) o[key] = value;
  else delete o[key];
}

const REMOTE_PREFIXES = [
  "git::",
  "gh:",
  "ssh://",
  "https://",
  "http://",
  "git@",
  "github.com:",
  "github.com/",
];

/** Kustomize's notion of a local, relative path (not a remote base, not absolute). */
export function isLocalRelativePath(path: string): boolean {
  const lower = path.toLowerCase();
  if (REMOTE_PREFIXES.some((p) => p.length < path.length && lower.startsWith(p))) return false;
  return !isAbsolute(path) && !isAbsolute(lower.replace(/^file:\/\//, ""));
}

/** YAML files under `base` (as `./relative` paths, lexical order), folders with their own kustomization as folders. */
export async function scanManifests(base: string, opts: { signal?: AbortSignal } = {}): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    opts.signal?.throwIfAborted();
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const path = join(dir, e.name);
      const isDir = e.isDirectory() || (e.isSymbolicLink() && isDirectory(path));
      if (isDir) {
        if (KUSTOMIZATION_FILES.some((f) => isFile(join(path, f)))) out.push(`./${relative(base, path)}`);
        else await walk(path);
        continue;
      }
      if (!/\.ya?ml$/.test(e.name)) continue;
      // Flux refuses a folder with a YAML file that is not Kubernetes objects: check it the same way.
      parseObjects(await readFile(path, "utf8"), path);
      out.push(`./${relative(base, path)}`);
    }
  };
  await walk(base);
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
