/**
 * The OCIRepository reconcile loop, following source-controller: finalizer first, suspend, progressing
 * status on a new generation or a `reconcile.fluxcd.io/requestedAt` request, then resolve the reference,
 * verify (only when the revision or the generation changed, or the last verification failed), pull into the
 * store (only when the revision or the content configuration changed) and write the status Flux writes.
 * Failures end in the Ready condition's message and a Warning event; nothing is stored from an artifact
 * that failed verification.
 */
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import type { OCIRepository } from "../../api/index.ts";
import { describe } from "../../errors/index.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { formatReference, OciClient } from "../../oci/index.ts";
import {
  addFinalizer,
  afterFailedAttempt,
  applyStatus,
  type EventRecorder,
  getCondition,
  hasFinalizer,
  markReady,
  markReconciling,
  type ReconcileResult,
  removeCondition,
  removeFinalizer,
  setCondition,
  writeFailureStatus,
} from "../../runtime/index.ts";
import type { ArtifactStore } from "../../store/index.ts";
import { pullCredentials } from "./credentials.ts";
import { OCIRepositoryError, Reasons } from "./errors.ts";
import { ARTIFACT_FILE, fetchIntoStore } from "./fetch.ts";
import { parseRepositoryURL, type ResolvedRef, resolveRef } from "./resolve.ts";
import {
  ARTIFACT_IN_STORAGE,
  ARTIFACT_OUTDATED,
  type Artifact,
  durationMs,
  FETCH_FAILED,
  FINALIZER,
  failureConditions,
  type OCIRepositoryStatus,
  REQUESTED_AT,
  SOURCE_VERIFIED,
  STORAGE_OPERATION_FAILED,
  sameLayerSelector,
} from "./status.ts";
import { checkSupported } from "./support.ts";
import { VerificationCache, verificationPolicy, verifyReference } from "./verify.ts";

export interface ReconcileLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface OCIRepositoryReconcilerOptions {
  kube: KubeClient;
  store: ArtifactStore;
  events?: EventRecorder | undefined;
  log?: ReconcileLogger | undefined;
  /** Field manager of status writes (default `source-controller`, as Flux). */
  fieldManager?: string | undefined;
  /** Trusted root for keyless verification when an object names none. */
  trustedRoot?: TrustedRoot | undefined;
  /** Registry request timeout when `spec.timeout` is unset (default 60 s). */
  defaultTimeoutMs?: number | undefined;
}

const API_VERSION = "source.toolkit.fluxcd.io/v1";
const KIND = "OCIRepository";
type Spec = OCIRepository["spec"];

const quiet: ReconcileLogger = { debug: () => {}, info: () => {}, error: () => {} };

export class OCIRepositoryReconciler {
  private readonly o: OCIRepositoryReconcilerOptions;
  private readonly verified = new VerificationCache();
  private readonly log: ReconcileLogger;

  constructor(opts: OCIRepositoryReconcilerOptions) {
    this.o = opts;
    this.log = opts.log ?? quiet;
  }

