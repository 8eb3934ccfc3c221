/**
 * The ResourceSetInputProvider reconcile loop, following flux-operator: finalizer, `reconcile: disabled`,
 * spec checks (a configuration error stalls the provider), then the exported inputs — `Static`: one input,
 * `spec.defaultValues` plus an `id` (Adler-32 of the object's UID); `OCIArtifactTag`: one per selected tag —
 * and the status (`exportedInputs`, `lastExportedRevision`, conditions, `lastHandledReconcileAt`) with a
 * Normal event. Every other provider type is accepted by the API but stalls with a message saying Ferry
 * does not serve it. Requeued every `fluxcd.controlplane.io/reconcileEvery` (default 10 min).
 */
import { createHash } from "node:crypto";
import { describe } from "../../errors/index.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { inputId } from "../../render/resourceset/index.ts";
import {
  addFinalizer,
  afterFailedAttempt,
  applyStatus,
  type Condition,
  type EventRecorder,
  hasFinalizer,
  markReady,
  markReconciling,
  markStalled,
  type ReconcileResult,
  removeCondition,
  removeFinalizer,
  setCondition,
  writeFailureStatus,
} from "../../runtime/index.ts";
import type { ReconcileLogger } from "../ocirepository/index.ts";
import {
  Annotations,
  FIELD_MANAGER,
  FINALIZER,
  finishedMessage,
  intervalMs,
  isDisabled,
  Messages,
  Reasons,
  ResourceSetError,
  timeoutMs,
} from "../resourceset/index.ts";
import { compileTagFilter, type TagFilter } from "./filter.ts";
import { ociTagInputs } from "./oci.ts";

export interface ResourceSetInputProviderStatus {
  conditions?: Condition[];
  exportedInputs?: Array<Record<string, unknown>>;
  lastExportedRevision?: string;
  lastHandledReconcileAt?: string;
}

export interface ResourceSetInputProviderReconcilerOptions {
  kube: KubeClient;
  events?: EventRecorder | undefined;
  log?: ReconcileLogger | undefined;
  fieldManager?: string | undefined;
}

interface Spec {
  type?: string;
  url?: string;
  insecure?: boolean;
  secretRef?: { name: string };
  serviceAccountName?: string;
  defaultValues?: Record<string, unknown>;
  filter?: TagFilter;
  schedule?: unknown[];
}

const API_VERSION = "fluxcd.controlplane.io/v1";
const KIND = "ResourceSetInputProvider";
/** The types Ferry serves; the rest are reported as not supported. */
export const SUPPORTED_TYPES = ["Static", "OCIArtifactTag"] as const;
const quiet: ReconcileLogger = { debug: () => {}, info: () => {}, error: () => {} };

/** Sorted-key JSON: a stable text for a revision digest. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** `sha256:<hex>` of the exported inputs: changes exactly when the inputs change. */
export function exportedRevision(inputs: readonly Record<string, unknown>[]): string {
  return `sha256:${createHash("sha256").update(canonical(inputs)).digest("hex")}`;
}

export class ResourceSetInputProviderReconciler {
  private readonly o: ResourceSetInputProviderReconcilerOptions;
  private readonly log: ReconcileLogger;

  constructor(opts: ResourceSetInputProviderReconcilerOptions) {
    this.o = opts;
    this.log = opts.log ?? quiet;
  }

  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> => {
    const slash = key.indexOf("/");
    const namespace = key.slice(0, slash);
    const ref = { apiVersion: API_VERSION, kind: KIND, metadata: { namespace, name: key.slice(slash + 1) } };
    let obj = await getObject(this.o.kube, ref, { signal });
    if (!obj) return undefined;
    if (obj.metadata.deletionTimestamp) {
      await removeFinalizer(this.o.kube, obj, FINALIZER, { signal });
      return undefined;
    }
    if (!hasFinalizer(obj, FINALIZER)) obj = await addFinalizer(this.o.kube, obj, FINALIZER, { signal });
    if (isDisabled(obj.metadata.annotations)) {
      this.log.info(Messages.disabled, { object: key });
      await this.o.events?.event(obj, "Warning", Reasons.disabled, Messages.disabled, { signal });
      return undefined;
    }
    const status = structuredClone((obj.status ?? {}) as ResourceSetInputProviderStatus);
    const started = performance.now();
    const gen = obj.metadata.generation;
    try {
      const spec = (obj.spec ?? {}) as Spec;
      this.validate(key, spec);
      status.conditions = markReconciling(status.conditions, gen, Reasons.progressing, Messages.inProgress);
      obj = await this.write(obj, status, signal);
      const inputs = await this.exported(obj, key, spec, signal);
      const revision = exportedRevision(inputs);
      const changed = status.lastExportedRevision !== revision;
      status.exportedInputs = inputs;
      status.lastExportedRevision = revision;
      const msg = finishedMessage(started);
      status.conditions = markReady(status.conditions, gen, Reasons.succeeded, msg);
      await this.write(obj, this.finalize(obj, status), signal);
      this.log.info(msg, { object: key, revision, inputs: inputs.length, changed });
      await this.o.events?.event(obj, "Normal", Reasons.succeeded, `${msg}, revision ${revision}`, {
        signal,
        annotations: { "fluxcd.controlplane.io/revision": revision },
      });
      const every = intervalMs(obj.metadata.annotations, 10 * 60_000);
      return every > 0 ? { requeueAfterMs: every } : undefined;
    } catch (err) {
      if (signal.aborted) throw err;
      const e =
        err instanceof ResourceSetError
          ? err
          : new ResourceSetError(key, Reasons.failed, describe(err), { cause: err });
      status.conditions = e.stalled
        ? markStalled(status.conditions, gen, e.reason, e.message)
        : setCondition(removeCondition(status.conditions, "Reconciling"), {
            type: "Ready",
            status: "False",
            reason: e.reason,
            message: e.message,
            observedGeneration: gen,
          });
      const written = await writeFailureStatus(this.write(obj, this.finalize(obj, status), signal), (we) =>
        this.log.error("status write failed", { object: key, error: describe(we) }),
      );
      this.log.error(e.message, { object: key, reason: e.reason, stalled: e.stalled });
      await this.o.events?.event(obj, "Warning", e.reason, e.message, { signal });
      return afterFailedAttempt(e, written);
    }
  };

