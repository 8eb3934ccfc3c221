/**
 * Signing and verification of OCI artifacts, compatible with cosign both ways: cosign-format key pairs
 * (encrypted `cosign.key`, `cosign.pub`), keyless signing (OIDC token → Fulcio certificate → Rekor entry)
 * against any Sigstore instance, and both storage formats — the Sigstore bundle as an OCI referrer
 * (cosign 3's default) and the legacy `sha256-<hex>.sig` tag. `verifyArtifact` is the one entry point for
 * the CLI and for the cluster side (`OCIRepository.spec.verify`, provider cosign): artifact + policy →
 * verified identity, or a VerificationError whose `reason` says why not.
 *
 * It does not fetch the public Sigstore trusted root (callers pass one), push artifacts, or read the
 * environment: passwords, tokens and URLs come in as options.
 */
export { KeyError, SigningError, VerificationError, type VerifyReason } from "./errors.ts";
export { type FluxVerifySpec, policyFromFluxVerify, VerifyConfigError } from "./flux.ts";
export {
  generateKeyPair,
  type KeyPairPEM,
  keyHint,
  loadPrivateKey,
  loadPublicKey,
  publicKeyPEM,
} from "./keys.ts";
export { resolveIdentityToken, type TokenSource } from "./oidc.ts";
export { COSIGN_SIGN_PREDICATE, signStatement, simpleSigningPayload } from "./payload.ts";
export { exactPattern, type FoundIdentity, type IdentityPattern, matchIdentity } from "./policy.ts";
export {
  keySigner,
  type SignArtifactOptions,
  type SignatureFormat,
  type SigningMaterial,
  type SignResult,
  signArtifact,
} from "./sign.ts";
export { BUNDLE_MEDIA_TYPE } from "./store-bundle.ts";
export { legacySignatureTag } from "./store-legacy.ts";
export { emptyTrustedRoot, parseTrustedRoot, readTrustedRoot } from "./trust.ts";
export {
  type VerifiedArtifact,
  type VerifiedIdentity,
  type VerifyArtifactOptions,
  type VerifyPolicy,
  verifyArtifact,
} from "./verify.ts";
