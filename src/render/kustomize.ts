/**
 * kustomize as a subprocess, with the settings kustomize-controller builds with: no load restrictions
 * (a kustomization may refer to files above its folder), plugins and Helm left disabled (the CLI default).
 * A standalone `kustomize` is preferred; `kubectl kustomize` is the fallback. `buildKustomization`
 * runs one build of a folder as it is; `generate.ts` decides what to write when Flux would change the
 * folder's kustomization.yaml, and the build then runs in a mirror of the folder (see mirror.ts).
 */
import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { FerryError } from "../errors/index.ts";
import { mirrorDir } from "./mirror.ts";
import type { KubeObject } from "./object.ts";
import { parseObjects } from "./yaml.ts";

/** How to invoke kustomize: `command` followed by `args`, then the folder. */
export interface KustomizeRunner {
  readonly command: string;
  readonly args: readonly string[];
}

export class KustomizeNotFoundError extends FerryError {
  override name = "KustomizeNotFoundError";
  constructor() {
    super("neither kustomize nor kubectl was found on PATH: install one of them, or set FERRY_KUSTOMIZE");
  }
}

/** kustomize failed on a folder; the message carries kustomize's own error with real paths. */
export class KustomizeBuildError extends FerryError {
  override name = "KustomizeBuildError";
  readonly dir: string;
  readonly detail: string;
  constructor(dir: string, detail: string, options?: { cause?: unknown }) {
    super(`kustomize build of ${dir} failed: ${detail}`, options);
    this.dir = dir;
    this.detail = detail;
  }
}

export interface FindKustomizeOptions {
  /** An explicit kustomize binary (wins over PATH). */
  kustomize?: string;
  /** The PATH to search, as a string of folders. */
  path?: string;
}

/** A standalone kustomize (explicit, then PATH), else `kubectl kustomize`. */
export function findKustomize(opts: FindKustomizeOptions = {}): KustomizeRunner {
  const flags = ["--load-restrictor", "LoadRestrictionsNone"];
  if (opts.kustomize) return { command: opts.kustomize, args: ["build", ...flags] };
  const standalone = onPath("kustomize", opts.path);
  if (standalone) return { command: standalone, args: ["build", ...flags] };
  const kubectl = onPath("kubectl", opts.path);
  if (kubectl) return { command: kubectl, args: ["kustomize", ...flags] };
  throw new KustomizeNotFoundError();
}

/** The first regular file called `name` in the folders of `path` (a PATH string), or undefined. */
export function onPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      if (existsSync(p) && statSync(p).isFile()) return p;
    } catch {
      // unreadable PATH entry: skip
    }
  }
  return undefined;
}

export interface BuildOptions {
  signal: AbortSignal;
  runner: KustomizeRunner;
  /** Files to put in place of the folder's own (e.g. a rewritten kustomization.yaml); the folder is not modified. */
  overrides?: Record<string, string>;
}

/** `kustomize build` of a folder, parsed into objects in kustomize's output order. */
export async function buildKustomization(dir: string, opts: BuildOptions): Promise<KubeObject[]> {
  const overrides = opts.overrides ?? {};
  if (Object.keys(overrides).length === 0) return run(dir, dir, "", opts);
  const mirror = await mirrorDir(dir, overrides, { signal: opts.signal });
  try {
    return await run(mirror.dir, dir, mirror.root, opts);
  } finally {
    await mirror.dispose();
  }
}

async function run(
  target: string,
  shown: string,
  tempRoot: string,
  opts: BuildOptions,
): Promise<KubeObject[]> {
  opts.signal.throwIfAborted();
  const { stdout, stderr, error } = await new Promise<{
    stdout: string;
    stderr: string;
    error: Error | null;
  }>((done) => {
    execFile(
      opts.runner.command,
      [...opts.runner.args, target],
      { signal: opts.signal, maxBuffer: 512 * 1024 * 1024, encoding: "utf8" },
      (err, out, errOut) => done({ stdout: out, stderr: errOut, error: err }),
    );
  });
  if (error) {
    opts.signal.throwIfAborted();
    const raw = (stderr || error.message).trim();
    const detail = (tempRoot ? raw.replaceAll(tempRoot, "") : raw)
      .replace(/^Error:\s*/, "")
      .replaceAll("\n", " ");
    throw new KustomizeBuildError(shown, detail, { cause: error });
  }
  return parseObjects(stdout, `kustomize build ${shown}`);
}