  /** Configuration errors, as flux-operator reports them (stalled: only a spec change helps). */
  private validate(key: string, spec: Spec): void {
    const stall = (reason: string, detail: string) =>
      new ResourceSetError(key, reason, `${Messages.terminal}: ${detail}`, { stalled: true });
    const type = spec.type ?? "";
    if (!(SUPPORTED_TYPES as readonly string[]).includes(type)) {
      throw stall(
        Reasons.notSupported,
        `provider type '${type}' is not supported by Ferry; use Static or OCIArtifactTag`,
      );
    }
    if ((spec.schedule ?? []).length > 0) {
      throw stall(
        Reasons.invalidSpec,
        "spec.schedule is not supported by Ferry; remove it and use the fluxcd.controlplane.io/reconcileEvery annotation",
      );
    }
    if (spec.insecure && type !== "OCIArtifactTag") {
      throw stall(
        Reasons.invalidSpec,
        "spec.insecure can only be set when spec.type is 'ExternalService' or 'OCIArtifactTag'",
      );
    }
    if (type === "OCIArtifactTag") {
      if (!spec.url?.startsWith("oci://") || !spec.url.slice("oci://".length).includes("/")) {
        throw stall(
          Reasons.invalidSpec,
          "spec.url must be oci://<host>/<repository> when spec.type is an OCI provider",
        );
      }
      try {
        compileTagFilter(spec.filter);
      } catch (err) {
        throw new ResourceSetError(
          key,
          Reasons.invalidSpec,
          `${Messages.terminal}: spec.filter: ${(err as Error).message}`,
          {
            cause: err,
            stalled: true,
          },
        );
      }
    }
  }

  private async exported(
    obj: KubeObject,
    key: string,
    spec: Spec,
    signal: AbortSignal,
  ): Promise<Array<Record<string, unknown>>> {
    const defaults = structuredClone(spec.defaultValues ?? {});
    if (spec.type === "Static") return [{ ...defaults, id: inputId(obj.metadata.uid ?? "") }];
    const timeout = timeoutMs(obj.metadata.annotations, 2 * 60_000);
    const work = AbortSignal.any([signal, AbortSignal.timeout(timeout)]);
    try {
      return await ociTagInputs({
        kube: this.o.kube,
        object: key,
        namespace: obj.metadata.namespace ?? "",
        url: spec.url ?? "",
        secretRef: spec.secretRef,
        serviceAccountName: spec.serviceAccountName,
        insecure: spec.insecure,
        filter: compileTagFilter(spec.filter),
        defaults,
        signal: work,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      const detail = work.aborted ? `timed out after ${timeout} ms` : describe(err);
      throw new ResourceSetError(key, Reasons.failed, `failed to call OCI provider: ${detail}`, {
        cause: err,
      });
    }
  }

  private finalize(obj: KubeObject, status: ResourceSetInputProviderStatus): ResourceSetInputProviderStatus {
    const requestedAt = obj.metadata.annotations?.[Annotations.requestedAt];
    if (requestedAt !== undefined) status.lastHandledReconcileAt = requestedAt;
    return status;
  }

  private async write(
    obj: KubeObject,
    status: ResourceSetInputProviderStatus,
    signal: AbortSignal,
  ): Promise<KubeObject> {
    return await applyStatus(this.o.kube, obj, status as Record<string, unknown>, {
      signal,
      fieldManager: this.o.fieldManager ?? FIELD_MANAGER,
    });
  }
}
