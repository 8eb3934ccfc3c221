/**
 * list: the tags of a repository with the digest, source, revision and created annotations of the
 * artifact each points at; optionally only tags satisfying a semver range (Flux/Masterminds semantics,
 * highest first) or matching a regular expression.
 */
import { UsageError } from "../errors/index.ts";
import { type OciClient, type Reference, UnsupportedMediaTypeError, withTag } from "../oci/index.ts";
import { parseConstraint, satisfies, sortTagsDescending } from "../semver/index.ts";
import { getArtifactManifest, type OpOptions } from "./common.ts";
import { NotAnArtifactError } from "./errors.ts";

export interface ListOptions extends OpOptions {
  /** Semver range, e.g. `>=1.0.0 <2.0.0` or `1.x`. */
  semver?: string | undefined;
  /** Regular expression the tag must match. */
  filterRegex?: string | undefined;
  /** Manifests fetched at once. Default 8. */
  concurrency?: number | undefined;
}

export interface ListedArtifact {
  tag: string;
  digest: string;
  source?: string | undefined;
  revision?: string | undefined;
  created?: string | undefined;
}

function compileRegex(re: string): RegExp {
  try {
    return new RegExp(re);
  } catch (err) {
    throw new UsageError(
      `--filter-regex "${re}" is not a valid regular expression: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** The tags to show, in output order. */
export function selectTags(
  tags: readonly string[],
  opts: Pick<ListOptions, "semver" | "filterRegex">,
): string[] {
  let out = [...tags];
  if (opts.filterRegex !== undefined) {
    const re = compileRegex(opts.filterRegex);
    out = out.filter((t) => re.test(t));
  }
  if (opts.semver !== undefined) {
    const c = parseConstraint(opts.semver);
    out = sortTagsDescending(out)
      .map((t) => t.tag)
      .filter((t) => satisfies(t, c));
  } else {
    out.sort();
  }
  return out;
}

/** One row; tags that are not Flux artifacts (signature indexes, images) get their digest only. */
async function describeTag(
  client: OciClient,
  repo: Reference,
  tag: string,
  opts: OpOptions,
): Promise<ListedArtifact> {
  try {
    const art = await getArtifactManifest(client, withTag(repo, tag), opts);
    return {
      tag,
      digest: art.digest,
      source: art.metadata.source,
      revision: art.metadata.revision,
      created: art.metadata.created,
    };
  } catch (err) {
    if (!(err instanceof NotAnArtifactError || err instanceof UnsupportedMediaTypeError)) throw err;
    return { tag, digest: (await client.headManifest(withTag(repo, tag), { signal: opts.signal })).digest };
  }
}

export async function listArtifacts(
  client: OciClient,
  repo: Reference,
  opts: ListOptions = {},
): Promise<ListedArtifact[]> {
  selectTags([], opts); // bad --semver / --filter-regex fail before any request
  const tags = selectTags(await client.listTags(repo, { signal: opts.signal }), opts);
  const out: ListedArtifact[] = new Array(tags.length);
  let next = 0;
  const worker = async () => {
    while (next < tags.length) {
      const i = next++;
      const tag = tags[i] ?? "";
      out[i] = await describeTag(client, repo, tag, opts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, tags.length) }, worker));
  return out;
}
