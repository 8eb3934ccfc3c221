/**
 * Which artifact an OCIRepository asks for, with source-controller's precedence: `ref.digest`, then
 * `ref.semver` (tags filtered by `ref.semverFilter`, highest match), then `ref.tag`, then `latest`. The
 * revision is `<tag>@<digest>` for tags and the bare digest for digest references.
 */
import { describe } from "../../errors/index.ts";
import {
  formatReference,
  NotFoundError,
  type OciClient,
  parseReference,
  type Reference,
} from "../../oci/index.ts";
import { maxSatisfying, parseConstraint } from "../../semver/index.ts";
import { OCIRepositoryError, Reasons } from "./errors.ts";

export interface RefSpec {
  digest?: string | undefined;
  semver?: string | undefined;
  semverFilter?: string | undefined;
  tag?: string | undefined;
}

export interface ResolvedRef {
  /** The reference by digest (what is pulled and verified). */
  reference: Reference & { digest: string };
  /** `tag@sha256:…`, or `sha256:…` for a digest reference. */
  revision: string;
  digest: string;
  tag?: string | undefined;
}

/** Parses `spec.url` (oci://host/repo, no tag or digest). */
export function parseRepositoryURL(object: string, url: string): Reference {
  const invalid = (detail: string, cause?: unknown) =>
    new OCIRepositoryError(
      object,
      "FetchFailed",
      Reasons.urlInvalid,
      `URL validation failed for '${url}': ${detail}`,
      {
        cause,
        stalled: true,
      },
    );
  if (!url.startsWith("oci://")) throw invalid("URL must be in format 'oci://<domain>/<org>/<repo>'");
  let ref: Reference;
  try {
    ref = parseReference(url);
  } catch (err) {
    throw invalid(describe(err), err);
  }
  if (ref.tag || ref.digest) {
    throw invalid(
      `URL must not contain a tag or digest; remove ':${ref.tag ?? ref.digest}' and use spec.ref`,
    );
  }
  return ref;
}

function filterTags(object: string, tags: string[], filter: string | undefined): string[] {
  if (!filter) return tags;
  let re: RegExp;
  try {
    re = new RegExp(filter);
  } catch (err) {
    throw new OCIRepositoryError(
      object,
      "FetchFailed",
      Reasons.readOperationFailed,
      `spec.ref.semverFilter '${filter}' is not a valid regular expression: ${describe(err)}`,
      { cause: err, stalled: true },
    );
  }
  return tags.filter((t) => re.test(t));
}

export async function resolveRef(
  object: string,
  client: OciClient,
  repo: Reference,
  ref: RefSpec | undefined,
  opts: { signal: AbortSignal },
): Promise<ResolvedRef> {
  const url = `oci://${formatReference(repo)}`;
  if (ref?.digest) {
    return { reference: { ...repo, digest: ref.digest }, revision: ref.digest, digest: ref.digest };
  }
  let tag = ref?.tag || "latest";
  if (ref?.semver) {
    const readFailed = (detail: string, cause?: unknown, stalled = false) =>
      new OCIRepositoryError(
        object,
        "FetchFailed",
        Reasons.readOperationFailed,
        `failed to determine the artifact tag for '${url}': ${detail}`,
        { cause, stalled },
      );
    let constraint: ReturnType<typeof parseConstraint>;
    try {
      constraint = parseConstraint(ref.semver);
    } catch (err) {
      throw readFailed(`semver '${ref.semver}' parse error: ${describe(err)}`, err, true);
    }
    let tags: string[];
    try {
      tags = await client.listTags(repo, { signal: opts.signal });
    } catch (err) {
      throw readFailed(describe(err), err);
    }
    const best = maxSatisfying(filterTags(object, tags, ref.semverFilter), constraint);
    if (!best) throw readFailed(`no match found for semver: ${ref.semver}`);
    tag = best.tag;
  }
  let digest: string;
  try {
    const head = await client.headManifest({ ...repo, tag }, { signal: opts.signal });
    digest = head.digest;
  } catch (err) {
    const detail =
      err instanceof NotFoundError
        ? `tag '${tag}' not found in ${formatReference(repo)}; push it or fix spec.ref`
        : describe(err);
    throw new OCIRepositoryError(
      object,
      "FetchFailed",
      Reasons.pullFailed,
      `failed to determine artifact digest: ${detail}`,
      { cause: err },
    );
  }
  return { reference: { ...repo, digest }, revision: `${tag}@${digest}`, digest, tag };
}
