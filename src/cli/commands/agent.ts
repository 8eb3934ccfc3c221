/**
 * `ferry agent`: runs the cluster side (every reconciler in one process) until SIGINT/SIGTERM, with
 * JSON-lines logs on stderr. Reads KUBECONFIG, FERRY_STORE_DIR, XDG_CACHE_HOME and HOME from the
 * environment when the flags are not given, and FERRY_KUSTOMIZE / PATH to find kustomize.
 */
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import type { KustomizeRunner } from "../../render/index.ts";
import type { CliContext } from "../context.ts";

interface AgentFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  store?: string;
  metricsAddr?: string;
  leaderElect?: boolean;
  leaderElectNamespace?: string;
  concurrency: string;
  logLevel: string;
  installCrds: boolean;
  trustedRoot?: string;
  crossNamespaceRefs?: boolean;
  defaultServiceAccount?: string;
  remoteBases?: boolean;
  operatorDefaultServiceAccount?: string;
}

function defaultKubeconfig(ctx: CliContext): string {
  const env = ctx.env.KUBECONFIG?.split(":").find((p) => p !== "");
  if (env) return resolve(ctx.cwd, env);
  if (!ctx.env.HOME) throw new UsageError("no kubeconfig: pass --kubeconfig PATH or set KUBECONFIG");
  return join(ctx.env.HOME, ".kube", "config");
}

function defaultStore(ctx: CliContext): string {
  if (ctx.env.FERRY_STORE_DIR) return resolve(ctx.cwd, ctx.env.FERRY_STORE_DIR);
  const cache = ctx.env.XDG_CACHE_HOME || (ctx.env.HOME ? join(ctx.env.HOME, ".cache") : undefined);
  if (!cache) throw new UsageError("no artifact store folder: pass --store DIR or set FERRY_STORE_DIR");
  return join(cache, "ferry", "agent-store");
}

/** kustomize for Kustomizations (FERRY_KUSTOMIZE, the tool cache, PATH); without one, builds report BuildFailed. */
async function findRunner(ctx: CliContext): Promise<KustomizeRunner | undefined> {
  const { kustomizeRunner } = await import("./build.ts");
  try {
    return kustomizeRunner(ctx);
  } catch {
    return undefined;
  }
}

export function registerAgentCommands(program: Command, ctx: CliContext): void {
  program
    .command("agent")
    .description(
      "run the cluster side: install the CRDs, then reconcile every Flux kind Ferry serves until interrupted",
    )
    .option("--kubeconfig <path>", "kubeconfig of the cluster (default: KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: the current one)")
    .option("-n, --namespace <ns>", "reconcile objects in this namespace only (default: all namespaces)")
    .option("--store <dir>", "artifact store folder (default: FERRY_STORE_DIR or ~/.cache/ferry/agent-store)")
    .option("--metrics-addr <host:port>", "serve /metrics, /healthz and /readyz on this address")
    .option("--leader-elect", "run reconcilers only while holding the ferry-agent Lease")
    .option("--leader-elect-namespace <ns>", "namespace of the Lease (default: flux-system or --namespace)")
    .option("--concurrency <n>", "parallel reconciles per kind", "10")
    .option("--log-level <level>", "debug, info or error", "info")
    .option("--no-install-crds", "do not apply the CRDs at startup")
    .option(
      "--no-cross-namespace-refs",
      "refuse Kustomization sourceRefs to another namespace (multi-tenancy)",
    )
    .option(
      "--default-service-account <name>",
      "service account Kustomizations and HelmReleases impersonate when they name none (multi-tenancy)",
    )
    .option(
      "--no-remote-bases",
      "refuse remote (git/http) kustomize bases in Kustomization builds (multi-tenancy)",
    )
    .option(
      "--operator-default-service-account <name>",
      "service account ResourceSets impersonate when they name none (flux-operator's --default-service-account)",
    )
    .option(
      "--trusted-root <file>",
      "Sigstore trusted_root.json for keyless verification of objects without verify.trustedRootSecretRef",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry agent --kubeconfig ~/.kube/config\n  ferry agent --store /var/lib/ferry --metrics-addr 127.0.0.1:8080 --leader-elect\n  ferry agent -n flux-system --log-level debug\n  ferry agent --no-cross-namespace-refs --default-service-account flux --no-remote-bases",
    )
    .action(async (o: AgentFlags) => {
      const { Agent, LOG_LEVELS } = await import("../../agent/index.ts");
      if (!(LOG_LEVELS as readonly string[]).includes(o.logLevel)) {
        throw new UsageError(`--log-level ${o.logLevel} is invalid; use one of ${LOG_LEVELS.join(", ")}`);
      }
      const concurrency = Number(o.concurrency);
      if (!/^\d+$/.test(o.concurrency) || concurrency < 1 || concurrency > 64) {
        throw new UsageError(`--concurrency ${o.concurrency} is invalid; use a whole number from 1 to 64`);
      }
      const trustedRoot = o.trustedRoot
        ? await (await import("../../sign/index.ts")).readTrustedRoot(resolve(ctx.cwd, o.trustedRoot), {
            signal: ctx.signal,
          })
        : undefined;
      const agent = new Agent({
        kubeconfig: o.kubeconfig ? resolve(ctx.cwd, o.kubeconfig) : defaultKubeconfig(ctx),
        context: o.context,
        namespace: o.namespace,
        storeDir: o.store ? resolve(ctx.cwd, o.store) : defaultStore(ctx),
        concurrency,
        metricsAddr: o.metricsAddr,
        leaderElection: o.leaderElect === true,
        leaderElectionNamespace: o.leaderElectNamespace,
        installCRDs: o.installCrds,
        logLevel: o.logLevel as "debug" | "info" | "error",
        logStream: ctx.stderr,
        trustedRoot,
        kustomize: await findRunner(ctx),
        noCrossNamespaceRefs: o.crossNamespaceRefs === false,
        defaultServiceAccount: o.defaultServiceAccount,
        noRemoteBases: o.remoteBases === false,
        operatorDefaultServiceAccount: o.operatorDefaultServiceAccount,
      });
      await agent.start(ctx.signal);
    });
}
