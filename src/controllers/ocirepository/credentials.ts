/**
 * Registry credentials of an OCIRepository, as source-controller finds them: the `spec.secretRef` Secret
 * (type `kubernetes.io/dockerconfigjson`, or the older `.dockercfg`) and the image pull secrets of
 * `spec.serviceAccountName`. Entries match the registry host; nothing found means anonymous access.
 * Secret values never appear in errors.
 */
import { describe } from "../../errors/index.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { anonymous, type Credential, type CredentialProvider } from "../../oci/index.ts";
import { OCIRepositoryError, Reasons } from "./errors.ts";

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

function hostOf(key: string): string {
  let k = key.replace(/^[a-z]+:\/\//i, "");
  const slash = k.indexOf("/");
  if (slash >= 0) k = k.slice(0, slash);
  return k.toLowerCase();
}

function decode(data: Record<string, string> | undefined, key: string): string | undefined {
  const v = data?.[key];
  return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
}

/** The `auths` of a pull secret; a malformed secret is an error naming the secret (never its content). */
export function parsePullSecret(object: string, secret: KubeObject): Record<string, AuthEntry> {
  const name = `${secret.metadata.namespace}/${secret.metadata.name}`;
  const data = secret.data as Record<string, string> | undefined;
  const json = decode(data, ".dockerconfigjson");
  const legacy = decode(data, ".dockercfg");
  try {
    if (json !== undefined) return (JSON.parse(json) as { auths?: Record<string, AuthEntry> }).auths ?? {};
    if (legacy !== undefined) return JSON.parse(legacy) as Record<string, AuthEntry>;
  } catch (err) {
    throw new OCIRepositoryError(
      object,
      "FetchFailed",
      Reasons.authenticationFailed,
      `failed to get credential: secret '${name}' does not hold valid Docker config JSON; recreate it with kubectl create secret docker-registry`,
      { cause: err },
    );
  }
  throw new OCIRepositoryError(
    object,
    "FetchFailed",
    Reasons.authenticationFailed,
    `failed to get credential: secret '${name}' has no .dockerconfigjson key; use a secret of type kubernetes.io/dockerconfigjson`,
  );
}

function entryCredential(e: AuthEntry, source: string): Credential | undefined {
  if (e.identitytoken) return { identityToken: e.identitytoken, source };
  if (e.username !== undefined && e.password !== undefined) {
    return { username: e.username, password: e.password, source };
  }
  if (e.auth) {
    const text = Buffer.from(e.auth, "base64").toString("utf8");
    const i = text.indexOf(":");
    if (i > 0) return { username: text.slice(0, i), password: text.slice(i + 1), source };
  }
  return undefined;
}

async function getSecret(
  kube: KubeClient,
  object: string,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<KubeObject> {
  let s: KubeObject | undefined;
  try {
    s = await getObject(
      kube,
      { apiVersion: "v1", kind: "Secret", metadata: { name, namespace } },
      { signal },
    );
  } catch (err) {
    throw new OCIRepositoryError(
      object,
      "FetchFailed",
      Reasons.authenticationFailed,
      `failed to get credential: failed to get secret '${namespace}/${name}': ${describe(err)}`,
      { cause: err },
    );
  }
  if (!s) {
    throw new OCIRepositoryError(
      object,
      "FetchFailed",
      Reasons.authenticationFailed,
      `failed to get credential: failed to get secret '${namespace}/${name}': secrets "${name}" not found`,
    );
  }
  return s;
}

/** Names of the Secrets an OCIRepository reads for pulling (for watches); service account secrets excluded. */
export interface PullSpec {
  secretRef?: { name: string } | undefined;
  serviceAccountName?: string | undefined;
}

/** A credential provider from the pull secrets of `spec`; anonymous when there are none. */
export async function pullCredentials(
  kube: KubeClient,
  object: string,
  namespace: string,
  spec: PullSpec,
  opts: { signal: AbortSignal },
): Promise<CredentialProvider> {
  const secrets: KubeObject[] = [];
  if (spec.secretRef?.name) {
    secrets.push(await getSecret(kube, object, namespace, spec.secretRef.name, opts.signal));
  }
  if (spec.serviceAccountName) {
    const sa = await getObject(
      kube,
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: spec.serviceAccountName, namespace } },
      opts,
    ).catch((err: unknown) => {
      throw new OCIRepositoryError(
        object,
        "FetchFailed",
        Reasons.authenticationFailed,
        `failed to get credential: failed to get service account '${namespace}/${spec.serviceAccountName}': ${describe(err)}`,
        { cause: err },
      );
    });
    if (!sa) {
      throw new OCIRepositoryError(
        object,
        "FetchFailed",
        Reasons.authenticationFailed,
        `failed to get credential: service account '${namespace}/${spec.serviceAccountName}' not found; create it or fix spec.serviceAccountName`,
      );
    }
    for (const ref of (sa.imagePullSecrets as Array<{ name?: string }> | undefined) ?? []) {
      if (ref.name) secrets.push(await getSecret(kube, object, namespace, ref.name, opts.signal));
    }
  }
  if (secrets.length === 0) return anonymous;
  const byHost = new Map<string, Credential>();
  for (const s of secrets) {
    const source = `secret ${namespace}/${s.metadata.name}`;
    for (const [key, entry] of Object.entries(parsePullSecret(object, s))) {
      const c = entryCredential(entry, source);
      const host = hostOf(key);
      if (c && !byHost.has(host)) byHost.set(host, c);
    }
  }
  return {
    name: `pull secrets of OCIRepository ${object}`,
    get: async (registry) => byHost.get(registry.toLowerCase()),
  };
}
