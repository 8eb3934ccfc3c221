/**
 * `ferry fleet status|versions|drift|preview`: the fleet-wide view over many clusters (src/fleet). The
 * fleet is every context of the `--kubeconfig` files, a `--fleet` file, or the local dev clusters
 * (FERRY_DEV_DIR, default ~/.cache/ferry/dev) when neither is given. Exit codes gate CI: status 1 when a
 * cluster is unreachable or not Ready; versions 1 when a cluster is behind or unreachable; drift 1 when
 * something drifted or could not be checked; preview 1 when the promotion changes something, 3 when a
 * cluster could not be previewed (render error, unreachable).
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import type { FleetCluster } from "../../fleet/index.ts";
import { parseReference } from "../../oci/index.ts";
import type { CliContext } from "../context.ts";
import { checkOutput, parseTimeout, printStructured } from "./ops-flags.ts";
import { positiveInt } from "./publish-flags.ts";
import { addRegistryOptions, collect, type RegistryFlags, registryClient } from "./sign-flags.ts";
import { addPolicyOptions, describeVerified, type PolicyFlags, policyFromFlags } from "./verify-flags.ts";

/** The fleet library, loaded when a fleet command runs. */
const lib = () => import("../../fleet/index.ts");

interface FleetFlags {
  kubeconfig?: string[];
  context?: string[];
  fleet?: string;
  selector?: string;
  namespace?: string;
  timeout?: string;
  concurrency?: number;
  output: string;
}

function fleetOptions(cmd: Command, defaultTimeout: string): Command {
  return cmd
    .option("--kubeconfig <file>", "a kubeconfig; every context in it is a cluster (repeatable)", collect)
    .option("--context <name>", "only this cluster or context (repeatable)", collect)
    .option("--fleet <file>", "a fleet file: clusters as {name, kubeconfig, context, labels}")
    .option("-l, --selector <k=v,…>", "only clusters whose fleet-file labels match")
    .option("-n, --namespace <ns>", "only objects in this namespace (default: every namespace)")
    .option("--timeout <duration>", "per-cluster deadline, e.g. 30s or 2m", defaultTimeout)
    .option("--concurrency <n>", "clusters queried at once", positiveInt("--concurrency"), 8)
    .option("-o, --output <format>", "table, json or yaml", "table");
}

function abs(ctx: CliContext, p: string): string {
  return isAbsolute(p) ? p : resolve(ctx.cwd, p);
}

function devClustersDir(ctx: CliContext): string {
  return join(ctx.env.FERRY_DEV_DIR || join(ctx.env.HOME || homedir(), ".cache", "ferry", "dev"), "clusters");
}

async function fleetOf(ctx: CliContext, f: FleetFlags): Promise<FleetCluster[]> {
  const { resolveFleet, parseSelector } = await lib();
  return await resolveFleet({
    kubeconfigs: (f.kubeconfig ?? []).map((k) => abs(ctx, k)),
    fleetFile: f.fleet ? abs(ctx, f.fleet) : undefined,
    contexts: f.context,
    selector: f.selector ? parseSelector(f.selector) : undefined,
    devClustersDir: devClustersDir(ctx),
    home: ctx.env.HOME,
  });
}

function queryOptions(ctx: CliContext, f: FleetFlags) {
  return {
    signal: ctx.signal,
    timeoutMs: parseTimeout(f.timeout ?? "15s"),
    concurrency: f.concurrency,
    namespace: f.namespace,
    userAgent: "ferry-cli",
  };
}

/** kustomize as `ferry build` finds it (loaded only by the commands that render). */
async function runner(ctx: CliContext) {
  return (await import("./build.ts")).kustomizeRunner(ctx);
}

/** ANSI colour only on a terminal, and never with NO_COLOR. */
function colorOn(ctx: CliContext): boolean {
  return (ctx.stdout as { isTTY?: boolean }).isTTY === true && !ctx.env.NO_COLOR;
}

function clusterJson(c: FleetCluster) {
  return {
    name: c.name,
    kubeconfig: c.kubeconfig,
    ...(c.context ? { context: c.context } : {}),
    labels: c.labels,
  };
}

function resultJson<T>(r: { cluster: FleetCluster; value?: T; error?: string; errorName?: string }) {
  return {
    ...clusterJson(r.cluster),
    reachable: !r.error,
    ...(r.error ? { error: r.error, errorName: r.errorName } : {}),
  };
}

/**
 * Runs `once` until it reports nothing pending or `--wait` runs out (without `--wait`, once), printing
 * what it still waits for on stderr whenever that changes, and how long the wait took; returns the last
 * answer.
 */
