/**
 * Fields of an OCIRepository Ferry does not implement yet: reported (Stalled, with the field named) instead of
 * silently ignored, with the reasons source-controller uses for the same area.
 */
import type { OCIRepository } from "../../api/index.ts";
import { OCIRepositoryError, Reasons } from "./errors.ts";

export function checkSupported(key: string, spec: OCIRepository["spec"]): void {
  if (spec.provider && spec.provider !== "generic") {
    throw new OCIRepositoryError(
      key,
      "FetchFailed",
      Reasons.invalidProvider,
      `provider '${spec.provider}' is not supported by Ferry; use provider: generic with spec.secretRef or spec.serviceAccountName pull secrets`,
      { stalled: true },
    );
  }
  for (const field of ["certSecretRef", "proxySecretRef"] as const) {
    if (spec[field]) {
      throw new OCIRepositoryError(
        key,
        "FetchFailed",
        Reasons.authenticationFailed,
        `failed to generate transport for '${spec.url}': spec.${field} is not supported by Ferry yet; remove it`,
        { stalled: true },
      );
    }
  }
}
