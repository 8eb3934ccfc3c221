/**
 * The source tree as fluxcd/pkg/tar walks it: depth first, entries of each folder sorted by the bytes of
 * their names (Go's filepath.WalkDir), the root itself first as `.`; symlinks and other non-regular,
 * non-directory entries skipped (as `flux push artifact` does without --resolve-symlinks); ignored paths
 * (gitignore syntax, from `ignorePaths` then the root `.sourceignore`) left out; `.git` always left out.
 * A single file is presented as flux stages it: a root folder holding that one file.
 */
import { type Dirent, lstatSync, type Stats } from "node:fs";
import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import ignore, { type Ignore } from "ignore";
import { SourcePathError } from "./errors.ts";
import { DEFAULT_IGNORE_PATHS } from "./format.ts";

export interface WalkOptions {
  /** Gitignore patterns; default DEFAULT_IGNORE_PATHS (what `flux push artifact` ignores by default). */
  ignorePaths?: readonly string[] | undefined;
  /** Also read `.sourceignore` at the root of a folder source. Default true. */
  sourceIgnore?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export interface SourceEntry {
  /** Slash-separated path inside the archive; `.` for the root. */
  name: string;
  type: "file" | "dir";
  /** mode & 0o7777 */
  mode: number;
  size: number;
  /** Absolute path on disk (files only). */
  path?: string;
}

/** Mode flux gives the staged copy of a single file (os.OpenFile with the file's bits, under umask 022). */
const SINGLE_FILE_UMASK = 0o022;
/** os.MkdirTemp creates the staging folder with 0700. */
const SINGLE_FILE_ROOT_MODE = 0o700;

function compareBytes(a: Dirent, b: Dirent): number {
  return Buffer.compare(Buffer.from(a.name, "utf8"), Buffer.from(b.name, "utf8"));
}

async function statSource(path: string): Promise<Stats> {
  try {
    return await lstat(path);
  } catch (err) {
    throw new SourcePathError(path, "does not exist or cannot be read", err);
  }
}

/** lstat without a thread-pool round trip (one per entry adds up on large trees). */
function lstatEntry(path: string): Stats {
  try {
    return lstatSync(path);
  } catch (err) {
    throw new SourcePathError(path, "disappeared or cannot be read while packing", err);
  }
}

/** Builds the ignore matcher for a source folder. */
export async function sourceMatcher(root: string, opts: WalkOptions = {}): Promise<Ignore> {
  const ig = ignore().add([...(opts.ignorePaths ?? DEFAULT_IGNORE_PATHS)]);
  if (opts.sourceIgnore !== false) {
    try {
      ig.add(await readFile(join(root, ".sourceignore"), "utf8"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new SourcePathError(join(root, ".sourceignore"), "cannot be read", err);
      }
    }
  }
  return ig;
}

/** Every entry that goes into the artifact, in archive order. */
export async function* walkSource(sourcePath: string, opts: WalkOptions = {}): AsyncGenerator<SourceEntry> {
  const root = resolve(sourcePath);
  let st = await statSource(root);
  if (st.isSymbolicLink()) {
    // The source argument itself may be a link (flux os.Stat's it); only entries inside are skipped.
    try {
      st = await stat(root);
    } catch (err) {
      throw new SourcePathError(root, "is a dangling symlink", err);
    }
  }
  if (st.isFile()) {
    const ig = ignore().add([...(opts.ignorePaths ?? DEFAULT_IGNORE_PATHS)]);
    yield { name: ".", type: "dir", mode: SINGLE_FILE_ROOT_MODE, size: 0 };
    const name = basename(root);
    if (name !== ".git" && !ig.ignores(name)) {
      yield { name, type: "file", mode: st.mode & 0o7777 & ~SINGLE_FILE_UMASK, size: st.size, path: root };
    }
    return;
  }
  if (!st.isDirectory()) throw new SourcePathError(root, "is neither a directory nor a regular file");
  const ig = await sourceMatcher(root, opts);
  yield { name: ".", type: "dir", mode: st.mode & 0o7777, size: 0 };
  yield* walkDir(root, "", ig, opts.signal);
}

async function* walkDir(
  abs: string,
  rel: string,
  ig: Ignore,
  signal?: AbortSignal,
): AsyncGenerator<SourceEntry> {
  signal?.throwIfAborted();
  let entries: Dirent[];
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (err) {
    throw new SourcePathError(abs, "cannot be listed", err);
  }
  entries.sort(compareBytes);
  for (const d of entries) {
    if (!d.isFile() && !d.isDirectory()) continue;
    if (d.name === ".git") continue;
    const name = rel ? `${rel}/${d.name}` : d.name;
    if (ig.ignores(d.isDirectory() ? `${name}/` : name)) continue;
    const path = join(abs, d.name);
    const st = lstatEntry(path);
    if (d.isDirectory()) {
      yield { name, type: "dir", mode: st.mode & 0o7777, size: 0 };
      yield* walkDir(path, name, ig, signal);
    } else {
      yield { name, type: "file", mode: st.mode & 0o7777, size: st.size, path };
    }
  }
}