async function untilSettled<T>(
  ctx: CliContext,
  wait: string | undefined,
  done: string,
  once: () => Promise<{ value: T; pending: string[] }>,
): Promise<T> {
  const started = Date.now();
  const deadline = wait ? started + parseTimeout(wait) : 0;
  let said = "";
  for (;;) {
    const r = await once();
    const took = `${Math.round((Date.now() - started) / 100) / 10}s`;
    if (r.pending.length === 0) {
      if (said) ctx.stderr.write(`✔ ${done} after ${took}\n`);
      return r.value;
    }
    if (!wait) return r.value;
    if (Date.now() >= deadline) {
      ctx.stderr.write(`✗ gave up after ${took}, still waiting for ${r.pending.join(", ")}\n`);
      return r.value;
    }
    const line = `◎ waiting for ${r.pending.join(", ")}`;
    if (line !== said) ctx.stderr.write(`${line}\n`);
    said = line;
    await sleep(2000, undefined, { signal: ctx.signal });
  }
}

async function runStatus(
  ctx: CliContext,
  f: FleetFlags & { failing?: boolean; wait?: string },
): Promise<void> {
  checkOutput(f.output, ["table", "json", "yaml"]);
  const fl = await lib();
  const clusters = await fleetOf(ctx, f);
  const results = await untilSettled(ctx, f.wait, "every cluster Ready", async () => {
    const value = await fl.fleetStatus(clusters, queryOptions(ctx, f));
    const pending = value
      .filter((r) => !fl.clusterReady(r))
      .map((r) => `${r.cluster.name} (${r.error ? "unreachable" : "not Ready"})`);
    return { value, pending };
  });
  if (!results.every(fl.clusterReady)) ctx.exitCode = 1;
  if (f.output !== "table") {
    const shown = f.failing ? results.filter((r) => !fl.clusterReady(r)) : results;
    await printStructured(ctx, f.output, {
      clusters: shown.map((r) => ({
        ...resultJson(r),
        ready: fl.clusterReady(r),
        ...(r.value ? { status: f.failing ? { problems: r.value.problems } : r.value } : {}),
      })),
    });
    return;
  }
  const opts = { color: colorOn(ctx) };
  ctx.stdout.write(f.failing ? fl.formatFailing(results, opts) : fl.formatStatus(results, opts));
}

async function runVersions(
  ctx: CliContext,
  f: FleetFlags & RegistryFlags & { registry: boolean; wait?: string },
) {
  checkOutput(f.output, ["table", "json", "yaml"]);
  const fl = await lib();
  const clusters = await fleetOf(ctx, f);
  const oci = f.registry ? registryClient(ctx, f) : undefined;
  const { results, versions } = await untilSettled(ctx, f.wait, "no cluster behind", async () => {
    const results = await fl.fleetStatus(clusters, queryOptions(ctx, f));
    const versions = await fl.fleetVersions(results, {
      signal: ctx.signal,
      oci,
      timeoutMs: parseTimeout(f.timeout ?? "15s"),
    });
    const pending = [
      ...versions.rows.flatMap((row) =>
        row.cells
          .filter((c) => c.state === "behind" || c.state === "unknown")
          .map((c) => `${c.cluster} ${c.namespace}/${c.name} (${c.state})`),
      ),
      ...results.filter((r) => r.error).map((r) => `${r.cluster.name} (unreachable)`),
    ];
    return { value: { results, versions }, pending };
  });
  const behind = versions.rows.some((r) =>
    r.cells.some((c) => c.state === "behind" || c.state === "unknown"),
  );
  if (behind || results.some((r) => r.error)) ctx.exitCode = 1;
  if (f.output !== "table") {
    await printStructured(ctx, f.output, {
      clusters: results.map(resultJson),
      sources: versions.rows,
    });
    return;
  }
  ctx.stdout.write(fl.formatVersions(versions, results, { color: colorOn(ctx) }));
}

async function runDrift(ctx: CliContext, f: FleetFlags & RegistryFlags & { diff?: boolean }) {
  checkOutput(f.output, ["table", "json", "yaml"]);
  const fl = await lib();
  const clusters = await fleetOf(ctx, f);
  const cache = await fl.ArtifactCache.create(registryClient(ctx, f), { signal: ctx.signal });
  try {
    const results = await fl.fleetDrift(clusters, {
      ...queryOptions(ctx, f),
      cache,
      runner: await runner(ctx),
    });
    const ks = results.flatMap((r) => r.value?.kustomizations ?? []);
    if (results.some((r) => r.error) || ks.some((k) => k.error || k.drifted.length > 0)) ctx.exitCode = 1;
    if (f.output !== "table") {
      await printStructured(ctx, f.output, {
        clusters: results.map((r) => ({ ...resultJson(r), ...(r.value ? r.value : {}) })),
      });
      return;
    }
    ctx.stdout.write(fl.formatDrift(results, { color: colorOn(ctx), diff: f.diff }));
  } finally {
    await cache.dispose();
  }
}

