/**
 * Exact decimal expansion of a float64 and Go's rounding of it (half to even on exact ties), which
 * `toFixed`/`toExponential` do not do (they round ties away from zero): 2.5 → "2", 0.25 → "0.2" in Go.
 */

export interface Decimal {
  /** Significant digits, no leading or trailing zeros ("" for zero). */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

/** Exact decimal digits of |f| (f finite). */
export function exactDecimal(f: number): Decimal {
  const a = Math.abs(f);
  if (a === 0) return { d: "", dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (bexp === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = bexp - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  const trimmed = digits.replace(/0+$/, "");
  const lead = trimmed.length - trimmed.replace(/^0+/, "").length;
  return { d: trimmed.slice(lead), dp: dp - lead };
}

/** Rounds to nd significant digits, Go's way. */
export function roundDecimal(x: Decimal, nd: number): Decimal {
  if (nd < 0) return { d: "", dp: 0 };
  if (nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) {
    const d = x.d.slice(0, nd).replace(/0+$/, "");
    return { d, dp: d === "" ? 0 : x.dp };
  }
  // Round up: increment the kept digits.
  const kept = x.d.slice(0, nd).split("");
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === "9") {
    kept[i] = "0";
    i--;
  }
  if (i < 0) return { d: "1", dp: x.dp + 1 };
  kept[i] = String.fromCharCode((kept[i] as string).charCodeAt(0) + 1);
  return { d: kept.join("").replace(/0+$/, ""), dp: x.dp };
}

function digitAt(x: Decimal, i: number): string {
  return i >= 0 && i < x.d.length ? (x.d[i] as string) : "0";
}

/** %e with prec fraction digits. */
export function formatE(f: number, prec: number): string {
  const x = roundDecimal(exactDecimal(f), prec + 1);
  let s = digitAt(x, 0);
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += digitAt(x, i);
  }
  const exp = x.d === "" ? 0 : x.dp - 1;
  return `${s}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** %f with prec fraction digits. */
export function formatF(f: number, prec: number): string {
  const x0 = exactDecimal(f);
  const x = roundDecimal(x0, x0.dp + prec);
  let s = "";
  if (x.dp > 0) for (let i = 0; i < x.dp; i++) s += digitAt(x, i);
  else s = "0";
  if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) s += digitAt(x, x.dp + i);
  }
  return s;
}

/** Digits and exponent for %g with precision prec (significant digits). */
export function roundedSignificant(f: number, prec: number): [string, number] {
  const x = roundDecimal(exactDecimal(f), prec);
  if (x.d === "") return ["0", 0];
  return [x.d, x.dp - 1];
}
