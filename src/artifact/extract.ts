/**
 * Safe extraction of a gzipped tarball into a folder. Everything is written into a fresh temporary folder
 * next to the target and renamed into place only when the whole archive was read and checked, so a refused
 * or broken archive leaves nothing behind. Refused: absolute paths, `..`, symlinks whose target is absolute,
 * leaves the root or passes through another symlink, hardlinks to anything but an earlier regular file,
 * entries below a symlink, device files and FIFOs; the total size and the entry count are capped.
 */
import { randomBytes } from "node:crypto";
import { chmod, link, lstat, mkdir, open, readdir, rename, rm, rmdir, symlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { ExtractTargetError, UnsafeArchiveEntryError } from "./errors.ts";
import { type ReadLimits, readTarball } from "./read.ts";

export interface ExtractOptions extends ReadLimits {
  /** Replace a target folder that is not empty (the old content is removed once the new one is in place). */
  replace?: boolean | undefined;
}

export interface ExtractResult {
  files: number;
  dirs: number;
  symlinks: number;
  /** Content bytes written. */
  bytes: number;
}

async function targetState(target: string): Promise<"absent" | "empty" | "full"> {
  try {
    const st = await lstat(target);
    if (!st.isDirectory())
      throw new ExtractTargetError(target, "it exists and is not a folder; choose another path");
    return (await readdir(target)).length === 0 ? "empty" : "full";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw err;
  }
}

/** Checks a symlink's target: relative, inside the root, and not resolved through another symlink. */
function checkSymlink(path: string, linkname: string, symlinks: ReadonlySet<string>): void {
  if (linkname === "" || linkname.startsWith("/")) {
    throw new UnsafeArchiveEntryError(path, `symlink target "${linkname}" is empty or absolute`);
  }
  const stack = path.split("/").slice(0, -1);
  for (const part of linkname.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (stack.length === 0) {
        throw new UnsafeArchiveEntryError(
          path,
          `symlink target "${linkname}" points outside the extraction folder`,
        );
      }
      stack.pop();
      continue;
    }
    stack.push(part);
    if (symlinks.has(stack.join("/")) && stack.join("/") !== path) {
      throw new UnsafeArchiveEntryError(
        path,
        `symlink target "${linkname}" resolves through another symlink`,
      );
    }
  }
}

function underSymlink(
  path: string,
  symlinks: ReadonlyMap<string, string> | ReadonlySet<string>,
): string | undefined {
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    if (symlinks.has(prefix)) return prefix;
  }
  return undefined;
}

