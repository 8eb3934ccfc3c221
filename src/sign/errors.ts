/** Typed errors of the sign module: each names what failed and what to do about it. */
import { FerryError } from "../errors/index.ts";

/** A key file or value could not be read, decrypted or parsed. */
export class KeyError extends FerryError {
  override name = "KeyError";
  /** Where the key came from (file path or "environment variable NAME"); never the key itself. */
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.source = source;
  }
}

/** Why a verification failed; stable values callers (and the OCIRepository reconciler) can switch on. */
export type VerifyReason =
  | "no-signature"
  | "wrong-key"
  | "identity-mismatch"
  | "untrusted-certificate"
  | "digest-mismatch"
  | "invalid-signature"
  | "untrusted-tlog";

/** An artifact's signatures did not satisfy the policy. `reason` says why (see VerifyReason). */
export class VerificationError extends FerryError {
  override name = "VerificationError";
  readonly reason: VerifyReason;
  /** The artifact, as `repo@sha256:…`. */
  readonly reference: string;
  /** For identity mismatches: the identities found on the signatures, as `issuer subject`. */
  readonly found: readonly string[];
  constructor(
    reason: VerifyReason,
    reference: string,
    message: string,
    options?: { cause?: unknown; found?: readonly string[] },
  ) {
    super(message, options);
    this.reason = reason;
    this.reference = reference;
    this.found = options?.found ?? [];
  }
}

/** Signing failed (no identity token, Fulcio or Rekor refused, the registry refused the signature). */
export class SigningError extends FerryError {
  override name = "SigningError";
  readonly reference: string;
  constructor(reference: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reference = reference;
  }
}
