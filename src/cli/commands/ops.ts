/**
 * `ferry get`, `ferry tree`, `ferry reconcile`, `ferry suspend`, `ferry resume`: the operator commands for
 * the cluster side, with the output shapes of the flux and flux-operator CLIs. The logic lives in src/ops;
 * this file parses flags and prints (shared flags and helpers in ops-flags.ts).
 */
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import type { KubeClient } from "../../kube/index.ts";
import type { ObjectSummary, OpsKind } from "../../ops/index.ts";
import type { CliContext } from "../context.ts";
import {
  checkOutput,
  type GetFlags,
  KIND_COMMANDS,
  type KubeFlags,
  kubeOptions,
  opsKind,
  parseTimeout,
  printStructured,
  progress,
  SYMBOLS,
  type WaitFlags,
  withClient,
} from "./ops-flags.ts";

// ---------------------------------------------------------------- get

function getOptions(cmd: Command): Command {
  return kubeOptions(cmd, { allNamespaces: true })
    .option("--status-selector <type=status>", "only objects with this condition status, e.g. ready=false")
    .option("-o, --output <format>", "table, json or yaml", "table")
    .option("--no-header", "print the table without its header line");
}

/** `all`: several kinds, names as `kind/name`, kinds the cluster does not serve skipped (`get all`). */
async function runGet(
  ctx: CliContext,
  kinds: OpsKind[],
  name: string | undefined,
  o: GetFlags,
  all = false,
): Promise<void> {
  const ops = await import("../../ops/index.ts");
  checkOutput(o.output, ["table", "json", "yaml"]);
  const selector = o.statusSelector ? ops.parseStatusSelector(o.statusSelector) : undefined;
  const nsLabel = o.allNamespaces ? "any" : `"${o.namespace}"`;
  const results = await withClient(ctx, o, async (client) => {
    const out: Array<{ kind: OpsKind; rows: ObjectSummary[] }> = [];
    for (const k of kinds) {
      try {
        const rows = await ops.listSummaries(client, k, {
          signal: ctx.signal,
          ...(o.allNamespaces ? {} : { namespace: o.namespace }),
          ...(name !== undefined ? { name } : {}),
          ...(selector ? { statusSelector: selector } : {}),
        });
        out.push({ kind: k, rows });
      } catch (err) {
        // `get all` lists the kinds the cluster serves, as flux does.
        if (all && err instanceof ops.KindNotInstalledError) continue;
        throw err;
      }
    }
    return out;
  });
  if (o.output !== "table") {
    await printStructured(
      ctx,
      o.output,
      results.flatMap((r) => r.rows),
    );
    return;
  }
  if (!all) {
    const r = results[0];
    if (r && r.rows.length === 0) {
      if (name !== undefined && !selector) {
        throw new ops.ObjectNotFoundError(
          r.kind.kind,
          o.allNamespaces ? undefined : o.namespace,
          name,
          r.kind.command,
        );
      }
      ctx.stderr.write(`${SYMBOLS.failure} no ${r.kind.kind} objects found in ${nsLabel} namespace\n`);
      return;
    }
  }
  const tables = results
    .filter((r) => r.rows.length > 0)
    .map((r) => {
      const text = ops.formatSummaries(r.rows, { allNamespaces: o.allNamespaces === true, withKind: all });
      return o.header ? text : text.slice(text.indexOf("\n") + 1);
    });
  ctx.stdout.write(tables.join(all ? "\n" : ""));
  if (all && tables.length > 0) ctx.stdout.write("\n");
}

function registerGet(program: Command, ctx: CliContext): void {
  const get = program
    .command("get")
    .description("print Flux objects and their readiness, as `flux get` does")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry get kustomizations\n  ferry get sources oci -A\n  ferry get all --status-selector ready=false",
    );
  const sources = get
    .command("sources")
    .alias("source")
    .description("print sources")
    .addHelpText("after", "\nExamples:\n  ferry get sources oci\n  ferry get sources oci podinfo -n apps");
  for (const c of KIND_COMMANDS) {
    const parent = c.source ? sources : get;
    const cmd = getOptions(
      parent
        .command(`${c.name} [name]`)
        .aliases(c.aliases)
        .description(`print ${c.kind} objects: name, revision, suspended, ready, message`),
    );
    cmd
      .addHelpText(
        "after",
        `\nExamples:\n  ferry get ${c.source ? "sources " : ""}${c.name}\n  ferry get ${c.source ? "sources " : ""}${c.aliases.at(-1)} -A -o json`,
      )
      .action(async (name: string | undefined, o: GetFlags) => runGet(ctx, [await opsKind(c.kind)], name, o));
  }
  getOptions(get.command("all").description("print every Flux kind the cluster serves"))
    .addHelpText("after", "\nExamples:\n  ferry get all\n  ferry get all -A --status-selector ready=false")
    .action(async (o: GetFlags) => {
      const { OPS_KINDS } = await import("../../ops/index.ts");
      await runGet(ctx, [...OPS_KINDS], undefined, o, true);
    });
  getOptions(sources.command("all").description("print every source kind the cluster serves"))
    .addHelpText("after", "\nExamples:\n  ferry get sources all\n  ferry get sources all -A")
    .action(async (o: GetFlags) => {
      const { OPS_KINDS } = await import("../../ops/index.ts");
      await runGet(
        ctx,
        OPS_KINDS.filter((k) => k.group.startsWith("source.")),
        undefined,
        o,
        true,
      );
    });
}

