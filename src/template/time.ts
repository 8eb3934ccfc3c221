/**
 * The slice of Go's `time` package the template functions need: `time.Time.String()`, Go reference-layout
 * formatting and parsing (`2006-01-02T15:04:05Z07:00` style) for the common layout elements, and
 * `time.Duration` parsing and printing. Times are UTC unless a fixed offset is parsed.
 */
import { type FuncMap, fn } from "./funcs.ts";
import { GoNamedInt, GoNumber, GoTime } from "./values.ts";

export const months = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
export const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function p2(n: number): string {
  return String(n).padStart(2, "0");
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  ns: number;
  weekday: number;
  yday: number;
}

function parts(t: GoTime): Parts {
  const d = new Date(t.date.getTime() + t.offsetMinutes * 60_000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    ns: d.getUTCMilliseconds() * 1_000_000,
    weekday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - start) / 86_400_000) + 1,
  };
}

export function zoneOffset(t: GoTime, colon: boolean, z: boolean, seconds = false): string {
  if (z && t.offsetMinutes === 0) return "Z";
  const sign = t.offsetMinutes < 0 ? "-" : "+";
  const a = Math.abs(t.offsetMinutes);
  const s = `${p2(Math.floor(a / 60))}${colon ? ":" : ""}${p2(a % 60)}`;
  return sign + s + (seconds ? (colon ? ":00" : "00") : "");
}

const tokens = [
  "January",
  "Monday",
  "2006",
  "-070000",
  "-07:00:00",
  "Z070000",
  "Z07:00:00",
  "-0700",
  "-07:00",
  "Z0700",
  "Z07:00",
  "-07",
  "Z07",
  "Jan",
  "Mon",
  "MST",
  "002",
  "__2",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "_2",
  "PM",
  "pm",
  "1",
  "2",
  "3",
  "4",
  "5",
];

export function nextToken(layout: string, i: number): string | undefined {
  for (const t of tokens) if (layout.startsWith(t, i)) return t;
  if (/^[.,][09]+/.test(layout.slice(i)) && /^[.,](0+|9+)(?![0-9])/.test(layout.slice(i))) {
    const m = /^[.,](0+|9+)/.exec(layout.slice(i));
    return m?.[0];
  }
  return undefined;
}

/** time.Time.Format with a Go reference layout. */
export function formatLayout(t: GoTime, layout: string): string {
  const p = parts(t);
  let out = "";
  let i = 0;
  while (i < layout.length) {
    const tok = nextToken(layout, i);
    if (tok === undefined) {
      out += layout[i];
      i++;
      continue;
    }
    i += tok.length;
    switch (tok) {
      case "January":
        out += months[p.month - 1];
        break;
      case "Jan":
        out += months[p.month - 1]?.slice(0, 3);
        break;
      case "Monday":
        out += days[p.weekday];
        break;
      case "Mon":
        out += days[p.weekday]?.slice(0, 3);
        break;
      case "2006":
        out += String(p.year).padStart(4, "0");
        break;
      case "06":
        out += p2(p.year % 100);
        break;
      case "01":
        out += p2(p.month);
        break;
      case "1":
        out += String(p.month);
        break;
      case "02":
        out += p2(p.day);
        break;
      case "2":
        out += String(p.day);
        break;
      case "_2":
        out += String(p.day).padStart(2, " ");
        break;
      case "002":
        out += String(p.yday).padStart(3, "0");
        break;
      case "__2":
        out += String(p.yday).padStart(3, " ");
        break;
      case "15":
        out += p2(p.hour);
        break;
      case "03":
        out += p2(p.hour % 12 === 0 ? 12 : p.hour % 12);
        break;
      case "3":
        out += String(p.hour % 12 === 0 ? 12 : p.hour % 12);
        break;
      case "04":
        out += p2(p.min);
        break;
      case "4":
        out += String(p.min);
        break;
      case "05":
        out += p2(p.sec);
        break;
      case "5":
        out += String(p.sec);
        break;
      case "PM":
        out += p.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += p.hour >= 12 ? "pm" : "am";
        break;
      case "MST":
        out += t.zone;
        break;
      case "-0700":
        out += zoneOffset(t, false, false);
        break;
      case "-07:00":
        out += zoneOffset(t, true, false);
        break;
      case "-07":
        out += zoneOffset(t, false, false).slice(0, 3);
        break;
      case "-070000":
        out += zoneOffset(t, false, false, true);
        break;
      case "-07:00:00":
        out += zoneOffset(t, true, false, true);
        break;
      case "Z0700":
        out += zoneOffset(t, false, true);
        break;
      case "Z07:00":
        out += zoneOffset(t, true, true);
        break;
      case "Z07":
        out += t.offsetMinutes === 0 ? "Z" : zoneOffset(t, false, false).slice(0, 3);
        break;
      case "Z070000":
        out += zoneOffset(t, false, true, true);
        break;
      case "Z07:00:00":
        out += zoneOffset(t, true, true, true);
        break;
      default: {
        // fractional seconds
        const digits = tok.length - 1;
        let frac = String(p.ns).padStart(9, "0").slice(0, digits);
        if (tok[1] === "9") {
          frac = frac.replace(/0+$/, "");
          if (frac) out += tok[0] + frac;
        } else out += tok[0] + frac;
      }
    }
  }
  return out;
}

