/** What every command receives from the entry point: streams, environment and cancellation. */
import type { Writable } from "node:stream";

export interface CliContext {
  /** The process environment, read here once; library code takes explicit options instead. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** Working directory used to resolve relative paths. */
  readonly cwd: string;
  /** Exit code a command sets when it ends normally but wants a non-zero status (e.g. `diff` found changes). */
  exitCode: number;
}

export function write(stream: Writable, text: string): void {
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
}