/** Extracts `input` (gzipped tar bytes) into `target`, atomically. */
export async function extractTarball(
  input: Readable,
  target: string,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const abs = resolve(target);
  const state = await targetState(abs);
  if (state === "full" && !opts.replace) {
    input.destroy();
    throw new ExtractTargetError(
      abs,
      "the folder is not empty; pass an empty or new folder, or ask to replace it",
    );
  }
  await mkdir(dirname(abs), { recursive: true });
  const tmp = join(dirname(abs), `.${basename(abs)}.ferry-${randomBytes(6).toString("hex")}`);
  await mkdir(tmp, { mode: 0o755 });
  const result: ExtractResult = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const symlinks = new Map<string, string>();
  const regular = new Set<string>();
  const dirModes = new Map<string, number>();
  const tree = new TempTree(tmp);
  try {
    for await (const entry of readTarball(input, opts)) {
      const below = underSymlink(entry.path, symlinks);
      if (below) throw new UnsafeArchiveEntryError(entry.path, `it lies below the symlink "${below}"`);
      const dest = join(tmp, entry.path);
      symlinks.delete(entry.path);
      regular.delete(entry.path);
      switch (entry.type) {
        case "dir": {
          if (await tree.prepare(entry.path, "dir")) await mkdir(dest, { mode: 0o755 });
          dirModes.set(entry.path, entry.mode);
          result.dirs++;
          break;
        }
        case "file": {
          await tree.prepare(entry.path, "file");
          const mode = entry.mode & 0o777 || 0o644;
          await writeFileFrom(entry.content, dest, mode, opts.signal);
          // Only bits the umask may have dropped need a second call.
          if (mode & 0o022) await chmod(dest, mode);
          regular.add(entry.path);
          result.files++;
          result.bytes += entry.size;
          break;
        }
        case "symlink":
          // Created at the end, so no entry can ever be written through a link.
          symlinks.set(entry.path, entry.linkname ?? "");
          break;
        case "hardlink": {
          const to = entry.linkname ?? "";
          if (!regular.has(to)) {
            throw new UnsafeArchiveEntryError(
              entry.path,
              `hardlink target "${to}" is not an earlier regular file in the archive`,
            );
          }
          await tree.prepare(entry.path, "file");
          await link(join(tmp, to), dest);
          regular.add(entry.path);
          result.files++;
          break;
        }
      }
    }
    const linkSet = new Set(symlinks.keys());
    for (const [path, linkname] of symlinks) {
      checkSymlink(path, linkname, linkSet);
      const below = underSymlink(path, linkSet);
      if (below) throw new UnsafeArchiveEntryError(path, `it lies below the symlink "${below}"`);
      const dest = join(tmp, path);
      await mkdir(dirname(dest), { recursive: true, mode: 0o755 });
      await rm(dest, { force: true, recursive: true });
      await symlink(linkname, dest);
      result.symlinks++;
    }
    // Deepest first, and always owner-writable/searchable so the tree can be cleaned up later.
    for (const [path, mode] of [...dirModes].sort((a, b) => b[0].length - a[0].length)) {
      await chmod(join(tmp, path), (mode & 0o777) | 0o700);
    }
    await moveIntoPlace(tmp, abs, state);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return result;
}

/**
 * What exists so far in the fresh temporary folder, so that each entry costs as few system calls as
 * possible: parents are created once, and only a path written earlier in this archive is removed.
 */
class TempTree {
  readonly #root: string;
  readonly #kinds = new Map<string, "dir" | "file">();
  constructor(root: string) {
    this.#root = root;
  }
  /** Makes room for `path`; true when a folder must still be created there. */
  async prepare(path: string, kind: "dir" | "file"): Promise<boolean> {
    const slash = path.lastIndexOf("/");
    if (slash > 0) await this.#ensureDir(path.slice(0, slash));
    const existing = this.#kinds.get(path);
    if (existing === "dir" && kind === "dir") return false;
    if (existing) await rm(join(this.#root, path), { recursive: true, force: true });
    if (existing === "dir")
      for (const p of this.#kinds.keys()) if (p.startsWith(`${path}/`)) this.#kinds.delete(p);
    this.#kinds.set(path, kind);
    return kind === "dir";
  }
  async #ensureDir(dir: string): Promise<void> {
    const kind = this.#kinds.get(dir);
    if (kind === "dir") return;
    if (kind === "file")
      throw new UnsafeArchiveEntryError(dir, "a later entry needs it to be a folder, but it is a file");
    const slash = dir.lastIndexOf("/");
    if (slash > 0) await this.#ensureDir(dir.slice(0, slash));
    await mkdir(join(this.#root, dir), { mode: 0o755 });
    this.#kinds.set(dir, "dir");
  }
}

/** Writes a stream to a new file (never through an existing path: O_EXCL). */
async function writeFileFrom(
  stream: AsyncIterable<Buffer>,
  dest: string,
  mode: number,
  signal?: AbortSignal,
): Promise<void> {
  const fh = await open(dest, "wx", mode);
  try {
    for await (const chunk of stream) {
      signal?.throwIfAborted();
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
}

async function moveIntoPlace(tmp: string, target: string, state: "absent" | "empty" | "full"): Promise<void> {
  if (state === "absent") {
    await rename(tmp, target);
    return;
  }
  if (state === "empty") {
    await rmdir(target);
    await rename(tmp, target);
    return;
  }
  const old = `${tmp}.old`;
  await rename(target, old);
  await rename(tmp, target);
  await rm(old, { recursive: true, force: true });
}
