/**
 * The MTTP workload of fluxcd/flux-benchmark (timoni module `flux-ks-bench`, manifests/podinfo): per app an
 * OCI artifact holding podinfo's Deployment (scaled to zero), ServiceAccount, Service and Ingress with
 * `${INDEX}` / `${PODS}` / `${MCPU}` left for postBuild substitution, and an OCIRepository + Kustomization
 * pair deploying it into the `kustomize-benchmark` namespace as the `flux` service account (namespace admin).
 * Object settings are the benchmark's: OCIRepository every 60m, insecure, tag `latest`; Kustomization every
 * 60m, retry 2m, path `/`, prune, wait with a 1m timeout, `targetNamespace`, impersonation.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyObject, type KubeClient, type KubeObject } from "../../src/kube/index.ts";
import { OciClient, parseReference } from "../../src/oci/index.ts";
import { pushArtifact } from "../../src/publish/index.ts";

export const NAMESPACE = "kustomize-benchmark";
/** Timoni instance name of the benchmark bundle: objects are `podinfo-ks-<i>`. */
export const INSTANCE = "podinfo-ks";
const SA = "flux";
const labels = { "toolkit.fluxcd.io/tenant": INSTANCE };

/** podinfo 6.5.3's manifests as the benchmark ships them (variables substituted per Kustomization). */
function podinfoYaml(header: string): string {
  const meta = (name: string) =>
    `metadata:\n  name: "${name}"\n  labels:\n    app.kubernetes.io/name: "podinfo-\${INDEX}"\n    app.kubernetes.io/version: "6.5.3"\n    app.kubernetes.io/managed-by: Flux\n`;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a postBuild variable, substituted per Kustomization
  const n = "podinfo-${INDEX}";
  return `${header}
---
apiVersion: v1
kind: ServiceAccount
${meta(n)}---
apiVersion: v1
kind: Service
${meta(n)}spec:
  type: ClusterIP
  ports:
    - {port: 9898, targetPort: http, protocol: TCP, name: http}
    - {port: 9999, targetPort: grpc, protocol: TCP, name: grpc}
  selector:
    app.kubernetes.io/name: "${n}"
---
apiVersion: apps/v1
kind: Deployment
${meta(n)}spec:
  replicas: \${PODS:=0}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  selector:
    matchLabels:
      app.kubernetes.io/name: "${n}"
  template:
    metadata:
      labels:
        app.kubernetes.io/name: "${n}"
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9898"
    spec:
      terminationGracePeriodSeconds: 30
      serviceAccountName: "${n}"
      containers:
        - name: podinfo
          image: "ghcr.io/stefanprodan/podinfo:6.5.3"
          imagePullPolicy: IfNotPresent
          command: [./podinfo, --port=9898, --cert-path=/data/cert, --port-metrics=9797, --grpc-port=9999,
            --grpc-service-name=podinfo, --level=info, --random-delay=false, --random-error=false]
          env:
            - {name: PODINFO_UI_COLOR, value: "#34577c"}
          ports:
            - {name: http, containerPort: 9898, protocol: TCP}
            - {name: http-metrics, containerPort: 9797, protocol: TCP}
            - {name: grpc, containerPort: 9999, protocol: TCP}
          livenessProbe:
            exec: {command: [podcli, check, http, "localhost:9898/healthz"]}
            initialDelaySeconds: 1
            timeoutSeconds: 5
            failureThreshold: 3
            successThreshold: 1
            periodSeconds: 10
          readinessProbe:
            exec: {command: [podcli, check, http, "localhost:9898/readyz"]}
            initialDelaySeconds: 1
            timeoutSeconds: 5
            failureThreshold: 3
            successThreshold: 1
            periodSeconds: 10
          volumeMounts:
            - {name: data, mountPath: /data}
          resources:
            requests: {cpu: "\${MCPU}", memory: 16Mi}
      volumes:
        - {name: data, emptyDir: {}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
${meta(n)}spec:
  ingressClassName: "nginx"
  rules:
    - host: "${n}.local"
      http:
        paths:
          - path: /
            pathType: ImplementationSpecific
            backend:
              service:
                name: "${n}"
                port: {number: 9898}
`;
}

/** Repository of app `i` under `prefix` (host/path): one per app, or one for all with `shared`. */
export function appRepository(prefix: string, i: number, shared: boolean): string {
  return shared ? `${prefix}/manifests/podinfo` : `${prefix}/apps/podinfo-${i}`;
}

/**
 * Pushes the app packages as `:latest`: `count` artifacts that differ only by a comment line (so no two share
 * a digest and no store can deduplicate them), or with `shared` the benchmark's single `manifests/podinfo`
 * artifact every OCIRepository pulls. Returns the seconds it took.
 */
export async function pushApps(opts: {
  prefix: string;
  count: number;
  shared: boolean;
  signal: AbortSignal;
}): Promise<number> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), "ferry-bench-mttp-apps-"));
  const client = new OciClient({});
  try {
    const n = opts.shared ? 1 : opts.count;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++) {
        const src = join(dir, String(i));
        await mkdir(src);
        await writeFile(join(src, "podinfo.yaml"), podinfoYaml(`# app package ${i}`));
        await pushArtifact(client, parseReference(`${appRepository(opts.prefix, i, opts.shared)}:latest`), {
          path: src,
          source: "https://github.com/fluxcd/flux-benchmark",
          revision: `latest@sha1:${i.toString(16).padStart(40, "0")}`,
          reproducible: true,
          signal: opts.signal,
        });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return (performance.now() - t0) / 1000;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The namespace, the `flux` service account and its namespace-admin RoleBinding (the module's objects). */
export function tenantObjects(): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE, labels } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SA, namespace: NAMESPACE, labels } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: INSTANCE, namespace: NAMESPACE, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ kind: "ServiceAccount", name: SA, namespace: NAMESPACE }],
    },
  ];
}

/** OCIRepository and Kustomization of app `i`. */
export function appObjects(prefix: string, i: number, shared: boolean): [KubeObject, KubeObject] {
  const name = `${INSTANCE}-${i}`;
  return [
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name, namespace: NAMESPACE, labels },
      spec: {
        interval: "60m",
        insecure: true,
        url: `oci://${appRepository(prefix, i, shared)}`,
        ref: { tag: "latest" },
      },
    },
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name, namespace: NAMESPACE, labels },
      spec: {
        sourceRef: { kind: "OCIRepository", name },
        interval: "60m",
        retryInterval: "2m",
        path: "/",
        prune: true,
        wait: true,
        timeout: "1m",
        serviceAccountName: SA,
        targetNamespace: NAMESPACE,
        postBuild: { substitute: { INDEX: `${i}app`, PODS: "0", MCPU: "1m" } },
      },
    },
  ];
}

/** Server-side applies `objects` with `parallel` requests in flight; returns the seconds it took. */
export async function applyAllObjects(
  client: KubeClient,
  objects: KubeObject[],
  opts: { parallel: number; signal: AbortSignal },
): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < objects.length; i = next++) {
      await applyObject(client, objects[i]!, { signal: opts.signal, fieldManager: "timoni" });
    }
  };
  await Promise.all(Array.from({ length: opts.parallel }, worker));
  return (performance.now() - t0) / 1000;
}
