/**
 * `ferry bootstrap`: puts one cluster under Ferry's management from its FluxInstance file (namespace, pull
 * secret, cosign public key, CRDs, the agent, the instance), idempotently, and waits until it is Ready.
 * Reads KUBECONFIG when --kubeconfig is not given.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";
import type { PullSecret } from "../../bootstrap/index.ts";
import { UsageError } from "../../errors/index.ts";
import type { KubeObject } from "../../kube/index.ts";
import { type CliContext, write } from "../context.ts";

interface BootstrapFlags {
  kubeconfig?: string;
  instance: string;
  pullSecret?: string;
  dockerConfig?: string;
  verifyKey?: string;
  agent: string;
  agentDir?: string;
  timeout: string;
}

async function readText(ctx: CliContext, flag: string, path: string): Promise<string> {
  try {
    return await readFile(resolve(ctx.cwd, path), "utf8");
  } catch (cause) {
    throw new UsageError(
      `${flag} ${path} cannot be read (${(cause as Error).message}); pass an existing file`,
      {
        cause,
      },
    );
  }
}

/** The one FluxInstance in the instance file. */
async function readInstance(ctx: CliContext, path: string): Promise<KubeObject> {
  const docs = parseAllDocuments(await readText(ctx, "--instance", path))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null && typeof d === "object");
  const found = docs.filter((d) => d.kind === "FluxInstance");
  if (found.length !== 1) {
    throw new UsageError(
      `--instance ${path} holds ${found.length} FluxInstance objects; pass a file with exactly one (e.g. clusters/<name>/flux-system/flux-instance.yaml)`,
    );
  }
  return found[0]!;
}

/** Validates the flags that need no file; returns the kubeconfig path and the timeout in seconds. */
function checkFlags(ctx: CliContext, f: BootstrapFlags): { kubeconfig: string; timeout: number } {
  if (f.agent !== "local" && f.agent !== "none")
    throw new UsageError(`--agent ${f.agent} is invalid; use local or none`);
  if (f.pullSecret && f.dockerConfig)
    throw new UsageError("--pull-secret and --docker-config exclude each other; pass one");
  const timeout = Number(f.timeout);
  if (!(timeout >= 0)) throw new UsageError(`--timeout ${f.timeout} is invalid; use a number of seconds`);
  const kc = f.kubeconfig ?? ctx.env.KUBECONFIG?.split(":").find((p) => p !== "");
  if (!kc) throw new UsageError("no kubeconfig: pass --kubeconfig PATH or set KUBECONFIG");
  return { kubeconfig: resolve(ctx.cwd, kc), timeout };
}

/** The pull secret content from --pull-secret (for the host of spec.sync.url) or --docker-config. */
async function readPullSecret(
  ctx: CliContext,
  f: BootstrapFlags,
  instance: KubeObject,
): Promise<PullSecret | undefined> {
  if (f.pullSecret) {
    const i = f.pullSecret.indexOf(":");
    if (i <= 0) throw new UsageError("--pull-secret must be user:password");
    const { registryHost } = await import("../../bootstrap/index.ts");
    const url = (instance.spec as { sync?: { url?: string } } | undefined)?.sync?.url ?? "";
    return {
      kind: "basic",
      registry: registryHost(url),
      username: f.pullSecret.slice(0, i),
      password: f.pullSecret.slice(i + 1),
    };
  }
  if (f.dockerConfig) {
    return { kind: "dockerconfig", json: await readText(ctx, "--docker-config", f.dockerConfig) };
  }
  return undefined;
}

export function registerBootstrapCommands(program: Command, ctx: CliContext): void {
  program
    .command("bootstrap")
    .description(
      "put a cluster under Ferry's management: namespace, pull secret, cosign key, CRDs, agent, FluxInstance; wait until Ready",
    )
    .option("--kubeconfig <path>", "kubeconfig of the cluster (default: KUBECONFIG)")
    .requiredOption("--instance <file>", "the cluster's FluxInstance (flux-instance.yaml)")
    .option("--pull-secret <user:password>", "registry credentials for the Secret spec.sync.pullSecret names")
    .option("--docker-config <file>", "a Docker config.json to store as that Secret instead")
    .option("--verify-key <file>", "cosign public key, stored as Secret cosign-pub (key cosign.pub)")
    .option(
      "--agent <mode>",
      "local: run the agent as a background process here; none: it runs elsewhere",
      "local",
    )
    .option(
      "--agent-dir <dir>",
      "where the local agent's pid, log and store go (default: the kubeconfig's folder)",
    )
    .option(
      "--timeout <seconds>",
      "how long to wait for the FluxInstance to be Ready (0: do not wait)",
      "300",
    )
    .addHelpText(
      "after",
      '\nExamples:\n  ferry bootstrap --kubeconfig "$(ferry dev cluster kubeconfig staging)" \\\n    --instance clusters/staging/flux-system/flux-instance.yaml --pull-secret flux:$TOKEN --verify-key cosign.pub\n  ferry bootstrap --instance flux-instance.yaml --docker-config ~/.docker/config.json --agent none',
    )
    .action(async (f: BootstrapFlags) => {
      const { bootstrap } = await import("../../bootstrap/index.ts");
      const { kubeconfig, timeout } = checkFlags(ctx, f);
      const instance = await readInstance(ctx, f.instance);
      const pullSecret = await readPullSecret(ctx, f, instance);
      const res = await bootstrap({
        kubeconfig,
        instance,
        ...(pullSecret ? { pullSecret } : {}),
        ...(f.verifyKey ? { verifyKey: await readText(ctx, "--verify-key", f.verifyKey) } : {}),
        agent:
          f.agent === "local"
            ? { mode: "local", dir: resolve(ctx.cwd, f.agentDir ?? dirname(kubeconfig)) }
            : { mode: "none" },
        timeoutMs: timeout * 1000,
        signal: ctx.signal,
      });
      for (const s of res.steps)
        write(ctx.stdout, `${s.object} ${s.action}${s.detail ? ` (${s.detail})` : ""}`);
      if (res.ready !== undefined) write(ctx.stdout, `FluxInstance Ready: ${res.ready}`);
      write(
        ctx.stdout,
        res.changed ? "bootstrap done" : "bootstrap done: no changes, everything was in place",
      );
    });
}