// ---------------------------------------------------------------- tree

function registerTree(program: Command, ctx: CliContext): void {
  const tree = program
    .command("tree")
    .description("print the inventory of a Kustomization or ResourceSet as a tree, as `flux tree` does")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry tree kustomization flux-system\n  ferry tree rset apps -o json",
    );
  for (const c of KIND_COMMANDS.filter((x) => x.kind === "Kustomization" || x.kind === "ResourceSet")) {
    kubeOptions(
      tree
        .command(`${c.name} <name>`)
        .aliases(c.aliases)
        .description(`print the objects a ${c.kind} applied, nested ones expanded`),
    )
      .option("-o, --output <format>", "tree, json or yaml", "tree")
      .addHelpText(
        "after",
        `\nExamples:\n  ferry tree ${c.name} flux-system\n  ferry tree ${c.aliases.at(-1)} apps -n apps -o json`,
      )
      .action(async (name: string, o: KubeFlags & { output: string }) => {
        const ops = await import("../../ops/index.ts");
        checkOutput(o.output, ["tree", "json", "yaml"]);
        const k = await opsKind(c.kind);
        const t = await withClient(ctx, o, (client) =>
          ops.inventoryTree(client, k, o.namespace, name, { signal: ctx.signal }),
        );
        if (o.output === "tree") ctx.stdout.write(ops.formatTree(t));
        else await printStructured(ctx, o.output, ops.treeToFluxJson(t));
      });
  }
}

// ---------------------------------------------------------------- reconcile, suspend, resume

/** Reports a failed or timed-out wait as flux does (`✗ …`, exit 1); other errors propagate. */
async function reportWait(ctx: CliContext, fn: () => Promise<unknown>): Promise<void> {
  const { ReconcileFailedError, ReconcileTimeoutError } = await import("../../ops/index.ts");
  try {
    await fn();
  } catch (err) {
    if (err instanceof ReconcileFailedError || err instanceof ReconcileTimeoutError) {
      ctx.stderr.write(`${SYMBOLS.failure} ${err.message}\n`);
      ctx.exitCode = 1;
      return;
    }
    throw err;
  }
}

function timeoutOption(cmd: Command): Command {
  return cmd.option("--timeout <duration>", "how long to wait for the reconciler", "5m");
}

/** Adds one subcommand per kind (OCIRepository under `source oci`) to `parent`. */
function perKind(
  parent: Command,
  verb: string,
  nameArg: "<name>" | "[name]",
  build: (cmd: Command, c: (typeof KIND_COMMANDS)[number]) => void,
): void {
  const source = parent
    .command("source")
    .alias("sources")
    .description(`${verb} sources`)
    .addHelpText("after", `\nExamples:\n  ferry ${verb} source oci podinfo`);
  for (const c of KIND_COMMANDS) {
    const cmd = (c.source ? source : parent)
      .command(`${c.name} ${nameArg}`)
      .aliases(c.aliases)
      .addHelpText(
        "after",
        `\nExamples:\n  ferry ${verb} ${c.source ? "source " : ""}${c.name} podinfo\n  ferry ${verb} ${c.source ? "source " : ""}${c.aliases.at(-1)} apps -n apps`,
      );
    build(kubeOptions(cmd), c);
  }
}

