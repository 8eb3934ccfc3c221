/**
 * gosimple/slug's Make as Flux Operator configures it (English substitutions, lowercase, max length 63
 * with smart truncation at a dash). Transliteration covers Latin letters with diacritics (NFKD) and a few
 * ligatures; other scripts become dashes (gosimple/unidecode transliterates them — a known difference).
 */

const extra: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  Æ: "AE",
  ø: "o",
  Ø: "O",
  œ: "oe",
  Œ: "OE",
  đ: "d",
  Đ: "D",
  ł: "l",
  Ł: "L",
  þ: "th",
  Þ: "TH",
  ð: "d",
  Ð: "D",
  ı: "i",
  // Symbols, as gosimple/unidecode transliterates them (observed against the Go oracle).
  "©": "(c)",
  "®": "(r)",
  "™": "",
  "’": "",
  "€": "EU",
  "£": "PS",
  "¥": "Y=",
  "¢": "C/",
  "°": "deg",
  "×": "x",
  "÷": "/",
  "§": "SS",
  "¶": "P",
  µ: "u",
};

export function slugify(s: string, maxLength = 63): string {
  let slug = s.trim();
  slug = [...slug].map((c) => (c === "&" ? "and" : c === "@" ? "at" : c)).join("");
  slug = [...slug]
    .map((c) => extra[c] ?? c)
    .join("")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "");
  slug = slug.toLowerCase();
  slug = slug.replace(/[^a-zA-Z0-9\-_]/g, "-");
  slug = slug.replace(/-+/g, "-");
  slug = slug.replace(/^[-_]+|[-_]+$/g, "");
  if (maxLength > 0 && slug.length > maxLength) {
    let cut = -1;
    for (let i = maxLength; i >= 0; i--) {
      if (slug[i] === "-") {
        cut = i;
        break;
      }
    }
    slug = cut >= 0 ? slug.slice(0, cut) : slug.slice(0, maxLength);
  }
  return slug;
}
