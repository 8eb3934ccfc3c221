/**
 * The `fluxcd.controlplane.io/checksumFrom` annotation, as flux-operator resolves it: on any
 * `metadata.annotations` map inside a rendered object (e.g. a Deployment's pod template), a comma-separated
 * list of `ConfigMap/<ns>/<name>` or `Secret/<ns>/<name>` becomes a sibling `fluxcd.controlplane.io/checksum`
 * annotation — `sha256:` over each reference's name and its data in key order (the same bytes upstream
 * hashes, so the values agree). References to objects of the same set are read from the pending apply;
 * others from the cluster through the caller's client, and are reported as external (`externalChecksumRefs`)
 * so a change of them re-enqueues the set.
 */
import { createHash } from "node:crypto";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { ResourceSetError } from "./errors.ts";
import { Reasons } from "./status.ts";

export const CHECKSUM_FROM = "fluxcd.controlplane.io/checksumFrom";
export const CHECKSUM = "fluxcd.controlplane.io/checksum";

type Data = Map<string, Buffer>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function strings(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** Key → bytes of a ConfigMap (data, then binaryData decoded) or Secret (data decoded, then stringData). */
function canonical(kind: string, o: Record<string, unknown>): Data {
  const out: Data = new Map();
  if (kind === "ConfigMap") {
    for (const [k, v] of Object.entries(strings(o.data))) out.set(k, Buffer.from(v, "utf8"));
    for (const [k, v] of Object.entries(strings(o.binaryData))) out.set(k, Buffer.from(v, "base64"));
  } else {
    for (const [k, v] of Object.entries(strings(o.data))) out.set(k, Buffer.from(v, "base64"));
    for (const [k, v] of Object.entries(strings(o.stringData))) out.set(k, Buffer.from(v, "utf8"));
  }
  return out;
}

export class ChecksumResolver {
  private readonly kube: KubeClient;
  private readonly object: string;
  private readonly rendered = new Map<string, KubeObject>();
  private readonly cache = new Map<string, Data>();
  private readonly external = new Set<string>();

  constructor(kube: KubeClient, object: string, objects: readonly KubeObject[]) {
    this.kube = kube;
    this.object = object;
    for (const o of objects) {
      if (o.apiVersion === "v1" && (o.kind === "ConfigMap" || o.kind === "Secret")) {
        this.rendered.set(`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`, o);
      }
    }
  }

  /** `Kind/namespace/name` of the references read from the cluster, sorted. */
  externalRefs(): string[] {
    return [...this.external].sort();
  }

  /** Sets the checksum annotations in place, in every object. */
  async resolveAll(objects: readonly KubeObject[], signal: AbortSignal): Promise<void> {
    for (const o of objects) await this.walk(o, signal);
  }

  private async walk(node: unknown, signal: AbortSignal): Promise<void> {
    if (Array.isArray(node)) {
      for (const item of node) await this.walk(item, signal);
      return;
    }
    if (!isRecord(node)) return;
    const meta = node.metadata;
    if (isRecord(meta) && isRecord(meta.annotations)) {
      const raw = meta.annotations[CHECKSUM_FROM];
      if (typeof raw === "string" && raw !== "")
        meta.annotations[CHECKSUM] = await this.checksum(raw, signal);
    }
    for (const v of Object.values(node)) await this.walk(v, signal);
  }

  private fail(message: string, cause?: unknown): ResourceSetError {
    return new ResourceSetError(this.object, Reasons.failed, message, { cause });
  }

  private async checksum(refs: string, signal: AbortSignal): Promise<string> {
    const h = createHash("sha256");
    const zero = Buffer.from([0]);
    for (const part of refs.split(",")) {
      const ref = part.trim();
      if (!ref) continue;
      const parts = ref.split("/");
      if (parts.length !== 3 || parts.some((p) => p === "")) {
        throw this.fail(
          `invalid ${CHECKSUM_FROM} reference '${ref}' must be in the format 'Kind/namespace/name'`,
        );
      }
      const [kind, ns, name] = parts as [string, string, string];
      if (kind !== "ConfigMap" && kind !== "Secret") {
        throw this.fail(
          `unsupported kind '${kind}' in ${CHECKSUM_FROM}, only ConfigMap and Secret are allowed`,
        );
      }
      const data = await this.data(kind, ns, name, signal);
      h.update(`${kind}/${ns}/${name}`).update(zero);
      for (const k of [...data.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
        h.update(k)
          .update(zero)
          .update(data.get(k) as Buffer)
          .update(zero);
      }
    }
    return `sha256:${h.digest("hex")}`;
  }

  private async data(kind: string, ns: string, name: string, signal: AbortSignal): Promise<Data> {
    const key = `${kind}/${ns}/${name}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    let d: Data;
    const own = this.rendered.get(key);
    if (own) {
      d = canonical(kind, own as unknown as Record<string, unknown>);
    } else {
      this.external.add(key);
      let live: KubeObject | undefined;
      try {
        live = await getObject(
          this.kube,
          { apiVersion: "v1", kind, metadata: { name, namespace: ns } },
          { signal },
        );
      } catch (err) {
        throw this.fail(
          `failed to resolve ${CHECKSUM_FROM} reference ${key}: ${(err as Error).message}`,
          err,
        );
      }
      if (!live) throw this.fail(`failed to resolve ${CHECKSUM_FROM} reference ${key}: not found`);
      d = canonical(kind, live as unknown as Record<string, unknown>);
    }
    this.cache.set(key, d);
    return d;
  }
}
