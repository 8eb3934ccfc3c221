/** TemplateError: a parse or execution failure, with Go's message text and where it happened. */
import { FerryError } from "../errors/index.ts";

export class TemplateError extends FerryError {
  override name = "TemplateError";
  /** Template the failure is located in (the parse name, as Go reports it). */
  readonly template: string;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** 0-based byte column within the line (Go's convention), for execution errors. */
  readonly column: number | undefined;
  /** The action being executed (Go's `<…>` context), for execution errors. */
  readonly action: string | undefined;
  /** "parse" or "exec". */
  readonly phase: "parse" | "exec";
  constructor(
    message: string,
    opts: {
      template: string;
      phase: "parse" | "exec";
      line?: number;
      column?: number;
      action?: string;
      cause?: unknown;
    },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.template = opts.template;
    this.phase = opts.phase;
    this.line = opts.line;
    this.column = opts.column;
    this.action = opts.action;
  }
}
