/**
 * Flux's `--no-remote-bases` (set by a multitenant FluxInstance): a Kustomization may only build what its
 * source artifact holds. Walks the kustomize tree from the build folder — every `resources`, `components`
 * and `bases` entry of each kustomization file, and every subfolder of a folder Flux generates the
 * kustomization for — and returns the first entry that is remote (a git or http URL).
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { isLocalRelativePath } from "../../render/index.ts";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export interface RemoteBase {
  /** The kustomization file naming it, relative to the artifact root. */
  file: string;
  entry: string;
}

async function isDir(path: string): Promise<boolean> {
  return await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function kustomizationFile(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const name = KUSTOMIZATION_FILES.find((f) => names.includes(f));
  return name ? join(dir, name) : undefined;
}

function entriesOf(text: string): string[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return []; // kustomize reports a malformed file itself
  }
  if (!doc || typeof doc !== "object") return [];
  const d = doc as Record<string, unknown>;
  return ["resources", "components", "bases"].flatMap((k) =>
    Array.isArray(d[k]) ? (d[k] as unknown[]).filter((e): e is string => typeof e === "string") : [],
  );
}

/** The first remote base reachable from `dir` (inside `root`, the artifact), or undefined when all is local. */
export async function findRemoteBase(
  root: string,
  dir: string,
  opts: { signal: AbortSignal },
): Promise<RemoteBase | undefined> {
  const seen = new Set<string>();
  const queue = [resolve(dir)];
  while (queue.length > 0) {
    opts.signal.throwIfAborted();
    const current = queue.shift() as string;
    if (seen.has(current) || !current.startsWith(resolve(root))) continue;
    seen.add(current);
    const file = await kustomizationFile(current);
    if (!file) {
      // Flux generates this folder's kustomization from its YAML files and subfolders.
      for (const e of await readdir(current, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) queue.push(join(current, e.name));
      }
      continue;
    }
    for (const entry of entriesOf(await readFile(file, "utf8"))) {
      // Absolute paths are not remote: kustomize's own load restrictions refuse them.
      if (!isLocalRelativePath(entry) && !isAbsolute(entry.replace(/^file:\/\//, ""))) {
        return { file: file.slice(resolve(root).length + 1), entry };
      }
      const target = resolve(current, entry);
      if (await isDir(target)) queue.push(target);
    }
  }
  return undefined;
}
