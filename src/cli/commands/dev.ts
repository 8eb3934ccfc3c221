/**
 * `ferry dev …`: local development helpers. `ferry dev cluster …` manages local Kubernetes clusters (real
 * control plane processes plus kwok fake nodes) in ~/.cache/ferry/clusters/<name>/ (FERRY_DEV_CLUSTERS_DIR
 * overrides the folder, FERRY_CACHE the tool index folder).
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import {
  createCluster,
  defaultClustersDir,
  deleteCluster,
  getCluster,
  listClusters,
  validateClusterName,
} from "../../dev/index.ts";
import { UsageError } from "../../errors/index.ts";
import { type CliContext, write } from "../context.ts";
import { CLUSTER_TOOLS, ensureTools, REGISTRY_TOOLS } from "./dev-tools.ts";

export function registerDevCommands(program: Command, ctx: CliContext): void {
  const dev = program
    .command("dev")
    .description("local development: clusters and whole fleets on this machine")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry dev up\n  ferry dev cluster create staging\n  ferry dev cluster list\n  ferry dev down",
    );
  registerDevClusterCommands(dev, ctx);
  registerDevFleetCommands(dev, ctx);
}

function devDir(ctx: CliContext): string {
  return ctx.env.FERRY_DEV_DIR || join(ctx.env.HOME || homedir(), ".cache", "ferry", "dev");
}

/** Registers `up` and `down`: the whole local fleet (registry, clusters, published example fleet, agents). */
export function registerDevFleetCommands(dev: Command, ctx: CliContext): void {
  dev
    .command("up")
    .description(
      "start a local fleet: registry, clusters staging and production, the example fleet published, signed and bootstrapped",
    )
    .option("--timeout <seconds>", "how long to wait for each cluster's fleet to be Ready", "300")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry dev up\n  kubectl --kubeconfig ~/.cache/ferry/dev/clusters/staging/kubeconfig get pods -A\n  ferry dev down",
    )
    .action(async (o: { timeout: string }) => {
      const timeout = Number(o.timeout);
      if (!(timeout > 0))
        throw new UsageError(`--timeout ${o.timeout} is invalid; use a number of seconds above 0`);
      await ensureTools(ctx, [...CLUSTER_TOOLS, ...REGISTRY_TOOLS]);
      const { devUp } = await import("../../bootstrap/index.ts");
      const { formatTable } = await import("../../ops/index.ts");
      const dir = devDir(ctx);
      const started = Date.now();
      const res = await devUp({
        dir,
        timeoutMs: timeout * 1000,
        signal: ctx.signal,
        progress: (line) => write(ctx.stderr, line),
        ...(ctx.env.FERRY_CACHE ? { cacheDir: ctx.env.FERRY_CACHE } : {}),
      });
      write(
        ctx.stderr,
        `fleet up in ${((Date.now() - started) / 1000).toFixed(1)}s: registry ${res.registry}, state in ${dir}`,
      );
      write(
        ctx.stdout,
        formatTable(
          ["CLUSTER", "REVISION", "READY", "TENANTS", "KUBECONFIG"],
          res.clusters.map((c) => [
            c.cluster,
            c.revision,
            c.ready ? "True" : "False",
            c.tenants.join(","),
            c.kubeconfig,
          ]),
        ),
      );
    });

  dev
    .command("down")
    .description("stop the local fleet: agents, clusters and registry; remove its state folder")
    .addHelpText("after", "\nExamples:\n  ferry dev down")
    .action(async () => {
      const { devDown } = await import("../../bootstrap/index.ts");
      const dir = devDir(ctx);
      const res = await devDown({ dir });
      write(
        ctx.stdout,
        res.clusters.length === 0 && !res.registry && res.agents === 0
          ? `nothing was running; ${dir} removed`
          : `stopped ${res.agents} agent(s), deleted cluster(s) ${res.clusters.join(", ") || "(none)"}, ${res.registry ? "stopped the registry" : "no registry was running"}; ${dir} removed`,
      );
    });
}

function clustersDir(ctx: CliContext): string {
  return ctx.env.FERRY_DEV_CLUSTERS_DIR || defaultClustersDir();
}

function parseNodes(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 100)
    throw new UsageError(`--nodes ${v} is invalid; use a whole number from 0 to 100`);
  return n;
}

const mib = (bytes: number) => `${Math.round(bytes / 1048576)}Mi`;

