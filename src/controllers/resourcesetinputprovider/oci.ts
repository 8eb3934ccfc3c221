/**
 * The OCIArtifactTag provider: lists the tags of `spec.url` (pull secrets from `spec.secretRef` and the
 * image pull secrets of `spec.serviceAccountName`, `spec.insecure`), filters them and exports one input per
 * tag — `{id, tag, digest}` over `spec.defaultValues`, `id` being the Adler-32 of the tag, as flux-operator.
 */
import type { KubeClient } from "../../kube/index.ts";
import { OciClient, parseReference } from "../../oci/index.ts";
import { inputId } from "../../render/resourceset/index.ts";
import { pullCredentials } from "../ocirepository/credentials.ts";
import { type CompiledTagFilter, filterTags } from "./filter.ts";

export interface OCITagsOptions {
  kube: KubeClient;
  /** `namespace/name` of the provider (messages). */
  object: string;
  namespace: string;
  url: string;
  secretRef?: { name: string } | undefined;
  serviceAccountName?: string | undefined;
  insecure?: boolean | undefined;
  filter: CompiledTagFilter;
  defaults: Record<string, unknown>;
  signal: AbortSignal;
  timeoutMs?: number | undefined;
}

export async function ociTagInputs(o: OCITagsOptions): Promise<Array<Record<string, unknown>>> {
  const repo = o.url.replace(/^oci:\/\//, "");
  const credentials = await pullCredentials(
    o.kube,
    o.object,
    o.namespace,
    { secretRef: o.secretRef, serviceAccountName: o.serviceAccountName },
    { signal: o.signal },
  );
  const client = new OciClient({ credentials, insecure: o.insecure === true, timeoutMs: o.timeoutMs });
  const ref = parseReference(repo);
  let tags: string[];
  try {
    tags = await client.listTags(ref, { signal: o.signal });
  } catch (err) {
    throw new Error(`failed to list OCI tags for '${repo}': ${(err as Error).message}`, { cause: err });
  }
  const out: Array<Record<string, unknown>> = [];
  for (const tag of filterTags(tags, o.filter)) {
    let digest: string;
    try {
      digest = await client.resolve({ ...ref, tag }, { signal: o.signal });
    } catch (err) {
      throw new Error(
        `failed to get digest for tag '${tag}' in repository '${repo}': ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    out.push({ ...structuredClone(o.defaults), id: inputId(tag), tag, digest });
  }
  return out;
}
