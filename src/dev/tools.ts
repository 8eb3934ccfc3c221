/**
 * Where the test-infrastructure binaries are: `scripts/tools.sh` builds them from Go modules (or finds
 * them in Debian packages) and writes their paths to `~/.cache/ferry/tools.json`. This module reads that
 * index; it never builds or downloads anything.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { FerryError } from "../errors/index.ts";

export class ToolNotFoundError extends FerryError {
  override name = "ToolNotFoundError";
  readonly tool: string;
  constructor(tool: string, detail: string) {
    super(`test tool "${tool}" is not available (${detail}); run \`npm run tools\` to build it`);
    this.tool = tool;
  }
}

export interface ToolsOptions {
  /** Cache folder; defaults to ~/.cache/ferry (FERRY_CACHE in the scripts). */
  cacheDir?: string;
}

export function defaultCacheDir(): string {
  return join(homedir(), ".cache", "ferry");
}

/** Absolute path of a tool binary recorded in the index, or a ToolNotFoundError. */
export function toolPath(name: string, opts: ToolsOptions = {}): string {
  const index = join(opts.cacheDir ?? defaultCacheDir(), "tools.json");
  if (!existsSync(index)) throw new ToolNotFoundError(name, `no tool index at ${index}`);
  const tools = JSON.parse(readFileSync(index, "utf8")) as Record<string, string>;
  const p = tools[name];
  if (!p) throw new ToolNotFoundError(name, `not listed in ${index}`);
  if (!existsSync(p)) throw new ToolNotFoundError(name, `${p} does not exist`);
  return p;
}

/** Like toolPath, but undefined when absent (for optional peers). */
export function findTool(name: string, opts: ToolsOptions = {}): string | undefined {
  try {
    return toolPath(name, opts);
  } catch {
    return undefined;
  }
}
