/**
 * Command lines of the cluster components. Everything listens on 127.0.0.1 only, keeps its files in the
 * cluster folder, and leaves out what a control plane without real kubelets does not need (leader
 * election, profiling, API priority and fairness, cloud controllers).
 */
import { join } from "node:path";
import type { ClusterState } from "./state.ts";

export const SERVICE_CIDR = "10.96.0.0/16";
export const SERVICE_IP = "10.96.0.1";
export const POD_CIDR = "10.244.0.0/16";
/** Nodes kwok manages carry this annotation; kwok is started with a selector on it. */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

type Ports = ClusterState["ports"];

export function etcdArgs(dir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    "--name=ferry",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=ferry=${peer}`,
    "--initial-cluster-state=new",
    // A throwaway data folder: snapshot rarely, small backend quota.
    "--snapshot-count=10000",
    "--quota-backend-bytes=1073741824",
    "--log-level=warn",
  ];
}

export function apiServerArgs(dir: string, ports: Ports): string[] {
  const pki = join(dir, "pki");
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${ports.apiServer}`,
    `--cert-dir=${join(dir, "apiserver")}`,
    `--tls-cert-file=${join(pki, "apiserver.crt")}`,
    `--tls-private-key-file=${join(pki, "apiserver.key")}`,
    `--client-ca-file=${join(pki, "ca.crt")}`,
    // Published for the controller manager and scheduler (they read it at start); no front proxy gets a
    // certificate with this name, so it authenticates nobody.
    `--requestheader-client-ca-file=${join(pki, "ca.crt")}`,
    "--requestheader-allowed-names=front-proxy-client",
    "--requestheader-username-headers=X-Remote-User",
    "--requestheader-group-headers=X-Remote-Group",
    "--requestheader-extra-headers-prefix=X-Remote-Extra-",
    `--service-account-key-file=${join(pki, "sa.pub")}`,
    `--service-account-signing-key-file=${join(pki, "sa.key")}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--authorization-mode=Node,RBAC",
    "--allow-privileged=true",
    "--enable-priority-and-fairness=false",
    "--profiling=false",
    // The advertised address is loopback, which the endpoint reconcilers refuse; nothing runs in-cluster anyway.
    "--endpoint-reconciler-type=none",
  ];
}

function common(dir: string, kubeconfig: string, port: number): string[] {
  const kc = join(dir, kubeconfig);
  return [
    `--kubeconfig=${kc}`,
    `--authentication-kubeconfig=${kc}`,
    `--authorization-kubeconfig=${kc}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--leader-elect=false",
    "--profiling=false",
  ];
}

export function controllerManagerArgs(dir: string, ports: Ports, clusterName: string): string[] {
  const pki = join(dir, "pki");
  return [
    ...common(dir, "controller-manager.kubeconfig", ports.controllerManager),
    `--cluster-name=${clusterName}`,
    `--service-account-private-key-file=${join(pki, "sa.key")}`,
    `--root-ca-file=${join(pki, "ca.crt")}`,
    "--use-service-account-credentials=true",
    `--cluster-signing-cert-file=${join(pki, "ca.crt")}`,
    `--cluster-signing-key-file=${join(pki, "ca.key")}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    `--cluster-cidr=${POD_CIDR}`,
    "--allocate-node-cidrs=false",
    // Fake nodes only fail when kwok is starved of CPU: a renewal late by a few periods under a loaded
    // test run must not make them NotReady (which marks their Pods not Ready for good, see kwokArgs).
    "--node-monitor-grace-period=3m",
    // Without kubelets, volume attachment and pod autoscaling (no metrics) have nothing to act on.
    "--controllers=*,-persistentvolume-attach-detach-controller,-horizontal-pod-autoscaler-controller,-selinux-warning-controller",
  ];
}

export function schedulerArgs(dir: string, ports: Ports): string[] {
  return common(dir, "scheduler.kubeconfig", ports.scheduler);
}

/**
 * Seconds of a node Lease kwok holds and renews (every quarter of it) for each fake node, as a kubelet
 * does. It must be set: the kwok binary's default is 0, no leases, and the stages file's
 * node-heartbeat-with-lease stage refreshes node status only every 10 to 20 minutes, counting on the
 * lease. Without either heartbeat the controller manager marks every node NotReady after its grace
 * period (50 s), taints it unreachable, and marks every Pod on it not Ready, which kwok's pod-ready stage
 * (Pending Pods only) never undoes: Deployments lose their availability for good. kwokctl uses 40 too.
 */
export const NODE_LEASE_SECONDS = 40;

export function kwokArgs(dir: string, stagesFile: string): string[] {
  return [
    `--kubeconfig=${join(dir, "kwok.kubeconfig")}`,
    `--config=${stagesFile}`,
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
    "--node-ip=127.0.0.1",
    `--node-lease-duration-seconds=${NODE_LEASE_SECONDS}`,
  ];
}

/** A fake node kwok manages: schedulable by any Pod (no taint), generous capacity. */
export function nodeObject(name: string): object {
  const capacity = { cpu: "32", memory: "256Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        type: "kwok",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": name,
        "node-role.kubernetes.io/agent": "",
      },
    },
    status: { allocatable: capacity, capacity },
  };
}
