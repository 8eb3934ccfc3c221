/**
 * Template benchmark: renders a ResourceSet-like template (8 resources, `<< >>` delimiters, sprig and
 * ResourceSet functions, missingkey=error) for 1,000 input sets, parsing once and executing per input (as a
 * ResourceSet controller does), and for comparison parsing per input. Prints time and peak RSS.
 */
import { parse, renderTemplate } from "../src/template/index.ts";

const template = `<<- $name := inputs.tenant | slugify >>
<<- $ns := printf "tenant-%s" $name >>
---
apiVersion: v1
kind: Namespace
metadata:
  name: << $ns >>
  labels:
    toolkit.fluxcd.io/tenant: << $name >>
    team: << inputs.team | default "platform" | quote >>
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: flux
  namespace: << $ns >>
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: flux
  namespace: << $ns >>
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: << if inputs.admin >>cluster-admin<< else >>edit<< end >>
subjects:
  - kind: ServiceAccount
    name: flux
    namespace: << $ns >>
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: quota
  namespace: << $ns >>
spec:
  hard:
    pods: "<< mul inputs.replicas 10 >>"
    limits.cpu: "<< inputs.cpu >>"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: values
  namespace: << $ns >>
data:
  values.yaml: |
    << inputs.values | toYaml | nindent 4 | trim >>
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: apps
  namespace: << $ns >>
spec:
  interval: 10m
  url: oci://ghcr.io/example/<< $name >>
  ref:
    semver: "<< inputs.semver | default "*" >>"
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: << $ns >>
spec:
  interval: 10m
  sourceRef:
    kind: OCIRepository
    name: apps
  path: ./<< inputs.env >>
  prune: true
  patches:
<<- range $i, $c := inputs.components >>
    - target:
        kind: Deployment
        name: << $c >>
      patch: |
        - op: replace
          path: /spec/replicas
          value: << inputs.replicas >>
<<- end >>
---
apiVersion: v1
kind: Secret
metadata:
  name: << $name >>-token
  namespace: << $ns >>
stringData:
  token: << printf "%s-%s" $name inputs.env | sha256sum | trunc 16 | b64enc >>
`;

function inputsFor(i: number): Record<string, unknown> {
  return {
    tenant: `Team ${i} Alpha`,
    team: i % 3 === 0 ? "" : `team-${i % 7}`,
    admin: i % 5 === 0,
    replicas: 1 + (i % 4),
    cpu: `${(i % 8) + 1}`,
    env: i % 2 === 0 ? "staging" : "production",
    semver: i % 2 === 0 ? ">=1.0.0" : "",
    components: ["frontend", "backend", "worker"].slice(0, 1 + (i % 3)),
    values: {
      image: { repository: `ghcr.io/example/app${i}`, tag: `1.${i}.0` },
      ingress: { enabled: i % 2 === 0 },
    },
  };
}

export async function run(): Promise<void> {
  const count = 1000;
  const opts = {
    name: "resourceset",
    delims: ["<<", ">>"] as [string, string],
    functions: "resourceset" as const,
    missingKey: "error" as const,
  };
  const rows: Array<[string, number, number, number]> = [];

  let start = performance.now();
  const t = parse(template, opts);
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += t.execute(inputsFor(i)).length;
  rows.push([
    "parse once, execute per input",
    performance.now() - start,
    bytes,
    process.resourceUsage().maxRSS,
  ]);

  start = performance.now();
  bytes = 0;
  for (let i = 0; i < count; i++) bytes += renderTemplate(template, inputsFor(i), opts).length;
  rows.push(["renderTemplate per input", performance.now() - start, bytes, process.resourceUsage().maxRSS]);

  console.log(`inputs: ${count}, resources per input: 8`);
  console.log("| mode | total ms | per input ms | output MiB | peak RSS MiB |");
  console.log("|---|---|---|---|---|");
  for (const [mode, ms, b, rssKb] of rows) {
    console.log(
      `| ${mode} | ${ms.toFixed(0)} | ${(ms / count).toFixed(3)} | ${(b / 1048576).toFixed(2)} | ${(rssKb / 1024).toFixed(0)} |`,
    );
  }
}

if (import.meta.main) await run();
