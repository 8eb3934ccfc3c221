/** HelmRelease (helm.toolkit.fluxcd.io/v2): a Helm chart release with values and lifecycle settings. */
import {
  commonMetadata,
  dependencyReference,
  healthCheckExpr,
  ignoreRule,
  image,
  kubeConfigReference,
  localObjectReference,
  patch,
} from "./common.ts";
import { anyValue, arr, bool, duration, type Infer, int, kind, obj, str, strEnum } from "./schema.ts";

const crds = strEnum(["Skip", "Create", "CreateReplace"]);
const strategy = obj({ name: strEnum(["RemediateOnFailure", "RetryOnFailure"]), retryInterval: duration() }, [
  "name",
]);
const remediation = obj({ retries: int(), ignoreTestFailures: bool(), remediateLastFailure: bool() });

export const helmReleaseSpec = obj(
  {
    chart: obj(
      {
        metadata: commonMetadata,
        spec: obj(
          {
            chart: str(),
            version: str(),
            sourceRef: obj(
              {
                apiVersion: str(),
                kind: strEnum(["HelmRepository", "GitRepository", "Bucket"]),
                name: str(),
                namespace: str(),
              },
              ["kind", "name"],
            ),
            interval: duration(),
            reconcileStrategy: strEnum(["ChartVersion", "Revision"]),
            valuesFiles: arr(str()),
            ignoreMissingValuesFiles: bool(),
            verify: obj({ provider: strEnum(["cosign", "notation"]), secretRef: localObjectReference }, [
              "provider",
            ]),
          },
          ["chart", "sourceRef"],
        ),
      },
      ["spec"],
    ),
    chartRef: obj(
      {
        apiVersion: str(),
        kind: strEnum(["OCIRepository", "HelmChart", "ExternalArtifact"]),
        name: str(),
        namespace: str(),
      },
      ["kind", "name"],
    ),
    interval: duration(),
    kubeConfig: kubeConfigReference,
    suspend: bool(),
    releaseName: str(),
    targetNamespace: str(),
    storageNamespace: str(),
    dependsOn: arr(dependencyReference),
    timeout: duration(),
    maxHistory: int(),
    serviceAccountName: str(),
    persistentClient: bool(),
    driftDetection: obj({ mode: strEnum(["enabled", "warn", "disabled"]), ignore: arr(ignoreRule) }),
    install: obj({
      timeout: duration(),
      remediation,
      strategy,
      disableWait: bool(),
      disableWaitForJobs: bool(),
      disableHooks: bool(),
      disableOpenAPIValidation: bool(),
      disableSchemaValidation: bool(),
      disableTakeOwnership: bool(),
      replace: bool(),
      skipCRDs: bool(),
      crds,
      createNamespace: bool(),
      serverSideApply: bool(),
    }),
    upgrade: obj({
      timeout: duration(),
      remediation: obj({
        retries: int(),
        ignoreTestFailures: bool(),
        remediateLastFailure: bool(),
        strategy: strEnum(["rollback", "uninstall"]),
      }),
      strategy,
      disableWait: bool(),
      disableWaitForJobs: bool(),
      disableHooks: bool(),
      disableOpenAPIValidation: bool(),
      disableSchemaValidation: bool(),
      disableTakeOwnership: bool(),
      force: bool(),
      preserveValues: bool(),
      cleanupOnFail: bool(),
      crds,
      chartNameChangeStrategy: strEnum(["InPlaceUpdate", "Reinstall"]),
      serverSideApply: strEnum(["enabled", "disabled", "auto"]),
    }),
    test: obj({
      enable: bool(),
      timeout: duration(),
      ignoreFailures: bool(),
      filters: arr(obj({ name: str(), exclude: bool() }, ["name"])),
    }),
    rollback: obj({
      timeout: duration(),
      disableWait: bool(),
      disableWaitForJobs: bool(),
      disableHooks: bool(),
      recreate: bool(),
      force: bool(),
      cleanupOnFail: bool(),
      serverSideApply: strEnum(["enabled", "disabled", "auto"]),
    }),
    uninstall: obj({
      timeout: duration(),
      disableHooks: bool(),
      keepHistory: bool(),
      disableWait: bool(),
      deletionPropagation: strEnum(["background", "foreground", "orphan"]),
    }),
    valuesFrom: arr(
      obj(
        {
          kind: strEnum(["Secret", "ConfigMap"]),
          name: str(),
          valuesKey: str({ pattern: "^[\\-._a-zA-Z0-9]+$" }),
          targetPath: str(),
          optional: bool(),
          literal: bool(),
        },
        ["kind", "name"],
      ),
    ),
    values: anyValue(),
    postRenderers: arr(obj({ kustomize: obj({ patches: arr(patch), images: arr(image) }) })),
    postRenderStrategy: strEnum(["nohooks", "combined", "separate"]),
    commonMetadata,
    healthCheckExprs: arr(healthCheckExpr),
    waitStrategy: obj({ name: strEnum(["poller", "legacy"]) }, ["name"]),
  },
  ["interval"],
);

export const helmRelease = kind("helm.toolkit.fluxcd.io/v2", "HelmRelease", helmReleaseSpec);
export type HelmRelease = Infer<typeof helmRelease>;
