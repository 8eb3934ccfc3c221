/**
 * Reads and writes release records in a namespace through the Kubernetes API, as Helm's Secret driver:
 * list by labels `owner=helm,name=<release>`, create a new version, update one (status changes), delete.
 */
import { createObject, deleteObject, type KubeClient, listObjects, replaceObject } from "../kube/index.ts";
import { type Release, releaseFromSecret, releaseSecret, releaseSecretName } from "./release.ts";

export interface StorageOptions {
  signal: AbortSignal;
}

/** Every stored version of a release, oldest first. */
export async function listReleases(
  client: KubeClient,
  namespace: string,
  name: string,
  opts: StorageOptions,
): Promise<Release[]> {
  const { items } = await listObjects(client, "v1", "Secret", {
    signal: opts.signal,
    namespace,
    labelSelector: `owner=helm,name=${name}`,
  });
  return items
    .filter((s) => (s as { type?: string }).type === "helm.sh/release.v1")
    .map((s) => releaseFromSecret(s))
    .sort((a, b) => a.version - b.version);
}

export async function createRelease(
  client: KubeClient,
  namespace: string,
  r: Release,
  opts: StorageOptions,
): Promise<void> {
  const s = releaseSecret(r, namespace, { createdAt: String(Math.floor(Date.now() / 1000)) });
  await createObject(client, s, { signal: opts.signal });
}

export async function updateRelease(
  client: KubeClient,
  namespace: string,
  r: Release,
  opts: StorageOptions,
): Promise<void> {
  const s = releaseSecret(r, namespace, { modifiedAt: String(Math.floor(Date.now() / 1000)) });
  await replaceObject(client, s, { signal: opts.signal });
}

export async function deleteRelease(
  client: KubeClient,
  namespace: string,
  name: string,
  version: number,
  opts: StorageOptions,
): Promise<void> {
  await deleteObject(
    client,
    { apiVersion: "v1", kind: "Secret", metadata: { namespace, name: releaseSecretName(name, version) } },
    { signal: opts.signal },
  );
}
