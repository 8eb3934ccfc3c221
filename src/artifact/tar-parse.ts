/**
 * Tar parsing: uncompressed tar bytes in, one header plus its content at a time out. USTAR (with the
 * name prefix), GNU (long names `L`/`K`, base-256 sizes) and PAX (`x` records for path, linkpath and
 * size; `g` records merged into later `x` records) are read; headers are checked (checksum, magic, size).
 * Zero blocks are skipped and everything after the end-of-archive marker is read and ignored, so a stream
 * that verifies its digest at its end is always read to the end. No path checks and no limits here:
 * read.ts applies them to what this yields.
 */
import { InvalidArchiveError } from "./errors.ts";

export interface RawHeader {
  /** Name as written (prefix joined, long names and PAX applied); not normalized. */
  name: string;
  /**
   * "file", "link", "symlink", "character-device", "block-device", "directory", "fifo",
   * "contiguous-file", or "unknown" for a type flag this parser does not know (see `flag`).
   */
  type: string;
  /** The type flag character as written. */
  flag: string;
  mode: number;
  size: number;
  linkname: string;
}

export interface RawEntry {
  header: RawHeader;
  /** The content, in chunks as they arrive; whatever is not read is skipped before the next entry. */
  content: AsyncGenerator<Buffer>;
}

const BLOCK = 512;
/** PAX and GNU long-name records are held in memory: larger ones are refused. */
const MAX_META = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

const TYPES: Record<string, string> = {
  "0": "file",
  "\0": "file",
  "1": "link",
  "2": "symlink",
  "3": "character-device",
  "4": "block-device",
  "5": "directory",
  "6": "fifo",
  "7": "contiguous-file",
};

/** PAX extended (x) and global (g) headers, GNU long name (L) and long link name (K): folded into the next entry. */
const META_FLAGS = new Set(["x", "g", "L", "K"]);

