/** FluxInstance (fluxcd.controlplane.io/v1): the Flux distribution a cluster runs and what it syncs from. */
import { commonMetadata, patch } from "./common.ts";
import { arr, bool, duration, type Infer, kind, obj, str, strEnum } from "./schema.ts";

export const fluxInstanceSpec = obj(
  {
    distribution: obj(
      {
        version: str(),
        registry: str(),
        artifact: str({ pattern: "^oci://.*$" }),
        artifactPullSecret: str(),
        imagePullSecret: str(),
        variant: strEnum([
          "upstream-alpine",
          "enterprise-alpine",
          "enterprise-distroless",
          "enterprise-distroless-fips",
        ]),
      },
      ["version", "registry"],
    ),
    components: arr(str()),
    cluster: obj({
      type: strEnum(["kubernetes", "openshift", "aws", "azure", "gcp"]),
      size: strEnum(["small", "medium", "large"]),
      domain: str(),
      multitenant: bool(),
      multitenantWorkloadIdentity: bool(),
      objectLevelWorkloadIdentity: bool(),
      networkPolicy: bool(),
      tenantDefaultServiceAccount: str(),
      tenantDefaultDecryptionServiceAccount: str(),
      tenantDefaultKubeConfigServiceAccount: str(),
    }),
    commonMetadata,
    kustomize: obj({ patches: arr(patch) }),
    migrateResources: bool(),
    sharding: obj({ key: str(), shards: arr(str()), storage: strEnum(["ephemeral", "persistent"]) }, [
      "shards",
    ]),
    storage: obj({ class: str(), size: str() }, ["class", "size"]),
    sync: obj(
      {
        interval: duration(),
        kind: strEnum(["OCIRepository", "GitRepository", "Bucket"]),
        name: str(),
        path: str(),
        provider: strEnum(["generic", "aws", "azure", "gcp", "github"]),
        pullSecret: str(),
        ref: str(),
        url: str(),
      },
      ["kind", "path", "ref", "url"],
    ),
    wait: bool(),
  },
  ["distribution"],
);

export const fluxInstance = kind("fluxcd.controlplane.io/v1", "FluxInstance", fluxInstanceSpec);
export type FluxInstance = Infer<typeof fluxInstance>;
