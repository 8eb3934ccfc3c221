/**
 * Flags, kubeconfig loading, progress symbols and output helpers shared by the operator commands in
 * ops.ts. Reads KUBECONFIG and HOME (CLI only) to find the kubeconfig when --kubeconfig is not given.
 */
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import type { KubeClient } from "../../kube/index.ts";
import type { OpsKind, Progress } from "../../ops/index.ts";
import type { CliContext } from "../context.ts";

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  allNamespaces?: boolean;
}

export interface GetFlags extends KubeFlags {
  statusSelector?: string;
  output: string;
  header: boolean;
}

export interface WaitFlags extends KubeFlags {
  timeout: string;
  withSource?: boolean;
  all?: boolean;
  wait?: boolean;
}

export const DEFAULT_NAMESPACE = "flux-system";

/** Kinds by the command names flux and flux-operator use; OCIRepository sits under `source oci`. */
export const KIND_COMMANDS: Array<{ name: string; aliases: string[]; kind: string; source?: boolean }> = [
  { name: "oci", aliases: ["ocirepository", "ocirepositories"], kind: "OCIRepository", source: true },
  { name: "kustomization", aliases: ["kustomizations", "ks"], kind: "Kustomization" },
  { name: "helmrelease", aliases: ["helmreleases", "hr"], kind: "HelmRelease" },
  { name: "resourceset", aliases: ["resourcesets", "rset"], kind: "ResourceSet" },
  {
    name: "resourcesetinputprovider",
    aliases: ["resourcesetinputproviders", "rsip", "inputprovider"],
    kind: "ResourceSetInputProvider",
  },
  { name: "instance", aliases: ["fluxinstance", "fluxinstances"], kind: "FluxInstance" },
];

export async function opsKind(kind: string): Promise<OpsKind> {
  const { kindByAlias } = await import("../../ops/index.ts");
  const k = kindByAlias(kind);
  if (!k) throw new Error(`no ops kind ${kind}`);
  return k;
}

export function defaultKubeconfig(ctx: CliContext): string {
  const env = ctx.env.KUBECONFIG?.split(":").find((p) => p !== "");
  if (env) return resolve(ctx.cwd, env);
  if (!ctx.env.HOME) throw new UsageError("no kubeconfig: pass --kubeconfig PATH or set KUBECONFIG");
  return join(ctx.env.HOME, ".kube", "config");
}

export async function connect(ctx: CliContext, o: KubeFlags): Promise<KubeClient> {
  const { KubeClient, loadKubeConfig } = await import("../../kube/index.ts");
  const kc = loadKubeConfig({
    path: o.kubeconfig ? resolve(ctx.cwd, o.kubeconfig) : defaultKubeconfig(ctx),
    ...(o.context ? { context: o.context } : {}),
  });
  return new KubeClient(kc, { userAgent: "ferry-cli" });
}

/** Runs `fn` with a client and closes its sockets afterwards. */
export async function withClient<T>(
  ctx: CliContext,
  o: KubeFlags,
  fn: (c: KubeClient) => Promise<T>,
): Promise<T> {
  const client = await connect(ctx, o);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export function kubeOptions(cmd: Command, opts: { allNamespaces?: boolean } = {}): Command {
  cmd
    .option("--kubeconfig <path>", "kubeconfig of the cluster (default: KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: the current one)")
    .option("-n, --namespace <ns>", "namespace of the objects", DEFAULT_NAMESPACE);
  if (opts.allNamespaces) cmd.option("-A, --all-namespaces", "list objects in every namespace");
  return cmd;
}

export const SYMBOLS = { action: "►", success: "✔", waiting: "◎", failure: "✗" } as const;

export function progress(ctx: CliContext): Progress {
  return (kind, text) => void ctx.stderr.write(`${SYMBOLS[kind]} ${text}\n`);
}

/** Go-style durations: `30s`, `5m`, `1m30s`, `500ms`, `1h`. */
export function parseTimeout(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) break;
    total += Number(m[1]) * (units[m[2] ?? ""] ?? 0);
    pos = re.lastIndex;
  }
  if (text === "" || pos !== text.length || total <= 0) {
    throw new UsageError(`--timeout ${text} is not a duration; write e.g. 30s, 5m or 1m30s`);
  }
  return total;
}

export function checkOutput(output: string, allowed: readonly string[]): void {
  if (!allowed.includes(output)) {
    throw new UsageError(`--output ${output} is not supported; use one of ${allowed.join(", ")}`);
  }
}

export async function printStructured(ctx: CliContext, output: string, value: unknown): Promise<void> {
  if (output === "json") ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else ctx.stdout.write((await import("yaml")).stringify(value));
}
