/**
 * Local Kubernetes clusters for development and tests: a real control plane (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler) plus kwok for fake nodes, run as local processes on 127.0.0.1,
 * each cluster in its own folder with a `cluster.json` so another process can list or delete it.
 *
 * It does not build or download binaries (scripts/tools.sh does; `toolPath` finds them), run real
 * containers (kwok only pretends Pods run), or expose anything beyond 127.0.0.1.
 */
export { type ApiConnection, apiRequest } from "./api.ts";
export {
  type CreateClusterOptions,
  createCluster,
  KUBERNETES_VERSION,
  validateClusterName,
} from "./cluster.ts";
export { type DeleteResult, deleteCluster, deleteClusterDir } from "./delete.ts";
export { describeWorkloads } from "./describe.ts";
export { ClusterError, ClusterExistsError, ClusterNotFoundError } from "./errors.ts";
export { type ClusterStatus, clusterStatus, getCluster, listClusters } from "./list.ts";
export { keepLogs, logDigest } from "./logs.ts";
export { type ClusterState, COMPONENTS, type Component, defaultClustersDir, readState } from "./state.ts";
export { defaultCacheDir, findTool, ToolNotFoundError, toolPath } from "./tools.ts";
