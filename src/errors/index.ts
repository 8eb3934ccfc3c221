/**
 * Errors: the base class every Ferry error extends.
 *
 * A Ferry error is an `Error` subclass with a stable `name`, a message that says what failed and what to
 * do about it, readonly context fields set by the subclass, and the underlying `cause`. The CLI prints the
 * message alone (and the cause chain with `--verbose`); library callers switch on `instanceof` or `name`.
 * This module does not log, format or exit: that is the CLI's job.
 */

export class FerryError extends Error {
  override name = "FerryError";
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;
}

/** The user asked for something the command cannot do as written (bad flag, bad value, malformed reference). */
export class UsageError extends FerryError {
  override name = "UsageError";
  override readonly exitCode: number = 2;
}

/** Walks `cause` links, outermost first; stops on cycles. */
export function causeChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  let cur: unknown = err;
  while (cur !== undefined && cur !== null && !seen.has(cur)) {
    out.push(cur);
    seen.add(cur);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}

/** One line for a thrown value, whatever it is. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