/** RFC 3339 with nanoseconds, as encoding/json writes a time.Time. */
export function formatRFC3339Nano(t: GoTime): string {
  return formatLayout(t, "2006-01-02T15:04:05.999999999Z07:00");
}

/** time.Time.String(). */
export function formatTime(t: GoTime): string {
  return formatLayout(t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

/** time.Duration.String(). */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    if (u < 1e3) out = `${u}ns`;
    else if (u < 1e6) out = `${trimFrac(u / 1e3)}µs`;
    else out = `${trimFrac(u / 1e6)}ms`;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    const s = `${trimFrac(u / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFrac(n: number): string {
  return n.toFixed(9).replace(/\.?0+$/, "");
}

const units: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration. */
export function parseDuration(s: string): number {
  const bad = (): never => {
    throw new Error(`time: invalid duration ${quoteDuration(s)}`);
  };
  let rest = s;
  let neg = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    neg = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") bad();
  let total = 0;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
    if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) bad();
    const mm = m as RegExpExecArray;
    rest = rest.slice(mm[0].length);
    const u = /^(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!u) {
      if (rest === "") throw new Error(`time: missing unit in duration ${quoteDuration(s)}`);
      const unk = /^[^0-9.]+/.exec(rest)?.[0] ?? rest;
      throw new Error(`time: unknown unit ${quoteDuration(unk)} in duration ${quoteDuration(s)}`);
    }
    const uu = u as RegExpExecArray;
    rest = rest.slice(uu[0].length);
    total += Number(`${mm[1] || "0"}.${mm[2] ?? "0"}`) * (units[uu[0]] ?? 1);
  }
  return Math.round(neg ? -total : total);
}

function quoteDuration(s: string): string {
  return `"${s}"`;
}

/** The methods of time.Time a template can call (`(toDate "2006-01-02" .d).Year`). */
export function timeMethods(t: GoTime): FuncMap {
  const p = parts(t);
  const ms = t.date.getTime();
  const int = (n: number) => new GoNumber(n, "int");
  return {
    Year: fn([], () => int(p.year)),
    Month: fn([], () => new GoNamedInt(p.month, "time.Month", months[p.month - 1] as string)),
    Day: fn([], () => int(p.day)),
    Hour: fn([], () => int(p.hour)),
    Minute: fn([], () => int(p.min)),
    Second: fn([], () => int(p.sec)),
    Nanosecond: fn([], () => int(p.ns)),
    YearDay: fn([], () => int(p.yday)),
    Weekday: fn([], () => new GoNamedInt(p.weekday, "time.Weekday", days[p.weekday] as string)),
    Unix: fn([], () => Math.floor(ms / 1000)),
    UnixMilli: fn([], () => ms),
    UnixNano: fn([], () => BigInt(ms) * 1000000n),
    Format: fn(["string"], (layout: string) => formatLayout(t, layout)),
    String: fn([], () => formatTime(t)),
    UTC: fn([], () => new GoTime(t.date, 0, "UTC")),
    Local: fn([], () => new GoTime(t.date, 0, "UTC")),
    IsZero: fn(
      [],
      () =>
        p.year === 1 &&
        p.month === 1 &&
        p.day === 1 &&
        p.hour === 0 &&
        p.min === 0 &&
        p.sec === 0 &&
        p.ns === 0,
    ),
    AddDate: fn(["int", "int", "int"], (y: GoNumber, m: GoNumber, d: GoNumber) => {
      const x = new Date(ms + t.offsetMinutes * 60_000);
      x.setUTCFullYear(x.getUTCFullYear() + y.value, x.getUTCMonth() + m.value, x.getUTCDate() + d.value);
      return new GoTime(new Date(x.getTime() - t.offsetMinutes * 60_000), t.offsetMinutes, t.zone);
    }),
    Before: fn(["time"], (u: GoTime) => ms < u.date.getTime()),
    After: fn(["time"], (u: GoTime) => ms > u.date.getTime()),
    Equal: fn(["time"], (u: GoTime) => ms === u.date.getTime()),
  };
}
