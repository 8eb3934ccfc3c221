/**
 * The `fluxcd.controlplane.io/convertKubeConfigFrom: <ns>/<name>[:<key>]` annotation on rendered v1
 * ConfigMaps, as flux-operator resolves it: the kubeconfig in the Secret (key `kubeconfig`, else `value`,
 * or the named key) gives the first cluster's `server` and decoded `certificate-authority-data`, written as
 * the ConfigMap's `address` and `ca.crt` unless the template sets them (e.g. for Flux's remote clusters,
 * Cluster API secrets). The read goes through the caller's client.
 */
import { parse } from "yaml";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { ResourceSetError } from "./errors.ts";
import { Reasons } from "./status.ts";

export const CONVERT_KUBECONFIG_FROM = "fluxcd.controlplane.io/convertKubeConfigFrom";

/** `namespace/name` and the optional key of an annotation value (the key follows the last `:` after the `/`). */
export function parseKubeConfigRef(value: string): { ref: string; key?: string } {
  const colon = value.lastIndexOf(":");
  const slash = value.indexOf("/");
  if (colon > 0 && slash > 0 && colon > slash)
    return { ref: value.slice(0, colon), key: value.slice(colon + 1) };
  return { ref: value };
}

/** The first cluster's server and CA certificate (PEM) of a kubeconfig. */
export function kubeConfigFields(text: string): { server: string; caCert: string } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`failed to parse kubeconfig YAML: ${(err as Error).message}`, { cause: err });
  }
  const clusters = (doc as { clusters?: Array<{ name?: string; cluster?: Record<string, unknown> }> } | null)
    ?.clusters;
  if (!Array.isArray(clusters) || clusters.length === 0) throw new Error("no clusters found in kubeconfig");
  const out: Array<{ server: string; caCert: string }> = [];
  for (const c of clusters) {
    const server = c.cluster?.server;
    const ca = c.cluster?.["certificate-authority-data"];
    if (typeof server !== "string" || !server) {
      throw new Error(`server field is empty in kubeconfig cluster "${c.name ?? ""}"`);
    }
    if (typeof ca !== "string" || !ca) {
      throw new Error(`certificate-authority-data field is empty in kubeconfig cluster "${c.name ?? ""}"`);
    }
    out.push({ server, caCert: Buffer.from(ca, "base64").toString("utf8") });
  }
  return out[0] as { server: string; caCert: string };
}

function kubeconfigText(secret: KubeObject, key: string | undefined, ref: string): string {
  const data = (secret.data as Record<string, string> | undefined) ?? {};
  const pick = key !== undefined ? data[key] : (data.kubeconfig ?? data.value);
  if (pick === undefined) {
    throw new Error(
      key !== undefined
        ? `kubeconfig Secret/${ref} does not have '${key}' field`
        : `kubeconfig Secret/${ref} does not have 'kubeconfig' or 'value' field`,
    );
  }
  return Buffer.from(pick, "base64").toString("utf8");
}

/** Fills `address` and `ca.crt` into the annotated ConfigMaps, in place. */
export async function resolveConvertKubeConfig(
  kube: KubeClient,
  object: string,
  objects: KubeObject[],
  signal: AbortSignal,
): Promise<void> {
  for (const o of objects) {
    if (o.apiVersion !== "v1" || o.kind !== "ConfigMap") continue;
    const value = o.metadata.annotations?.[CONVERT_KUBECONFIG_FROM];
    if (value === undefined) continue;
    const { ref, key } = parseKubeConfigRef(value);
    const [namespace, name, ...rest] = ref.split("/");
    if (!namespace || !name || rest.length > 0) {
      throw new ResourceSetError(
        object,
        Reasons.failed,
        `invalid ${CONVERT_KUBECONFIG_FROM} annotation value '${value}' must be in the format 'namespace/name' or 'namespace/name:key'`,
      );
    }
    try {
      const secret = await getObject(
        kube,
        { apiVersion: "v1", kind: "Secret", metadata: { name, namespace } },
        { signal },
      );
      if (!secret) throw new Error(`failed to get kubeconfig Secret/${ref}: not found`);
      const text = kubeconfigText(secret, key, ref);
      let fields: { server: string; caCert: string };
      try {
        fields = kubeConfigFields(text);
      } catch (err) {
        throw new Error(
          `failed to extract fields from kubeconfig Secret/${value}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      const { server, caCert } = fields;
      const data = { ...(((o as Record<string, unknown>).data as Record<string, string> | undefined) ?? {}) };
      data.address ??= server;
      data["ca.crt"] ??= caCert;
      (o as Record<string, unknown>).data = data;
    } catch (err) {
      if (signal.aborted) throw err;
      throw new ResourceSetError(object, Reasons.failed, (err as Error).message, { cause: err });
    }
  }
}
