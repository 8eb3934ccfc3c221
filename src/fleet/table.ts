/**
 * Aligned text tables as `kubectl` and `flux` print them (upper-case headers, columns padded and separated
 * by three spaces, no borders), with optional ANSI colour per cell that never affects the alignment.
 * Colour is the caller's choice (the CLI turns it on for a terminal only).
 */

export type Color = "red" | "green" | "yellow" | "dim" | "bold";

export interface Cell {
  text: string;
  color?: Color | undefined;
}

const CODES: Record<Color, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  dim: [2, 22],
  bold: [1, 22],
};

export function paint(text: string, color: Color | undefined, on: boolean): string {
  if (!on || !color || text === "") return text;
  const [open, close] = CODES[color];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Rows under an upper-case header (as given with `keepHeaderCase`, e.g. when it names clusters); every line ends with a newline, trailing blanks trimmed. */
export function table(
  header: readonly string[],
  rows: readonly (readonly (string | Cell)[])[],
  opts: { color?: boolean; keepHeaderCase?: boolean } = {},
): string {
  const cell = (c: string | Cell | undefined): Cell =>
    typeof c === "string" ? { text: c } : (c ?? { text: "" });
  const all: Cell[][] = [
    header.map((h) => ({ text: opts.keepHeaderCase ? h : h.toUpperCase() })),
    ...rows.map((r) => r.map(cell)),
  ];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i]?.text ?? "").length)));
  return all
    .map((r) => {
      const line = header
        .map((_, i) => {
          const c = r[i] ?? { text: "" };
          const pad = " ".repeat(Math.max(0, (widths[i] ?? 0) - c.text.length));
          return i === header.length - 1
            ? paint(c.text, c.color, !!opts.color)
            : paint(c.text, c.color, !!opts.color) + pad;
        })
        .join("   ");
      return `${line.trimEnd()}\n`;
    })
    .join("");
}

/** One line of free text: newlines folded, cut to `max` characters with an ellipsis. */
export function oneLine(text: string, max = 120): string {
  const s = text.replace(/\s*\n\s*/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