  /** Store owner key of an object. */
  static owner(key: string): string {
    return `${KIND}/${key}`;
  }

  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> => {
    const slash = key.indexOf("/");
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const owner = OCIRepositoryReconciler.owner(key);
    const kube = this.o.kube;
    let obj = await getObject(
      kube,
      { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace } },
      { signal },
    );
    if (!obj) {
      await this.o.store.release(owner);
      return undefined;
    }
    if (obj.metadata.deletionTimestamp) {
      await this.o.store.release(owner);
      if (hasFinalizer(obj, FINALIZER)) await removeFinalizer(kube, obj, FINALIZER, { signal });
      this.log.info("artifact removed for deleted object", { object: key });
      return undefined;
    }
    if (!hasFinalizer(obj, FINALIZER)) obj = await addFinalizer(kube, obj, FINALIZER, { signal });
    const spec = obj.spec as Spec;
    if (spec.suspend) {
      this.log.info("reconciliation is suspended for this object", { object: key });
      return undefined;
    }
    return await this.run(obj, key, owner, spec, signal);
  };

  private async run(
    initial: KubeObject,
    key: string,
    owner: string,
    spec: Spec,
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    let obj = initial;
    const gen = obj.metadata.generation;
    const prev = (obj.status ?? {}) as OCIRepositoryStatus;
    const status: OCIRepositoryStatus = structuredClone(prev);
    const requestedAt = obj.metadata.annotations?.[REQUESTED_AT];

    await this.checkStorage(owner, status);
    if (gen !== prev.observedGeneration || requestedAt !== prev.lastHandledReconcileAt || !status.artifact) {
      const msg =
        gen !== prev.observedGeneration
          ? `processing object: new generation ${prev.observedGeneration ?? 0} -> ${gen}`
          : status.artifact
            ? "reconciliation in progress"
            : "building artifact";
      status.conditions = markReconciling(status.conditions, gen, Reasons.progressing, msg);
      obj = await this.write(obj, status, signal);
    }

    const timeoutMs = durationMs(spec.timeout) ?? this.o.defaultTimeoutMs ?? 60_000;
    const work = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    try {
      const outcome = await this.sync(obj, key, owner, spec, status, work);
      await this.succeeded(obj, key, spec, prev, status, outcome.newArtifact, signal);
      return { requeueAfterMs: durationMs(spec.interval) ?? 60_000 };
    } catch (err) {
      if (signal.aborted) throw err;
      const e =
        err instanceof OCIRepositoryError
          ? err
          : new OCIRepositoryError(
              key,
              "StorageOperationFailed",
              Reasons.archiveOperationFailed,
              work.aborted ? `reconcile timed out after ${timeoutMs} ms: ${describe(err)}` : describe(err),
              { cause: err },
            );
      return afterFailedAttempt(e, await this.failed(obj, key, status, e, signal));
    }
  }

  private async succeeded(
    obj: KubeObject,
    key: string,
    spec: Spec,
    prev: OCIRepositoryStatus,
    status: OCIRepositoryStatus,
    newArtifact: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const gen = obj.metadata.generation;
    const requestedAt = obj.metadata.annotations?.[REQUESTED_AT];
    const msg = `stored artifact for digest '${status.artifact?.revision ?? ""}'`;
    let conds = status.conditions;
    for (const t of [FETCH_FAILED, STORAGE_OPERATION_FAILED, ARTIFACT_OUTDATED])
      conds = removeCondition(conds, t);
    conds = setCondition(conds, {
      type: ARTIFACT_IN_STORAGE,
      status: "True",
      reason: Reasons.succeeded,
      message: msg,
      observedGeneration: gen,
    });
    status.conditions = markReady(conds, gen, Reasons.succeeded, msg);
    if (gen !== undefined) status.observedGeneration = gen;
    if (requestedAt !== undefined) status.lastHandledReconcileAt = requestedAt;
    await this.write(obj, status, signal);
    const wasReady = getCondition(prev.conditions, "Ready")?.status === "True";
    if (newArtifact || !wasReady) {
      const note = this.storedMessage(spec, status.artifact);
      await this.o.events?.event(obj, "Normal", newArtifact ? "NewArtifact" : Reasons.succeeded, note, {
        signal,
      });
      this.log.info(note, { object: key });
    }
  }

  private async failed(
    obj: KubeObject,
    key: string,
    status: OCIRepositoryStatus,
    e: OCIRepositoryError,
    signal: AbortSignal,
  ): Promise<boolean> {
    const gen = obj.metadata.generation;
    const requestedAt = obj.metadata.annotations?.[REQUESTED_AT];
    status.conditions = failureConditions(status.conditions, gen, e);
    // Flux records the generation as observed when it succeeded or cannot make progress (stalled).
    if (e.stalled && gen !== undefined) status.observedGeneration = gen;
    if (requestedAt !== undefined) status.lastHandledReconcileAt = requestedAt;
    const written = await writeFailureStatus(this.write(obj, status, signal), (we) =>
      this.log.error("status write failed", { object: key, error: describe(we) }),
    );
    await this.o.events?.event(obj, "Warning", e.reason, e.message, { signal });
    if (e.stalled) this.log.error(e.message, { object: key, reason: e.reason, stalled: true });
    return written;
  }

  /** Drops `status.artifact` when the store lost it; re-registers the owner's reference otherwise (restarts). */
  private async checkStorage(owner: string, status: OCIRepositoryStatus): Promise<void> {
    const key = status.artifact?.path.split("/")[0];
    if (!key) return;
    if (await this.o.store.reference(owner, key).catch(() => undefined)) return;
    delete status.artifact;
    delete status.url;
    status.conditions = removeCondition(status.conditions, ARTIFACT_IN_STORAGE);
  }

  private async sync(
    obj: KubeObject,
    key: string,
    owner: string,
    spec: Spec,
    status: OCIRepositoryStatus,
    signal: AbortSignal,
  ): Promise<{ newArtifact: boolean }> {
    const namespace = obj.metadata.namespace ?? "";
    const gen = obj.metadata.generation;
    if (getCondition(status.conditions, SOURCE_VERIFIED)?.status === "False") {
      status.conditions = removeCondition(status.conditions, SOURCE_VERIFIED);
    }
    checkSupported(key, spec);
    const repo = parseRepositoryURL(key, spec.url);
    const credentials = await pullCredentials(this.o.kube, key, namespace, spec, { signal });
    const client = new OciClient({
      credentials,
      insecure: spec.insecure === true,
      timeoutMs: durationMs(spec.timeout),
    });
    const resolved = await resolveRef(key, client, repo, spec.ref, { signal });
    const revision = resolved.revision;
    const sameRevision = status.artifact?.revision === revision;
    if (!sameRevision) {
      const msg = `new revision '${revision}' for '${formatReference(resolved.tag ? { ...repo, tag: resolved.tag } : resolved.reference)}'`;
      if (status.artifact) {
        status.conditions = setCondition(status.conditions, {
          type: ARTIFACT_OUTDATED,
          status: "True",
          reason: "NewRevision",
          message: msg,
          observedGeneration: gen,
        });
      }
      status.conditions = markReconciling(
        status.conditions,
        gen,
        Reasons.progressing,
        `building artifact: ${msg}`,
      );
      // A first artifact was announced as in progress already; a new revision of a stored one is news.
      if (status.artifact) await this.write(obj, status, signal);
    }

    await this.verify(obj, key, spec, status, client, resolved, sameRevision, signal);

    const contentChanged =
      spec.ignore !== status.observedIgnore ||
      !sameLayerSelector(spec.layerSelector, status.observedLayerSelector);
    if (sameRevision && !contentChanged && status.artifact) return { newArtifact: false };

    const { entry, meta } = await fetchIntoStore({
      object: key,
      owner,
      url: spec.url,
      client,
      reference: resolved.reference,
      revision,
      ignore: spec.ignore,
      layerSelector: spec.layerSelector,
      store: this.o.store,
      signal,
    });
    const path = `${entry.key}/${ARTIFACT_FILE}`;
    const previousDigest = status.artifact?.digest;
    const artifact: Artifact = {
      digest: meta.digest,
      lastUpdateTime: entry.storedAt,
      ...(Object.keys(meta.annotations).length > 0 ? { metadata: meta.annotations } : {}),
      path,
      revision,
      size: meta.size,
      url: `file://${entry.dir}/${ARTIFACT_FILE}`,
    };
    status.artifact = artifact;
    status.url = artifact.url;
    if (spec.ignore !== undefined) status.observedIgnore = spec.ignore;
    else delete status.observedIgnore;
    if (spec.layerSelector) status.observedLayerSelector = spec.layerSelector;
    else delete status.observedLayerSelector;
    return { newArtifact: previousDigest !== meta.digest };
  }

  /** `spec.verify`, unless this revision was verified for this generation already; sets SourceVerified. */
  private async verify(
    obj: KubeObject,
    key: string,
    spec: Spec,
    status: OCIRepositoryStatus,
    client: OciClient,
    resolved: ResolvedRef,
    sameRevision: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const gen = obj.metadata.generation;
    if (!spec.verify) {
      status.conditions = removeCondition(status.conditions, SOURCE_VERIFIED);
      return;
    }
    const sv = getCondition(status.conditions, SOURCE_VERIFIED);
    if (sameRevision && sv?.observedGeneration === gen && sv?.status === "True") return;
    const policy = await verificationPolicy(this.o.kube, key, obj.metadata.namespace ?? "", spec.verify, {
      signal,
      trustedRoot: this.o.trustedRoot,
    });
    const v = await verifyReference(key, client, resolved.reference, policy, this.verified, { signal });
    this.log.debug("verified signature", {
      object: key,
      revision: resolved.revision,
      cached: v.cached,
      format: v.verified.format,
    });
    status.conditions = setCondition(status.conditions, {
      type: SOURCE_VERIFIED,
      status: "True",
      reason: Reasons.succeeded,
      message: `verified signature of revision ${resolved.revision}`,
      observedGeneration: gen,
    });
  }

  private storedMessage(spec: Spec, a: Artifact | undefined): string {
    let m = `stored artifact with revision '${a?.revision}' from '${spec.url}'`;
    const source = a?.metadata?.["org.opencontainers.image.source"];
    const rev = a?.metadata?.["org.opencontainers.image.revision"];
    if (source && rev) m += `, origin source '${source}', origin revision '${rev}'`;
    return m;
  }

  private async write(
    obj: KubeObject,
    status: OCIRepositoryStatus,
    signal: AbortSignal,
  ): Promise<KubeObject> {
    return await applyStatus(this.o.kube, obj, status as Record<string, unknown>, {
      signal,
      fieldManager: this.o.fieldManager ?? "source-controller",
    });
  }
}
