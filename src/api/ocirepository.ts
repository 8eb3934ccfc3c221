/** OCIRepository (source.toolkit.fluxcd.io/v1): an OCI artifact to pull, optionally verified. */
import { localObjectReference } from "./common.ts";
import { arr, bool, duration, type Infer, kind, obj, str, strEnum } from "./schema.ts";

export const ociRepositorySpec = obj(
  {
    url: str({ pattern: "^oci://.*$" }),
    ref: obj({ digest: str(), semver: str(), semverFilter: str(), tag: str() }),
    layerSelector: obj({ mediaType: str(), operation: strEnum(["extract", "copy"]) }),
    provider: strEnum(["generic", "aws", "azure", "gcp"]),
    secretRef: localObjectReference,
    verify: obj(
      {
        provider: strEnum(["cosign", "notation"]),
        secretRef: localObjectReference,
        trustedRootSecretRef: localObjectReference,
        matchOIDCIdentity: arr(obj({ issuer: str(), subject: str() }, ["issuer", "subject"])),
      },
      ["provider"],
    ),
    serviceAccountName: str(),
    certSecretRef: localObjectReference,
    proxySecretRef: localObjectReference,
    interval: duration(),
    timeout: str({ pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$" }),
    ignore: str(),
    insecure: bool(),
    suspend: bool(),
  },
  ["url", "interval"],
);

export const ociRepository = kind("source.toolkit.fluxcd.io/v1", "OCIRepository", ociRepositorySpec);
export type OCIRepository = Infer<typeof ociRepository>;