/** Reads exact byte counts out of a stream of chunks, keeping views into the chunks (no copies). */
class ByteReader {
  readonly #it: AsyncIterator<Buffer>;
  readonly #what: string;
  #buf: Buffer = EMPTY;
  #done = false;
  constructor(source: AsyncIterable<Buffer>, what: string) {
    this.#it = source[Symbol.asyncIterator]();
    this.#what = what;
  }

  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    const r = await this.#it.next();
    if (r.done) {
      this.#done = true;
      return false;
    }
    this.#buf = this.#buf.length === 0 ? r.value : Buffer.concat([this.#buf, r.value]);
    return true;
  }

  unexpectedEnd(): InvalidArchiveError {
    return new InvalidArchiveError(this.#what, "unexpected end of data");
  }

  /** Exactly `n` bytes; undefined when the stream ended cleanly before any of them. */
  async exact(n: number): Promise<Buffer | undefined> {
    while (this.#buf.length < n) {
      if (!(await this.#fill())) {
        if (this.#buf.length === 0) return undefined;
        throw this.unexpectedEnd();
      }
    }
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** Between 1 and `n` bytes, as much as one chunk holds; undefined at the end. */
  async upTo(n: number): Promise<Buffer | undefined> {
    if (this.#buf.length === 0 && !(await this.#fill())) return undefined;
    const out = this.#buf.subarray(0, Math.min(n, this.#buf.length));
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }

  async skip(n: number): Promise<void> {
    for (let left = n; left > 0; ) {
      const b = await this.upTo(left);
      if (!b) throw this.unexpectedEnd();
      left -= b.length;
    }
  }

  /** Reads and drops the rest of the stream. */
  async drain(): Promise<void> {
    this.#buf = EMPTY;
    while (await this.#fill()) this.#buf = EMPTY;
  }
}

function cstring(block: Buffer, offset: number, size: number): string {
  const end = block.indexOf(0, offset);
  return block.toString("utf8", offset, end < 0 || end > offset + size ? offset + size : end);
}

/** An octal field (leading spaces and NULs allowed, ended by a space or NUL), or base-256 (GNU). */
function numeric(block: Buffer, offset: number, size: number): number {
  const first = block[offset] ?? 0;
  if (first & 0x80) {
    if (first !== 0x80) return Number.NaN; // negative
    let n = 0;
    for (let i = offset + 1; i < offset + size; i++) n = n * 256 + (block[i] ?? 0);
    return n;
  }
  let i = offset;
  const end = offset + size;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let n = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] ?? 0;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : n;
}

function checksumOk(block: Buffer): boolean {
  const stored = numeric(block, 148, 8);
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const b = block[i] ?? 0;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function decodeHeader(block: Buffer, what: string): RawHeader {
  if (!checksumOk(block)) {
    throw new InvalidArchiveError(what, "invalid tar header checksum; is it really a tarball?");
  }
  const magic = block.toString("latin1", 257, 263);
  const ustar = magic === "ustar\0";
  const gnu = magic === "ustar " && block.toString("latin1", 263, 265) === " \0";
  if (!ustar && !gnu) throw new InvalidArchiveError(what, "invalid tar header: unknown format");
  let name = cstring(block, 0, 100);
  if (ustar && block[345] !== 0) name = `${cstring(block, 345, 155)}/${name}`;
  const flag = String.fromCharCode(block[156] ?? 0);
  let type = TYPES[flag] ?? "unknown";
  // Old archives mark folders only by a trailing slash.
  if (type === "file" && name.endsWith("/")) type = "directory";
  const size = numeric(block, 124, 12);
  if (!Number.isSafeInteger(size) || size < 0) throw new InvalidArchiveError(what, "invalid tar entry size");
  return { name, type, flag, mode: numeric(block, 100, 8), size, linkname: cstring(block, 157, 100) };
}

/** PAX records: `<length> <key>=<value>\n`, repeated. */
function decodePax(buf: Buffer, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < buf.length) {
    const space = buf.indexOf(0x20, off);
    const len = space < 0 ? Number.NaN : Number(buf.toString("latin1", off, space));
    if (!Number.isSafeInteger(len) || len <= 0 || off + len > buf.length) {
      // Trailing NUL padding ends the records; anything else is malformed.
      if (buf.subarray(off).every((b) => b === 0)) break;
      throw new InvalidArchiveError(what, "invalid PAX record");
    }
    const record = buf.toString("utf8", space + 1, off + len - 1);
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    off += len;
  }
  return out;
}

function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** Metadata records seen since the last entry, folded into the next one. */
interface Pending {
  longName?: string | undefined;
  longLink?: string | undefined;
  pax?: Record<string, string> | undefined;
  paxGlobal?: Record<string, string> | undefined;
}

async function readMeta(r: ByteReader, header: RawHeader, state: Pending, what: string): Promise<void> {
  if (header.size > MAX_META) throw new InvalidArchiveError(what, "tar metadata record too large");
  const data = Buffer.from((await r.exact(header.size)) ?? EMPTY);
  if (data.length < header.size) throw r.unexpectedEnd();
  await r.skip(padding(header.size));
  if (header.flag === "x") state.pax = { ...state.paxGlobal, ...decodePax(data, what) };
  else if (header.flag === "g") state.paxGlobal = decodePax(data, what);
  else {
    const end = data.indexOf(0);
    const text = data.toString("utf8", 0, end < 0 ? data.length : end);
    if (header.flag === "L") state.longName = text;
    else state.longLink = text;
  }
}

function applyMeta(header: RawHeader, state: Pending, what: string): void {
  if (state.longName !== undefined) header.name = state.longName;
  if (state.longLink !== undefined) header.linkname = state.longLink;
  const pax = state.pax;
  if (pax?.path) header.name = pax.path;
  if (pax?.linkpath) header.linkname = pax.linkpath;
  if (pax?.size) {
    const size = Number(pax.size);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new InvalidArchiveError(what, "invalid PAX size record");
    header.size = size;
  }
  state.longName = undefined;
  state.longLink = undefined;
  state.pax = undefined;
}

/** Types whose size field is ignored and that carry no data, as Go's archive/tar (flux) reads them. */
const HEADER_ONLY = new Set(["link", "symlink", "character-device", "block-device", "directory", "fifo"]);

/** Yields the entries of an uncompressed tar stream. Errors are InvalidArchiveError. */
export async function* parseTar(source: AsyncIterable<Buffer>, what: string): AsyncGenerator<RawEntry> {
  const r = new ByteReader(source, what);
  const state: Pending = {};
  for (;;) {
    const block = await r.exact(BLOCK);
    if (!block) return;
    if (isZero(block)) continue;
    const header = decodeHeader(block, what);
    if (META_FLAGS.has(header.flag)) {
      await readMeta(r, header, state, what);
      continue;
    }
    applyMeta(header, state, what);
    const size = HEADER_ONLY.has(header.type) ? 0 : header.size;
    let left = size;
    const content = (async function* () {
      while (left > 0) {
        const chunk = await r.upTo(left);
        if (!chunk) throw r.unexpectedEnd();
        left -= chunk.length;
        yield chunk;
      }
    })();
    yield { header, content };
    // What the caller did not read is skipped, then the padding to the next block.
    await content.return(undefined);
    await r.skip(left + padding(size));
  }
}
