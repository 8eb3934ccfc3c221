/**
 * diff: compares a local folder (packed with the same walk and ignore rules as push) with the content of
 * an artifact, file by file: added, removed and modified paths. Timestamps and owners never count.
 */
import { diffTrees, isEmptyDiff, sourceTree, type TreeDiff, tarballTree } from "../artifact/index.ts";
import { formatReference, type OciClient, type Reference } from "../oci/index.ts";
import { getArtifactManifest, type OpOptions, openContentLayer, repoName } from "./common.ts";

export interface DiffOptions extends OpOptions {
  path: string;
  ignorePaths?: readonly string[] | undefined;
  sourceIgnore?: boolean | undefined;
}

export interface DiffResult extends TreeDiff {
  equal: boolean;
  repository: string;
  digest: string;
}

export async function diffArtifact(
  client: OciClient,
  ref: Reference,
  opts: DiffOptions,
): Promise<DiffResult> {
  const art = await getArtifactManifest(client, ref, opts);
  const remote = await tarballTree(await openContentLayer(client, art, opts), {
    what: formatReference(ref),
    signal: opts.signal,
  });
  const local = await sourceTree(opts.path, {
    ignorePaths: opts.ignorePaths,
    sourceIgnore: opts.sourceIgnore,
    signal: opts.signal,
  });
  const d = diffTrees(remote, local);
  return { ...d, equal: isEmptyDiff(d), repository: repoName(ref), digest: art.digest };
}
