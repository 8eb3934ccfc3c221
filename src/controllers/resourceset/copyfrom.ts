/**
 * The `fluxcd.controlplane.io/copyFrom: <namespace>/<name>` annotation on rendered ConfigMaps and Secrets
 * (apiVersion v1): the source object's data is copied in at apply time — ConfigMaps get `data` and
 * `binaryData`, Secrets get the source's `data` keys (over the template's, replacing its `stringData`) and, when the template sets none, the source's `type`. The read goes
 * through the caller's client, so an impersonated service account needs read access to the source.
 */
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { ResourceSetError } from "./errors.ts";
import { Annotations, Reasons } from "./status.ts";

/** `namespace/name` sources the objects copy from, with the kind (for watches). */
export function copySources(objects: readonly KubeObject[]): Array<{ kind: string; source: string }> {
  const out: Array<{ kind: string; source: string }> = [];
  for (const o of objects) {
    const source = o.metadata.annotations?.[Annotations.copyFrom];
    if (source && o.apiVersion === "v1" && (o.kind === "ConfigMap" || o.kind === "Secret")) {
      out.push({ kind: o.kind, source: source.trim() });
    }
  }
  return out;
}

/** The source of a ConfigMap or Secret's copyFrom, parsed; undefined when the object copies nothing. */
function sourceOf(
  object: string,
  o: KubeObject,
): { namespace: string; name: string; text: string } | undefined {
  if (o.apiVersion !== "v1" || (o.kind !== "ConfigMap" && o.kind !== "Secret")) return undefined;
  const text = o.metadata.annotations?.[Annotations.copyFrom]?.trim();
  if (text === undefined) return undefined;
  const [namespace, name, ...rest] = text.split("/");
  if (!namespace || !name || rest.length > 0) {
    throw new ResourceSetError(
      object,
      Reasons.failed,
      `invalid ${Annotations.copyFrom} annotation value '${text}' on ${o.kind}/${o.metadata.name}: it must be in the format 'namespace/name'`,
    );
  }
  return { namespace, name, text };
}

async function readSource(
  kube: KubeClient,
  object: string,
  kind: string,
  src: { namespace: string; name: string; text: string },
  signal: AbortSignal,
): Promise<KubeObject> {
  let live: KubeObject | undefined;
  try {
    live = await getObject(
      kube,
      { apiVersion: "v1", kind, metadata: { name: src.name, namespace: src.namespace } },
      { signal },
    );
  } catch (err) {
    throw new ResourceSetError(
      object,
      Reasons.failed,
      `failed to copy data from ${kind}/${src.text}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (!live) {
    throw new ResourceSetError(
      object,
      Reasons.failed,
      `failed to copy data from ${kind}/${src.text}: not found; create it or fix the ${Annotations.copyFrom} annotation`,
    );
  }
  return live;
}

function copyInto(o: KubeObject, src: KubeObject): void {
  const copy = o as KubeObject & Record<string, unknown>;
  const srcData = (src.data as Record<string, string> | undefined) ?? {};
  if (o.kind === "ConfigMap") {
    copy.data = { ...srcData };
    const binary = (src.binaryData as Record<string, string> | undefined) ?? {};
    if (Object.keys(binary).length > 0) copy.binaryData = { ...binary };
    return;
  }
  // flux-operator writes the source into stringData, which replaces the template's stringData and wins
  // over its data keys: the same result, written as data.
  copy.data = { ...((copy.data as Record<string, string> | undefined) ?? {}), ...srcData };
  delete copy.stringData;
  if (copy.type === undefined) copy.type = (src.type as string | undefined) || "Opaque";
}

/** Fills the copied data into the objects in place. */
export async function resolveCopyFrom(
  kube: KubeClient,
  object: string,
  objects: KubeObject[],
  signal: AbortSignal,
): Promise<void> {
  for (const o of objects) {
    const src = sourceOf(object, o);
    if (src) copyInto(o, await readSource(kube, object, o.kind, src, signal));
  }
}