function registerReconcile(program: Command, ctx: CliContext): void {
  const reconcile = program
    .command("reconcile")
    .description("request a reconciliation and wait for it, as `flux reconcile` does")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry reconcile kustomization apps --with-source\n  ferry reconcile source oci podinfo",
    );
  perKind(reconcile, "reconcile", "<name>", (cmd, c) => {
    cmd.description(
      `annotate the ${c.kind} NAME with reconcile.fluxcd.io/requestedAt and wait until it is handled`,
    );
    timeoutOption(cmd);
    if (c.kind === "Kustomization") cmd.option("--with-source", "reconcile the OCIRepository source first");
    cmd.action(async (name: string, o: WaitFlags) => {
      const ops = await import("../../ops/index.ts");
      const timeoutMs = parseTimeout(o.timeout);
      const k = await opsKind(c.kind);
      const wait = { signal: ctx.signal, timeoutMs, progress: progress(ctx) };
      await withClient(ctx, o, (client) =>
        reportWait(ctx, async () => {
          if (o.withSource) {
            const ks = await ops.getOpsObject(client, k, o.namespace, name, { signal: ctx.signal });
            const src = (ks.spec as { sourceRef?: { kind?: string; name?: string; namespace?: string } })
              ?.sourceRef;
            if (src?.kind !== "OCIRepository" || !src.name) {
              throw new UsageError(
                `Kustomization ${o.namespace}/${name} has sourceRef kind ${src?.kind ?? "(none)"}; --with-source reconciles OCIRepository sources only, drop the flag`,
              );
            }
            await ops.reconcileObject(
              client,
              ops.OCI_REPOSITORY,
              src.namespace || o.namespace,
              src.name,
              wait,
            );
          }
          await ops.reconcileObject(client, k, o.namespace, name, wait);
        }),
      );
    });
  });
}

async function targets(
  ctx: CliContext,
  client: KubeClient,
  k: OpsKind,
  name: string | undefined,
  o: WaitFlags,
  verb: string,
): Promise<string[]> {
  if (o.all && name !== undefined) throw new UsageError(`pass a ${k.kind} name or --all, not both`);
  if (!o.all && name === undefined) throw new UsageError(`${verb} needs a ${k.kind} name, or --all`);
  if (name !== undefined) return [name];
  const { listOpsObjects } = await import("../../ops/index.ts");
  const items = await listOpsObjects(client, k, { signal: ctx.signal, namespace: o.namespace });
  if (items.length === 0)
    ctx.stderr.write(`${SYMBOLS.failure} no ${k.kind} objects found in "${o.namespace}" namespace\n`);
  return items.map((i) => i.metadata.name ?? "");
}

function registerSuspend(program: Command, ctx: CliContext): void {
  const suspend = program
    .command("suspend")
    .description("suspend reconciliation (spec.suspend, or fluxcd.controlplane.io/reconcile: disabled)")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry suspend kustomization apps\n  ferry suspend rset --all -n apps",
    );
  perKind(suspend, "suspend", "[name]", (cmd, c) => {
    cmd
      .description(`suspend the reconciliation of the ${c.kind} NAME`)
      .option("--all", "suspend every object of the kind in the namespace")
      .action(async (name: string | undefined, o: WaitFlags) => {
        const ops = await import("../../ops/index.ts");
        const k = await opsKind(c.kind);
        const p = progress(ctx);
        await withClient(ctx, o, async (client) => {
          for (const n of await targets(ctx, client, k, name, o, "suspend")) {
            p("action", `suspending ${k.kind} ${n} in ${o.namespace} namespace`);
            await ops.suspendObject(client, k, o.namespace, n, { signal: ctx.signal });
            p("success", `${k.kind} suspended`);
          }
        });
      });
  });
}

function registerResume(program: Command, ctx: CliContext): void {
  const resume = program
    .command("resume")
    .description("resume a suspended reconciliation and wait for it")
    .addHelpText(
      "after",
      "\nExamples:\n  ferry resume kustomization apps\n  ferry resume rset --all -n apps",
    );
  perKind(resume, "resume", "[name]", (cmd, c) => {
    timeoutOption(cmd)
      .description(`resume the reconciliation of the ${c.kind} NAME and wait until it is handled`)
      .option("--all", "resume every object of the kind in the namespace")
      .option("--no-wait", "do not wait for the reconciliation")
      .action(async (name: string | undefined, o: WaitFlags) => {
        const ops = await import("../../ops/index.ts");
        const timeoutMs = parseTimeout(o.timeout);
        const k = await opsKind(c.kind);
        const p = progress(ctx);
        await withClient(ctx, o, async (client) => {
          const pending: Array<{ name: string; at: string }> = [];
          for (const n of await targets(ctx, client, k, name, o, "resume")) {
            p("action", `resuming ${k.kind} ${n} in ${o.namespace} namespace`);
            pending.push({
              name: n,
              at: await ops.resumeObject(client, k, o.namespace, n, { signal: ctx.signal }),
            });
            p("success", `${k.kind} resumed`);
          }
          if (o.wait === false) return;
          for (const r of pending) {
            await reportWait(ctx, async () => {
              const live = await ops.getOpsObject(client, k, o.namespace, r.name, { signal: ctx.signal });
              await ops.waitAndReport(client, k, live, r.at, { signal: ctx.signal, timeoutMs, progress: p });
            });
          }
        });
      });
  });
}

export function registerOpsCommands(program: Command, ctx: CliContext): void {
  registerGet(program, ctx);
  registerTree(program, ctx);
  registerReconcile(program, ctx);
  registerSuspend(program, ctx);
  registerResume(program, ctx);
}
