/**
 * CLI: the `ferry` command. Parses flags, calls the modules, prints. No logic of its own lives here:
 * each command group registers itself from `commands/<group>.ts`.
 */
import { Command, CommanderError } from "commander";
import { causeChain, describe, FerryError } from "../errors/index.ts";
import type { CliContext } from "./context.ts";

type Register = (program: Command, ctx: CliContext) => void;

/**
 * Command groups and the top-level command names each one defines. Only the groups a command line needs
 * are loaded, so `ferry push` neither pays for nor depends on the modules behind `ferry agent`; help
 * without a command, and unknown commands, load them all.
 */
export const commandGroups: Array<{ names: string[]; load: () => Promise<Register> }> = [
  {
    names: ["push", "pull", "tag", "list", "diff"],
    load: async () => (await import("./commands/artifact.ts")).registerArtifactCommands,
  },
  {
    names: ["release", "promote", "rollback"],
    load: async () => (await import("./commands/release.ts")).registerReleaseCommands,
  },
  {
    names: ["generate-key-pair", "sign", "verify"],
    load: async () => (await import("./commands/sign.ts")).registerSignCommands,
  },
  {
    names: ["build", "validate"],
    load: async () => (await import("./commands/build.ts")).registerBuildCommands,
  },
  { names: ["dev"], load: async () => (await import("./commands/dev.ts")).registerDevCommands },
  {
    names: ["bootstrap"],
    load: async () => (await import("./commands/bootstrap.ts")).registerBootstrapCommands,
  },
  { names: ["agent"], load: async () => (await import("./commands/agent.ts")).registerAgentCommands },
  {
    names: ["get", "tree", "reconcile", "suspend", "resume"],
    load: async () => (await import("./commands/ops.ts")).registerOpsCommands,
  },
  { names: ["fleet"], load: async () => (await import("./commands/fleet.ts")).registerFleetCommands },
];

/** The first argument that is not an option: the top-level command, if any. */
function firstCommand(argv: string[]): string | undefined {
  return argv.find((a) => !a.startsWith("-"));
}

async function loadGroups(argv: string[]): Promise<Register[]> {
  const cmd = firstCommand(argv);
  const wanted = commandGroups.filter((g) => cmd !== undefined && cmd !== "help" && g.names.includes(cmd));
  return Promise.all((wanted.length > 0 ? wanted : commandGroups).map((g) => g.load()));
}

export function buildProgram(ctx: CliContext, registers: Register[]): Command {
  const program = new Command("ferry")
    .description(
      "Gitless GitOps for fleets of Kubernetes clusters: publish, sign, render and reconcile OCI artifacts.",
    )
    .option("-v, --verbose", "print the cause chain and stack of errors")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();
  for (const register of registers) register(program, ctx);
  for (const cmd of allCommands(program)) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

function* allCommands(cmd: Command): Generator<Command> {
  for (const c of cmd.commands) {
    yield c;
    yield* allCommands(c);
  }
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[], partial: Partial<CliContext> = {}): Promise<number> {
  const ac = new AbortController();
  const onSignal = () => ac.abort(new Error("interrupted"));
  const ownSignals = !partial.signal;
  if (ownSignals) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  const ctx = makeContext(partial, ac.signal);
  try {
    const program = buildProgram(ctx, await loadGroups(argv));
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (err) {
    return reportError(err, ctx, argv.includes("--verbose") || argv.includes("-v"));
  } finally {
    if (ownSignals) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}

function makeContext(partial: Partial<CliContext>, signal: AbortSignal): CliContext {
  return {
    env: partial.env ?? process.env,
    stdout: partial.stdout ?? process.stdout,
    stderr: partial.stderr ?? process.stderr,
    signal: partial.signal ?? signal,
    cwd: partial.cwd ?? process.cwd(),
    exitCode: 0,
  };
}

/** Prints one line for the error (the cause chain and stacks with --verbose) and returns the exit code. */
function reportError(err: unknown, ctx: CliContext, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // Help and version are "errors" to commander; their text is already printed.
    return err.exitCode === 0 ? 0 : 2;
  }
  ctx.stderr.write(`error: ${describe(err)}\n`);
  if (verbose) {
    for (const [i, e] of causeChain(err).entries()) {
      if (i > 0) ctx.stderr.write(`caused by: ${describe(e)}\n`);
      if (e instanceof Error && e.stack) ctx.stderr.write(`${e.stack}\n`);
    }
  }
  return err instanceof FerryError ? err.exitCode : 1;
}
