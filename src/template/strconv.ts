/**
 * The strconv half of Go's formatting: float64 to text ('e', 'f', 'g' with Go's rounding, shortest
 * round-trip digits, 'x' hex floats) and Go string quoting (strconv.Quote).
 */
import { formatE, formatF, roundedSignificant } from "./decimal.ts";

/** strconv.FormatFloat(f, fmt, prec, 64) for fmt in e E f F g G (prec -1 = shortest). */
export function formatFloat(f: number, fmt: string, prec: number, _sharp = false): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Number.POSITIVE_INFINITY) return "+Inf";
  if (f === Number.NEGATIVE_INFINITY) return "-Inf";
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  let out: string;
  switch (fmt) {
    case "e":
    case "E":
      out = expForm(a, prec);
      break;
    case "f":
    case "F":
      out = prec < 0 ? fixedShortest(a) : formatF(a, prec);
      break;
    default: {
      // %g: decide between %e and %f on the decimal exponent.
      let digits: string;
      let exp: number;
      if (prec < 0) {
        [digits, exp] = shortestDigits(a);
      } else {
        [digits, exp] = roundedSignificant(a, prec === 0 ? 1 : prec);
      }
      let eprec = prec === 0 ? 1 : prec;
      if (eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
      if (prec < 0) eprec = 6;
      if (exp < -4 || exp >= eprec) {
        out = fromDigitsExp(digits, exp);
      } else {
        out = fromDigitsFixed(digits, exp);
      }
    }
  }
  if (fmt === "E" || fmt === "G") out = out.toUpperCase();
  return (neg ? "-" : "") + out;
}

function splitExp(e: string): [string, number] {
  const [mant = "0", ex = "0"] = e.split("e");
  return [mant.replace(".", ""), Number(ex)];
}

function shortestDigits(a: number): [string, number] {
  if (a === 0) return ["0", 0];
  return splitExp(a.toExponential());
}

function expForm(a: number, prec: number): string {
  if (prec >= 0) return formatE(a, prec);
  const [digits, exp] = shortestDigits(a);
  return fromDigitsExp(digits, exp);
}

function fromDigitsExp(digits: string, exp: number): string {
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const sign = exp < 0 ? "-" : "+";
  return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function fromDigitsFixed(digits: string, exp: number): string {
  if (exp < 0) return `0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length);
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

function fixedShortest(a: number): string {
  const [digits, exp] = shortestDigits(a);
  return fromDigitsFixed(digits, exp);
}

/** strconv.FormatFloat(f, 'x', prec, 64): 0x1.4p+01. */
export function hexFloat(f: number, prec: number): string {
  if (!Number.isFinite(f)) return formatFloat(f, "g", -1);
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  if (a === 0) return `${neg ? "-" : ""}0x0${prec > 0 ? `.${"0".repeat(prec)}` : ""}p+00`;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  let exp = ((hi >>> 20) & 0x7ff) - 1023;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === -1023) {
    // subnormal: normalize
    exp = -1022;
    while ((mant & (1n << 52n)) === 0n) {
      mant <<= 1n;
      exp--;
    }
    mant &= (1n << 52n) - 1n;
  }
  let frac = mant.toString(16).padStart(13, "0");
  let lead = 1;
  if (prec >= 0 && prec < 13) {
    // round half to even on the hex digits
    const full = (1n << 52n) | mant;
    const shift = BigInt(52 - prec * 4);
    let q = full >> shift;
    const rem = full & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    if (q >> BigInt(prec * 4) >= 2n) {
      q >>= 1n;
      exp++;
    }
    lead = Number(q >> BigInt(prec * 4));
    frac = prec === 0 ? "" : (q & ((1n << BigInt(prec * 4)) - 1n)).toString(16).padStart(prec, "0");
  } else if (prec < 0) frac = frac.replace(/0+$/, "");
  else frac = frac.padEnd(prec, "0");
  const e = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return `${neg ? "-" : ""}0x${lead}${frac ? `.${frac}` : ""}p${e}`;
}

/** strconv.Quote (or QuoteToASCII with ascii). */
export function quoteGo(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c < 0x7f) out += ch;
    else if ((ascii || !isPrintable(c)) && c <= 0xffff) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else if (ascii || !isPrintable(c)) out += `\\U${c.toString(16).padStart(8, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function isPrintable(c: number): boolean {
  if (c >= 0x80 && c <= 0xa0) return false;
  if (c === 0xad) return false;
  if (c >= 0xd800 && c <= 0xdfff) return false;
  if (c >= 0x2028 && c <= 0x2029) return false;
  if (c >= 0x200b && c <= 0x200f) return false;
  if (c === 0xfeff || c === 0xfffe || c === 0xffff) return false;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/u.test(String.fromCodePoint(c));
}
