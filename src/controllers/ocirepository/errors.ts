/**
 * Reconcile errors of the OCIRepository controller. Each carries the condition it is reported under
 * (`FetchFailed`, `SourceVerified`, `StorageOperationFailed`) and the reason source-controller uses, so the
 * status reads as Flux's does; `stalled` marks errors retrying cannot fix until the spec changes.
 */
import { FerryError } from "../../errors/index.ts";

export type FailureCondition = "FetchFailed" | "SourceVerified" | "StorageOperationFailed";

export class OCIRepositoryError extends FerryError {
  override name = "OCIRepositoryError";
  /** `namespace/name` of the OCIRepository. */
  readonly object: string;
  readonly condition: FailureCondition;
  /** Flux's reason, e.g. `OCIArtifactPullFailed`, `AuthenticationFailed`, `VerificationError`. */
  readonly reason: string;
  /** Retrying cannot help until the spec changes (Stalled=True). */
  readonly stalled: boolean;

  constructor(
    object: string,
    condition: FailureCondition,
    reason: string,
    message: string,
    opts: { cause?: unknown; stalled?: boolean } = {},
  ) {
    super(message, { cause: opts.cause });
    this.object = object;
    this.condition = condition;
    this.reason = reason;
    this.stalled = opts.stalled ?? false;
  }
}

/** Reasons as source-controller names them. */
export const Reasons = {
  succeeded: "Succeeded",
  progressing: "Progressing",
  urlInvalid: "URLInvalid",
  authenticationFailed: "AuthenticationFailed",
  readOperationFailed: "ReadOperationFailed",
  pullFailed: "OCIArtifactPullFailed",
  layerOperationFailed: "OCIArtifactLayerOperationFailed",
  verificationError: "VerificationError",
  archiveOperationFailed: "ArchiveOperationFailed",
  invalidProvider: "InvalidProviderConfiguration",
} as const;
