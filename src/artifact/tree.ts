/**
 * File-level summaries of a source tree and of a tarball, and their difference. Two trees are equal when
 * they hold the same paths with the same kind, the same content (sha256) and the same executable bit:
 * timestamps, owners, other permission bits and folder modes do not count.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { type ReadLimits, readTarball } from "./read.ts";
import { type WalkOptions, walkSource } from "./walk.ts";

export interface TreeFile {
  type: "file" | "dir" | "symlink";
  /** `sha256:<hex>` of a file's content, the target of a symlink, "" for folders. */
  digest: string;
  executable: boolean;
  size: number;
}

/** Path → file, for every entry below the root. */
export type Tree = Map<string, TreeFile>;

export interface TreeDiff {
  added: string[];
  removed: string[];
  modified: string[];
}

async function hashStream(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}

/** The tree a source folder (or file) would be packed as, with the same walk and ignore rules. */
export async function sourceTree(sourcePath: string, opts: WalkOptions = {}): Promise<Tree> {
  const tree: Tree = new Map();
  for await (const e of walkSource(sourcePath, opts)) {
    if (e.name === ".") continue;
    if (e.type === "dir") {
      tree.set(e.name, { type: "dir", digest: "", executable: false, size: 0 });
    } else {
      const digest = await hashStream(createReadStream(e.path ?? "", { signal: opts.signal }));
      tree.set(e.name, { type: "file", digest, executable: (e.mode & 0o111) !== 0, size: e.size });
    }
  }
  return tree;
}

/** The tree inside a gzipped tarball (checked and capped like an extraction; nothing is written). */
export async function tarballTree(input: Readable, limits: ReadLimits = {}): Promise<Tree> {
  const tree: Tree = new Map();
  const contents = new Map<string, TreeFile>();
  for await (const e of readTarball(input, limits)) {
    switch (e.type) {
      case "dir":
        tree.set(e.path, { type: "dir", digest: "", executable: false, size: 0 });
        break;
      case "file": {
        const f: TreeFile = {
          type: "file",
          digest: await hashStream(e.content),
          executable: (e.mode & 0o111) !== 0,
          size: e.size,
        };
        tree.set(e.path, f);
        contents.set(e.path, f);
        break;
      }
      case "symlink":
        tree.set(e.path, { type: "symlink", digest: e.linkname ?? "", executable: false, size: 0 });
        break;
      case "hardlink": {
        const target = contents.get(e.linkname ?? "");
        if (target) tree.set(e.path, { ...target });
        break;
      }
    }
  }
  // Archives may omit folder entries; their files imply them.
  for (const path of [...tree.keys()]) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!tree.has(dir)) tree.set(dir, { type: "dir", digest: "", executable: false, size: 0 });
    }
  }
  return tree;
}

function sameFile(a: TreeFile, b: TreeFile): boolean {
  return a.type === b.type && a.digest === b.digest && a.executable === b.executable;
}

/** What changes from `from` (e.g. the artifact) to `to` (e.g. the local folder), paths sorted. */
export function diffTrees(from: Tree, to: Tree): TreeDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const modified: string[] = [];
  for (const [path, file] of to) {
    const old = from.get(path);
    if (!old) added.push(path);
    else if (!sameFile(old, file)) modified.push(path);
  }
  for (const path of from.keys()) if (!to.has(path)) removed.push(path);
  return { added: added.sort(), removed: removed.sort(), modified: modified.sort() };
}

export function isEmptyDiff(d: TreeDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.modified.length === 0;
}
