/**
 * Structured logs: one JSON object per line (`ts`, `level`, `msg`, then fields), written to a stream the
 * caller owns (the CLI passes stderr). Levels below the threshold are dropped. Callers never pass secrets.
 */
import type { Writable } from "node:stream";

export const LOG_LEVELS = ["debug", "info", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger adding `fields` to every line. */
  with(fields: Record<string, unknown>): Logger;
}

export function jsonLogger(
  out: Writable,
  level: LogLevel = "info",
  base: Record<string, unknown> = {},
): Logger {
  const min = LOG_LEVELS.indexOf(level);
  const write = (l: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(l) < min) return;
    const line = { ts: new Date().toISOString(), level: l, msg, ...base, ...fields };
    out.write(`${JSON.stringify(line, (_k, v) => (v instanceof Error ? v.message : v))}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    error: (m, f) => write("error", m, f),
    with: (f) => jsonLogger(out, level, { ...base, ...f }),
  };
}

/** A logger that drops everything (library default). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  error: () => {},
  with: () => silentLogger,
};