async function runPreview(
  ctx: CliContext,
  url: string,
  f: FleetFlags & RegistryFlags & PolicyFlags & { tag?: string },
): Promise<void> {
  checkOutput(f.output, ["table", "json", "yaml"]);
  const candidate = parseReference(url);
  if (!candidate.tag || candidate.digest)
    throw new UsageError(`preview needs the candidate as oci://host/repo:vX.Y.Z, got "${url}"`);
  const fl = await lib();
  const clusters = await fleetOf(ctx, f);
  const oci = registryClient(ctx, f);
  // The signature check `ferry promote --verify-key` would make, before anything is rendered.
  const policy = await policyFromFlags(ctx, f);
  if (policy) {
    const { verifyArtifact } = await import("../../sign/index.ts");
    const v = await verifyArtifact({ client: oci, reference: candidate, policy, signal: ctx.signal });
    ctx.stderr.write(`${describeVerified(v)}\n`);
  }
  const cache = await fl.ArtifactCache.create(oci, { signal: ctx.signal });
  try {
    const p = await fl.previewPromotion(clusters, candidate, {
      ...queryOptions(ctx, f),
      oci,
      cache,
      runner: await runner(ctx),
      tag: f.tag,
    });
    const counts = fl.previewCounts(p);
    ctx.exitCode = counts.errors > 0 || counts.unreachable > 0 ? 3 : counts.changes > 0 ? 1 : 0;
    if (f.output !== "table") {
      await printStructured(ctx, f.output, {
        candidate: p.candidate,
        digest: p.digest,
        ...(p.tag ? { tag: p.tag } : {}),
        clusters: p.clusters.map((r) => ({ ...resultJson(r), ...(r.value ? r.value : {}) })),
      });
      return;
    }
    ctx.stdout.write(fl.formatPreview(p, { color: colorOn(ctx) }));
  } finally {
    await cache.dispose();
  }
}

export function registerFleetCommands(program: Command, ctx: CliContext): void {
  const fleet = program
    .command("fleet")
    .description("the fleet-wide view: status, versions, drift and promotion previews over many clusters")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry fleet status\n  ferry fleet versions --fleet ferry-fleet.yaml\n  ferry fleet preview oci://ghcr.io/acme/fleet:v1.2.3 --tag latest-stable",
    );

  fleetOptions(
    fleet
      .command("status")
      .description(
        "one row per cluster: sync source and revision, Ready, ready/total per kind, suspended, last apply; exit 1 when a cluster is unreachable or not Ready",
      )
      .option("--failing", "list only what is not Ready (objects and unreachable clusters)")
      .option("--wait <duration>", "ask again every 2s until every cluster is Ready, for at most this long"),
    "15s",
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry fleet status\n  ferry fleet status --kubeconfig ~/.kube/config --context prod-eu --context prod-us\n  ferry fleet status --fleet ferry-fleet.yaml --selector env=production --failing\n  ferry fleet status --wait 5m --failing\n  ferry fleet status -o json",
    )
    .action(async (o: FleetFlags & { failing?: boolean; wait?: string }) => runStatus(ctx, o));

  addRegistryOptions(
    fleetOptions(
      fleet
        .command("versions")
        .description(
          "what version runs where: source repository × cluster, marking clusters behind the tag they follow; exit 1 when one is behind or unreachable",
        )
        .option("--no-registry", "do not ask the registry what the followed tags resolve to")
        .option(
          "--wait <duration>",
          "ask again every 2s until no cluster is behind (a promotion has rolled out), for at most this long",
        ),
      "15s",
    ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry fleet versions\n  ferry fleet versions --fleet ferry-fleet.yaml -o yaml\n  ferry promote oci://ghcr.io/acme/fleet:v1.2.3 --to latest-stable && ferry fleet versions --wait 10m",
    )
    .action(async (o: FleetFlags & RegistryFlags & { registry: boolean; wait?: string }) =>
      runVersions(ctx, o),
    );

  addRegistryOptions(
    fleetOptions(
      fleet
        .command("drift")
        .description(
          "objects whose live state differs from what their Kustomization applies (server-side dry-run); exit 1 when any",
        )
        .option("--diff", "print a unified diff for each changed object"),
      "2m",
    ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry fleet drift\n  ferry fleet drift --context production -n podinfo --diff",
    )
    .action(async (o: FleetFlags & RegistryFlags & { diff?: boolean }) => runDrift(ctx, o));

  addPolicyOptions(
    addRegistryOptions(
      fleetOptions(
        fleet
          .command("preview")
          .description(
            "what moving a tag to a candidate would change on every cluster that follows it, rendered as the agent renders and dry-run against the live cluster; nothing is written. Exit 0 no change, 1 changes, 3 a cluster could not be previewed",
          )
          .argument("<candidate>", "the candidate artifact, oci://host/repo:vX.Y.Z")
          .option(
            "--tag <tag>",
            "the channel tag that would move to the candidate (e.g. latest-stable); without it only semver followers are previewed",
          ),
        "2m",
      ),
    ),
    "--verify-key",
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry fleet preview oci://ghcr.io/acme/fleet:v1.2.3 --tag latest-stable\n  ferry fleet preview oci://ghcr.io/acme/fleet/podinfo:v6.1.0 --tag latest-stable --selector env=production\n  ferry fleet preview oci://ghcr.io/acme/fleet:v1.2.3 --tag latest-stable --verify-key cosign.pub -o json",
    )
    .action(async (url: string, o: FleetFlags & RegistryFlags & PolicyFlags & { tag?: string }) =>
      runPreview(ctx, url, o),
    );
}
