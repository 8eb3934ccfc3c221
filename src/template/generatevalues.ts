/**
 * Test support: seeded generators of values for the differential tests — JSON-shaped data with strings
 * that stress YAML/JSON encoders, and branch/tenant-like names for slugify.
 */

/** Strings that stress YAML and JSON encoders: type look-alikes, indicators, blanks, breaks, non-ASCII. */
const trickyStrings = [
  "",
  " ",
  "a",
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "~",
  "null",
  "true",
  "1",
  "1.0",
  "-1",
  "+1",
  "0x1f",
  "012",
  "08",
  "1e3",
  ".5",
  "1_000",
  "1:30",
  "2024-01-02",
  "2024-1-2 3:04:05",
  "a: b",
  "a:b",
  "- x",
  "-x",
  "? q",
  "#c",
  "a #c",
  "a#c",
  "'q'",
  '"dq"',
  "x\ny",
  "x\n",
  "\nx",
  "x  \ny",
  "tab\tx",
  "😀",
  "é",
  "[a]",
  "{b}",
  "&a",
  "*a",
  "!t",
  "|",
  ">",
  "%",
  "@",
  "`",
  "---",
  "...",
  "a,b",
  "  lead",
  "trail  ",
  "multi\nline\ntext\n\n",
  "\u00a0nbsp",
  "line\r\nwin",
  "<<",
  "=",
  "key with spaces",
];
const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "iota", "kappa", "lambda"];

/** A random JSON-shaped value (nested maps and lists, tricky and long strings, ints, floats, booleans, null). */
export function randomJsonValue(next: () => number, depth = 0): unknown {
  const pick = <T>(a: T[]): T => a[Math.floor(next() * a.length)] as T;
  const x = next();
  if (depth > 3 || x < 0.45) {
    const y = next();
    if (y < 0.45) return pick(trickyStrings);
    if (y < 0.6) {
      const n = 5 + Math.floor(next() * 25);
      const sep = pick([" ", " ", "  ", ": ", " #", "-"]);
      return Array.from({ length: n }, () => pick(words)).join(sep);
    }
    if (y < 0.7) return Math.floor(next() * 2000) - 1000;
    if (y < 0.8) return pick([0.5, 1.25, -3.75, 1e-7, 123456.789, 1e21, 2.5e-5, 100000.5]);
    if (y < 0.9) return next() < 0.5;
    return null;
  }
  if (x < 0.75) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(next() * 5);
    for (let i = 0; i < n; i++) {
      const key =
        next() < 0.3
          ? pick(trickyStrings)
          : pick(words) + (next() < 0.3 ? String(Math.floor(next() * 20)) : "");
      o[key] = randomJsonValue(next, depth + 1);
    }
    return o;
  }
  return Array.from({ length: Math.floor(next() * 4) }, () => randomJsonValue(next, depth + 1));
}

const slugParts = [
  "Team",
  "a",
  "B",
  "-",
  "_",
  " ",
  "  ",
  "--",
  "__",
  "&",
  "@",
  "!",
  ".",
  "/",
  "é",
  "Ü",
  "ß",
  "ø",
  "Æ",
  "ñ",
  "Ç",
  "1",
  "42",
  "x_y",
  "Foo-Bar",
  "\t",
  "ĳ",
  "œ",
  "Ł",
  "đ",
  "ð",
  "þ",
  "ı",
  "ﬁ",
  "²",
  "½",
  "Ⅳ",
  "™",
  "©",
  "€",
  "–",
  "—",
  "’",
  "“",
  "feature/JIRA-123_fix",
  "release-1.2.3",
];

/** A random branch/tenant-like name for slugify: ASCII words, separators, Latin letters with marks, symbols. */
export function randomSlugInput(next: () => number): string {
  const n = 1 + Math.floor(next() * 25);
  return Array.from({ length: n }, () => slugParts[Math.floor(next() * slugParts.length)]).join("");
}
