/** strconv.Unquote for Go string, raw string and rune literals, with Go's error text ("invalid syntax"). */

const simple: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

export function unquoteGo(s: string): string {
  const bad = (): never => {
    throw new Error("invalid syntax");
  };
  if (s.length < 2) bad();
  const q = s[0];
  if (q !== s[s.length - 1]) bad();
  const body = s.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) bad();
    return body.replace(/\r/g, "");
  }
  if (q !== '"' && q !== "'") bad();
  let out = "";
  for (let i = 0; i < body.length; ) {
    const c = body[i] as string;
    if (c === q || (c === "\n" && q === '"')) bad();
    if (c !== "\\") {
      const cp = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      out += ch;
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) bad();
    const ee = e as string;
    if (simple[ee] !== undefined) {
      out += simple[ee];
      i += 2;
    } else if (ee === q) {
      out += ee;
      i += 2;
    } else if (ee === "x" || ee === "u" || ee === "U") {
      const n = ee === "x" ? 2 : ee === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) bad();
      const v = Number.parseInt(hex, 16);
      if (ee !== "x" && (v > 0x10ffff || (v >= 0xd800 && v < 0xe000))) bad();
      out += String.fromCodePoint(v);
      i += 2 + n;
    } else if (ee >= "0" && ee <= "7") {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) bad();
      const v = Number.parseInt(oct, 8);
      if (v > 255) bad();
      out += String.fromCodePoint(v);
      i += 4;
    } else bad();
  }
  if (q === "'" && [...out].length !== 1) bad();
  return out;
}
