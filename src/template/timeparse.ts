/**
 * Go's time.Parse for reference layouts (`2006-01-02T15:04:05Z07:00` style), with Go's error texts
 * (`cannot parse "x" as "2006"`, `month out of range`). Times without a zone are UTC.
 */
import { days, months, nextToken, zoneOffset } from "./time.ts";
import { GoTime } from "./values.ts";

/** time.ParseInLocation(layout, value, UTC) for numeric layouts; throws the Go error text on mismatch. */
export function parseLayout(layout: string, value: string): GoTime {
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let ms = 0;
  let pm: boolean | undefined;
  let offset = 0;
  let zone = "UTC";
  let i = 0;
  let j = 0;
  let elem = "";
  const fail = (): never => {
    throw new Error(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(value.slice(j))} as ${JSON.stringify(elem)}`,
    );
  };
  const num = (min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(value.slice(j));
    if (!m) fail();
    j += (m as RegExpExecArray)[0].length;
    return Number((m as RegExpExecArray)[0]);
  };
  while (i < layout.length) {
    const tok = nextToken(layout, i);
    if (tok === undefined) {
      // Go reports a literal mismatch against the layout text up to the next element.
      let k = i;
      while (k < layout.length && nextToken(layout, k) === undefined) k++;
      elem = layout.slice(i, k);
      if (value[j] !== layout[i]) fail();
      i++;
      j++;
      continue;
    }
    elem = tok;
    switch (tok) {
      case "2006":
        year = num(4, 4);
        break;
      case "06":
        year = 1900 + num(2, 2);
        if (year < 1969) year += 100;
        break;
      case "01":
        month = num(2, 2);
        break;
      case "1":
        month = num(1, 2);
        break;
      case "January":
      case "Jan": {
        const idx = months.findIndex((m) => value.slice(j).startsWith(tok === "Jan" ? m.slice(0, 3) : m));
        if (idx < 0) fail();
        j += tok === "Jan" ? 3 : (months[idx] ?? "").length;
        month = idx + 1;
        break;
      }
      case "Monday":
      case "Mon": {
        const idx = days.findIndex((d) => value.slice(j).startsWith(tok === "Mon" ? d.slice(0, 3) : d));
        if (idx < 0) fail();
        j += tok === "Mon" ? 3 : (days[idx] ?? "").length;
        break;
      }
      case "02":
        day = num(2, 2);
        break;
      case "2":
        day = num(1, 2);
        break;
      case "_2":
        if (value[j] === " ") j++;
        day = num(1, 2);
        break;
      case "15":
        hour = num(1, 2);
        break;
      case "03":
      case "3":
        hour = num(tok.length, 2);
        break;
      case "04":
      case "4":
        min = num(tok.length, 2);
        break;
      case "05":
      case "5": {
        sec = num(tok.length, 2);
        // Go accepts fractional seconds after seconds even when the layout has none.
        const m = /^[.,](\d+)/.exec(value.slice(j));
        if (m && !/^[.,][09]/.test(layout.slice(i + tok.length))) {
          ms = Math.floor(Number(`0.${m[1]}`) * 1000);
          j += m[0].length;
        }
        break;
      }
      case "PM":
      case "pm": {
        const s = value.slice(j, j + 2).toUpperCase();
        if (s !== "AM" && s !== "PM") fail();
        pm = s === "PM";
        j += 2;
        break;
      }
      case "MST": {
        const m = /^[A-Z]{3,5}/.exec(value.slice(j));
        if (!m) fail();
        zone = (m as RegExpExecArray)[0];
        j += zone.length;
        break;
      }
      default:
        if (tok.startsWith("Z") || tok.startsWith("-")) {
          if (tok.startsWith("Z") && value[j] === "Z") {
            j++;
            offset = 0;
            break;
          }
          const m = /^([+-])(\d\d):?(\d\d)?(?::?(\d\d))?/.exec(value.slice(j));
          if (!m) fail();
          const mm = m as RegExpExecArray;
          offset = (mm[1] === "-" ? -1 : 1) * (Number(mm[2]) * 60 + Number(mm[3] ?? 0));
          j += mm[0].length;
          zone = "";
          break;
        }
        {
          const m = /^[.,](\d+)/.exec(value.slice(j));
          if (m) {
            ms = Math.floor(Number(`0.${m[1]}`) * 1000);
            j += m[0].length;
          } else if (tok[1] === "0") fail();
        }
    }
    i += tok.length;
  }
  if (j < value.length) {
    throw new Error(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(value.slice(j))}`);
  }
  if (month < 1 || month > 12) throw new Error(`parsing time ${JSON.stringify(value)}: month out of range`);
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysIn) throw new Error(`parsing time ${JSON.stringify(value)}: day out of range`);
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  const utc = Date.UTC(year, month - 1, day, hour, min, sec, ms) - offset * 60_000;
  const d = new Date(utc);
  if (year < 100) d.setUTCFullYear(year);
  return new GoTime(d, offset, zone === "" ? zoneOffset(new GoTime(d, offset, ""), false, false) : zone);
}
