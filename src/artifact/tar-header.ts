/**
 * Tar headers written byte for byte as Go's archive/tar writes them for fluxcd/pkg/tar: USTAR when the
 * name is ASCII and fits (directly or split into prefix/name), PAX with a `path` record otherwise; zero
 * uid/gid/mtime, empty user and group names, numeric fields in zero-padded octal ended by NUL, checksum as
 * six octal digits, NUL, space. Only regular files and directories are ever written.
 */

export const BLOCK = 512;
const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
/** Largest size a USTAR octal field holds (11 digits); Ferry never packs files that large. */
export const MAX_USTAR_SIZE = 0o77777777777;

export interface TarEntryHeader {
  /** Slash-separated path relative to the archive root (`.` for the root). */
  name: string;
  type: "file" | "dir";
  /** Permission bits plus setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  size: number;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || c === 0) return false;
  }
  return true;
}

function toAscii(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80 && c !== 0) out += ch;
  }
  return out;
}

/** Go's splitUSTARPath: a prefix of at most 155 bytes and a name of at most 100, split at a slash. */
function splitUstarPath(name: string): [string, string] | undefined {
  let length = name.length;
  if (length <= NAME_SIZE || !isAscii(name)) return undefined;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === "/") length--;
  const i = name.slice(0, length).lastIndexOf("/");
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > NAME_SIZE || nlen === 0 || i > PREFIX_SIZE) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

function putString(block: Buffer, offset: number, size: number, s: string): void {
  const bytes = Buffer.from(s, "utf8");
  bytes.copy(block, offset, 0, Math.min(bytes.length, size));
  // Go writes a NUL after a shorter string; the block is zeroed already.
}

function putOctal(block: Buffer, offset: number, size: number, value: number): void {
  let s = value.toString(8);
  const pad = size - s.length - 1;
  if (pad > 0) s = "0".repeat(pad) + s;
  putString(block, offset, size, s);
}

function finish(block: Buffer): Buffer {
  block.write("ustar\0", 257, "latin1");
  block.write("00", 263, "latin1");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i] ?? 0;
  block.fill(0, 148, 156);
  putOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

/** The fields every real entry shares (Go's templateV7Plus). */
function mainHeader(name: string, prefix: string, h: TarEntryHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  putString(block, 0, NAME_SIZE, name);
  putOctal(block, 100, 8, h.mode);
  putOctal(block, 108, 8, 0);
  putOctal(block, 116, 8, 0);
  putOctal(block, 124, 12, h.type === "file" ? h.size : 0);
  putOctal(block, 136, 12, 0);
  block[156] = h.type === "file" ? 0x30 : 0x35;
  putOctal(block, 329, 8, 0);
  putOctal(block, 337, 8, 0);
  if (prefix) putString(block, 345, PREFIX_SIZE, prefix);
  return finish(block);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let size = bodyLen + String(bodyLen).length;
  if (String(size).length + bodyLen !== size) size = String(size).length + bodyLen;
  return `${size}${body}`;
}

function paxHeaderName(realName: string): string {
  const slash = realName.lastIndexOf("/");
  const dir = slash >= 0 ? realName.slice(0, slash) : "";
  const file = realName.slice(slash + 1);
  let name = toAscii([dir, "PaxHeaders.0", file].filter((p) => p !== "").join("/"));
  if (Buffer.byteLength(name) > NAME_SIZE) name = name.slice(0, NAME_SIZE);
  return name.replace(/\/+$/, "");
}

export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** The header block(s) for one entry: one USTAR block, or a PAX extended header plus the main block. */
export function encodeHeader(h: TarEntryHeader): Buffer {
  if (h.type === "file" && h.size > MAX_USTAR_SIZE) {
    throw new RangeError(
      `file ${h.name} is larger than ${MAX_USTAR_SIZE} bytes, the most a tar entry holds here`,
    );
  }
  const byteLen = Buffer.byteLength(h.name);
  if (isAscii(h.name) && byteLen <= NAME_SIZE) return mainHeader(h.name, "", h);
  const split = splitUstarPath(h.name);
  if (split) return mainHeader(split[1], split[0], h);
  const data = Buffer.from(paxRecord("path", h.name), "utf8");
  const pax = Buffer.alloc(BLOCK);
  putString(pax, 0, NAME_SIZE, paxHeaderName(h.name));
  putOctal(pax, 100, 8, 0);
  putOctal(pax, 108, 8, 0);
  putOctal(pax, 116, 8, 0);
  putOctal(pax, 124, 12, data.length);
  putOctal(pax, 136, 12, 0);
  pax[156] = 0x78;
  finish(pax);
  return Buffer.concat([pax, data, Buffer.alloc(padding(data.length)), mainHeader(toAscii(h.name), "", h)]);
}

/** Two zero blocks: the end of a tar archive as Go's tar.Writer.Close writes it (no record padding). */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);
