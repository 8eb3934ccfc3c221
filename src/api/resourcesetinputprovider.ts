/** ResourceSetInputProvider (fluxcd.controlplane.io/v1): a source of ResourceSet inputs. */
import { localObjectReference } from "./common.ts";
import { anyValue, arr, bool, duration, type Infer, int, kind, map, obj, str, strEnum } from "./schema.ts";

export const INPUT_PROVIDER_TYPES = [
  "Static",
  "GitHubBranch",
  "GitHubTag",
  "GitHubPullRequest",
  "GitLabBranch",
  "GitLabTag",
  "GitLabMergeRequest",
  "GitLabEnvironment",
  "AzureDevOpsBranch",
  "AzureDevOpsTag",
  "AzureDevOpsPullRequest",
  "AWSCodeCommitBranch",
  "AWSCodeCommitTag",
  "AWSCodeCommitPullRequest",
  "GiteaBranch",
  "GiteaTag",
  "GiteaPullRequest",
  "OCIArtifactTag",
  "ACRArtifactTag",
  "ECRArtifactTag",
  "GARArtifactTag",
  "ExternalService",
  "ExternalArtifact",
] as const;

export const resourceSetInputProviderSpec = obj(
  {
    type: strEnum(INPUT_PROVIDER_TYPES),
    url: str({ pattern: "^((http|https|oci)://.*){0,1}$" }),
    serviceAccountName: str(),
    secretRef: localObjectReference,
    certSecretRef: localObjectReference,
    insecure: bool(),
    defaultValues: map(anyValue()),
    filter: obj({
      includeBranch: str(),
      excludeBranch: str(),
      includeTag: str(),
      excludeTag: str(),
      includeEnvironment: str(),
      excludeEnvironment: str(),
      labels: arr(str()),
      limit: int(),
      semver: str(),
    }),
    skip: obj({ labels: arr(str()) }),
    schedule: arr(obj({ cron: str(), timeZone: str(), window: duration() }, ["cron"])),
    selectors: arr(
      obj({
        name: str(),
        namespace: str(),
        matchLabels: map(str()),
        matchExpressions: arr(obj({ key: str(), operator: str(), values: arr(str()) }, ["key", "operator"])),
      }),
    ),
  },
  ["type"],
);

export const resourceSetInputProvider = kind(
  "fluxcd.controlplane.io/v1",
  "ResourceSetInputProvider",
  resourceSetInputProviderSpec,
);
export type ResourceSetInputProvider = Infer<typeof resourceSetInputProvider>;
