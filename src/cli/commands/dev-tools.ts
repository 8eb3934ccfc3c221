/**
 * The binaries a local cluster runs (Kubernetes control plane, etcd, kwok) and the local registry, made
 * available before `ferry dev up` or `ferry dev cluster create` needs them: on a fresh checkout the first
 * run builds the missing ones from their pinned Go modules with `scripts/tools.sh`, so the quick start is
 * `npm ci` and one command. Nothing is built when they are all in the tool index already.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findTool } from "../../dev/index.ts";
import { FerryError, UsageError } from "../../errors/index.ts";
import { type CliContext, write } from "../context.ts";

/** What a local cluster and the dev registry run, by their names in the tool index. */
export const CLUSTER_TOOLS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "kwok-stages",
] as const;
export const REGISTRY_TOOLS = ["docker-registry"] as const;

export class ToolBuildError extends FerryError {
  override name = "ToolBuildError";
}

/** Where the Debian package puts the registry (scripts/tools/00-system.sh registers this path). */
const SYSTEM_REGISTRY = "/usr/bin/docker-registry";

function registryMissing(): UsageError {
  return new UsageError(
    "the local registry needs the Debian package docker-registry (the CNCF distribution registry): run `sudo apt-get install docker-registry`, then try again",
  );
}

/** The repository root (scripts/tools.sh lives there), from this file's place in src/cli/commands. */
function repoRoot(): string {
  return fileURLToPath(new URL("../../../", import.meta.url));
}

/** Names from `wanted` that the tool index (FERRY_CACHE or ~/.cache/ferry) lacks. */
export function missingTools(ctx: CliContext, wanted: readonly string[]): string[] {
  const opts = ctx.env.FERRY_CACHE ? { cacheDir: ctx.env.FERRY_CACHE } : {};
  return wanted.filter((n) => findTool(n, opts) === undefined);
}

/**
 * Builds the missing tools with `scripts/tools.sh` (FERRY_TOOLS_ONLY set to them), its output on stderr.
 * The registry comes from the Debian package `docker-registry`, which this cannot install: its absence is
 * a UsageError with the apt command.
 */
export async function ensureTools(ctx: CliContext, wanted: readonly string[]): Promise<void> {
  const missing = missingTools(ctx, wanted);
  if (missing.length === 0) return;
  if (missing.includes("docker-registry") && !existsSync(SYSTEM_REGISTRY)) throw registryMissing();
  const script = join(repoRoot(), "scripts", "tools.sh");
  if (!existsSync(script)) {
    throw new ToolBuildError(
      `the local cluster tools ${missing.join(", ")} are not built and ${script} is missing; run ferry from a checkout of its repository`,
    );
  }
  // Loaded only on this path: the render module is not needed when the tools are there.
  const { onPath } = await import("../../render/index.ts");
  if (!onPath("go", ctx.env.PATH)) {
    throw new UsageError(
      `the local cluster tools ${missing.join(", ")} are not built yet and there is no Go toolchain on PATH to build them; install Go (https://go.dev/dl) and run \`npm run tools\``,
    );
  }
  write(
    ctx.stderr,
    `building ${missing.join(", ")} from their pinned Go modules into ${ctx.env.FERRY_CACHE || "~/.cache/ferry"} (the first time takes about 10 minutes on 2 cores; later runs reuse them)`,
  );
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn("bash", [script], {
      cwd: repoRoot(),
      env: { ...ctx.env, FERRY_TOOLS_ONLY: missing.join(" ") },
      stdio: ["ignore", "pipe", "pipe"],
      signal: ctx.signal,
    });
    child.stdout.on("data", (d: Buffer) => ctx.stderr.write(d));
    child.stderr.on("data", (d: Buffer) => ctx.stderr.write(d));
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    throw new ToolBuildError(
      `building ${missing.join(", ")} failed (scripts/tools.sh exited ${code}); the output above names the tool, fix it and run \`npm run tools\``,
    );
  }
  const still = missingTools(ctx, wanted);
  if (still.includes("docker-registry")) throw registryMissing();
  if (still.length > 0) {
    throw new ToolBuildError(
      `${still.join(", ")} still missing after scripts/tools.sh; run \`npm run tools\``,
    );
  }
}