/** Registers `cluster create|kubeconfig|delete|list` under the given `dev` command. */
export function registerDevClusterCommands(dev: Command, ctx: CliContext): void {
  const cluster = dev
    .command("cluster")
    .description(
      "local Kubernetes clusters: etcd, kube-apiserver, controller manager, scheduler and kwok nodes",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry dev cluster create staging --nodes 2\n  ferry dev cluster list\n  ferry dev cluster delete staging",
    );

  cluster
    .command("create")
    .description("start a local cluster and print the path of its admin kubeconfig")
    .argument("<name>", "cluster name (lowercase letters, digits, '-')")
    .option("--nodes <n>", "fake nodes kept Ready by kwok", parseNodes, 1)
    .option("--timeout <seconds>", "how long to wait for the cluster to be ready", "180")
    .addHelpText(
      "after",
      '\nExamples:\n  ferry dev cluster create staging\n  ferry dev cluster create prod-eu --nodes 3\n  kubectl --kubeconfig "$(ferry dev cluster kubeconfig staging)" get nodes',
    )
    .action(async (name: string, o: { nodes: number; timeout: string }) => {
      validateClusterName(name);
      const timeout = Number(o.timeout);
      if (!(timeout > 0))
        throw new UsageError(`--timeout ${o.timeout} is invalid; use a number of seconds above 0`);
      // FERRY_DEV_OWNER_PID: the cluster is stopped and removed when that process ends (tests, scripts).
      const owner = ctx.env.FERRY_DEV_OWNER_PID;
      if (owner !== undefined && !/^[1-9]\d*$/.test(owner))
        throw new UsageError(`FERRY_DEV_OWNER_PID=${owner} is invalid; use the pid of a running process`);
      await ensureTools(ctx, CLUSTER_TOOLS);
      const started = Date.now();
      const state = await createCluster({
        ...(owner ? { ownerPid: Number(owner) } : {}),
        name,
        dir: join(clustersDir(ctx), name),
        nodes: o.nodes,
        timeoutMs: timeout * 1000,
        signal: ctx.signal,
        ...(ctx.env.FERRY_CACHE ? { cacheDir: ctx.env.FERRY_CACHE } : {}),
      });
      write(
        ctx.stderr,
        `cluster ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${state.server}, ${state.nodes} node(s)`,
      );
      write(ctx.stdout, state.kubeconfig);
    });

  cluster
    .command("kubeconfig")
    .description("print the path of a local cluster's admin kubeconfig")
    .argument("<name>", "cluster name")
    .addHelpText(
      "after",
      '\nExamples:\n  ferry dev cluster kubeconfig staging\n  export KUBECONFIG="$(ferry dev cluster kubeconfig staging)"',
    )
    .action(async (name: string) => {
      validateClusterName(name);
      write(ctx.stdout, (await getCluster(name, clustersDir(ctx))).kubeconfig);
    });

  cluster
    .command("delete")
    .description("stop a local cluster's processes and remove its folder")
    .argument("<name>", "cluster name")
    .addHelpText("after", "\nExamples:\n  ferry dev cluster delete staging")
    .action(async (name: string) => {
      validateClusterName(name);
      const res = await deleteCluster(name, clustersDir(ctx));
      write(ctx.stdout, `deleted cluster ${name} (stopped ${res.stopped.length} process(es))`);
    });

  cluster
    .command("list")
    .description("list local clusters: name, API server, status, live processes, memory")
    .option("-o, --output <format>", "table or json", "table")
    .addHelpText("after", "\nExamples:\n  ferry dev cluster list\n  ferry dev cluster list -o json")
    .action(async (o: { output: string }) => {
      if (o.output !== "table" && o.output !== "json") {
        throw new UsageError(`--output ${o.output} is invalid; use table or json`);
      }
      const all = await listClusters(clustersDir(ctx));
      if (o.output === "json") {
        const rows = all.map((c) => ({
          name: c.state.name,
          server: c.state.server,
          status: c.status,
          alive: c.alive,
          total: c.total,
          nodes: c.state.nodes,
          rssBytes: c.rssBytes,
          kubeconfig: c.state.kubeconfig,
          pids: Object.fromEntries(c.components.map((p) => [p.component, p.pid])),
          components: c.components,
        }));
        write(ctx.stdout, JSON.stringify(rows, null, 2));
        return;
      }
      const rows = [
        ["NAME", "SERVER", "STATUS", "PROCESSES", "NODES", "MEMORY", "PIDS"],
        ...all.map((c) => [
          c.state.name,
          c.state.server,
          c.status,
          `${c.alive}/${c.total} alive`,
          String(c.state.nodes),
          mib(c.rssBytes),
          c.components.map((p) => (p.alive ? String(p.pid) : `${p.pid}(dead)`)).join(","),
        ]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows)
        write(
          ctx.stdout,
          r
            .map((cell, i) => cell.padEnd(widths[i]!))
            .join("  ")
            .trimEnd(),
        );
    });
}
