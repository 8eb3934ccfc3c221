/**
 * A writable stand-in for a read-only directory: `mirrorDir(dir, files)` creates a temporary tree whose path
 * is the temporary root followed by the absolute path of `dir`. Every ancestor of `dir` is a real folder
 * whose other entries are symlinks to the originals, and `dir` itself holds symlinks to its entries except
 * the `files` written fresh. Relative references (`../base`) and absolute ones resolve as in the original,
 * nothing is copied, and stripping the temporary root from a path in an error message gives the real path.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, parse, resolve } from "node:path";

export interface Mirror {
  /** The stand-in for `dir`. */
  readonly dir: string;
  /** The temporary root: remove this prefix from a path to get the real path. */
  readonly root: string;
  dispose(): Promise<void>;
}

export async function mirrorDir(
  dir: string,
  files: Record<string, string>,
  opts: { signal?: AbortSignal } = {},
): Promise<Mirror> {
  const real = resolve(dir);
  const root = await mkdtemp(join(tmpdir(), "ferry-render-"));
  try {
    const fsRoot = parse(real).root;
    // Walk from the filesystem root down to `dir`, mirroring each level.
    const levels: string[] = [];
    for (let p = real; ; p = dirname(p)) {
      levels.unshift(p);
      if (p === fsRoot) break;
    }
    for (const [i, level] of levels.entries()) {
      opts.signal?.throwIfAborted();
      const target = join(root, level);
      await mkdir(target, { recursive: true });
      const keep = i + 1 < levels.length ? parse(levels[i + 1] as string).base : undefined;
      const isLeaf = i === levels.length - 1;
      let entries: string[] = [];
      try {
        entries = await readdir(level);
      } catch {
        // An unreadable ancestor (permissions) is left empty: only what is below it matters.
      }
      for (const name of entries) {
        if (name === keep) continue;
        if (isLeaf && name in files) continue;
        await symlink(join(level, name), join(target, name));
      }
    }
    const leaf = join(root, real);
    for (const [name, content] of Object.entries(files)) await writeFile(join(leaf, name), content);
    return { dir: leaf, root, dispose: () => rm(root, { recursive: true, force: true }) };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
