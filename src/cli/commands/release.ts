import type { Command } from "commander";
import type { CliContext } from "../context.ts";

export function registerReleaseCommands(_program: Command, _ctx: CliContext): void {}
