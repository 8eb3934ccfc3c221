/**
 * Differential test against the real flux-operator CLI (built from its pinned module):
 * `flux-operator build resourceset` runs flux-operator's own input combination and builder. For each case,
 * Ferry's expansion must produce the same objects in the same order.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { toolPath } from "../../dev/tools.ts";
import type { KubeObject } from "../object.ts";
import { parseObjects } from "../yaml.ts";
import { expandResourceSet, templateRenderer } from "./index.ts";

const run = promisify(execFile);
const operator = toolPath("flux-operator");
const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

async function compare(
  t: { after: (fn: () => Promise<void>) => void },
  rsetYaml: string,
  providersYaml?: string,
) {
  const dir = await mkdtemp(join(tmpdir(), "ferry-rset-diff-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "rset.yaml"), rsetYaml);
  const args = ["build", "resourceset", "-f", join(dir, "rset.yaml")];
  if (providersYaml) {
    await writeFile(join(dir, "providers.yaml"), providersYaml);
    args.push("--inputs-from-provider", join(dir, "providers.yaml"));
  }
  const { stdout } = await run(operator, args, {
    env: { HOME: dir, PATH: process.env.PATH },
    maxBuffer: 64 << 20,
  });
  const want = parseObjects(stdout, "flux-operator build");
  const [rset] = parseObjects(rsetYaml, "rset.yaml");
  const providers = providersYaml ? parseObjects(providersYaml, "providers.yaml") : [];
  const got = expandResourceSet(rset as KubeObject, { render: templateRenderer(), providers }).objects;
  assert.deepEqual(got, want);
  return got;
}

test("flux-operator parity: the example tenants", async (t) => {
  const got = await compare(t, await readFile(join(examples, "fleet/tenants/apps.yaml"), "utf8"));
  assert.equal(got.length, 14);
});

test("flux-operator parity: union, dedup, exclusion, sprig functions, templates with ranges", async (t) => {
  await compare(
    t,
    `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: bundles
  namespace: flux-system
spec:
  commonMetadata:
    labels:
      team: platform
    annotations:
      note: generated
  inputs:
    - bundle: Addons Bundle
      replicas: "2"
      decryption: false
      components: [ingress-nginx, cert-manager]
      layer: {mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy}
    - bundle: apps
      replicas: 3
      decryption: true
      components: [frontend, backend]
      layer: {operation: extract}
  resources:
    - apiVersion: source.toolkit.fluxcd.io/v1
      kind: OCIRepository
      metadata:
        name: << inputs.bundle | slugify >>
        namespace: flux-system
      spec:
        interval: 10m
        url: oci://registry.example.com/<< inputs.bundle | slugify >>
        ref:
          tag: << get inputs "tag" | default "latest" | quote >>
        layerSelector: << inputs.layer | toYaml | nindent 10 >>
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: shared
        namespace: flux-system
        annotations:
          fluxcd.controlplane.io/reconcile: << if eq (inputs.replicas | int) 3 >>enabled<< else >>disabled<< end >>
      data:
        from: resources
        replicas: << inputs.replicas | quote >>
  resourcesTemplate: |
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: shared
      namespace: flux-system
    data:
      from: template
    <<- range $c := inputs.components >>
    ---
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata:
      name: << $c >>
      namespace: flux-system
    spec:
      interval: 1h
      prune: true
      <<- if inputs.decryption >>
      decryption:
        provider: sops
      <<- end >>
      sourceRef:
        kind: OCIRepository
        name: << inputs.bundle | slugify >>
      path: ./<< $c >>
    <<- end >>
`,
  );
});

test("flux-operator parity: Permute over in-line inputs and Static providers by name and selector", async (t) => {
  const provider = (name: string, labels: string, values: string) =>
    `apiVersion: fluxcd.controlplane.io/v1\nkind: ResourceSetInputProvider\nmetadata:\n  name: ${name}\n  namespace: apps\n  labels: ${labels}\nspec:\n  type: Static\n  defaultValues: ${values}\n`;
  const providers = [
    provider("git-tag", "{kind: git}", "{sha: bf5d6e01}"),
    provider("OCI.Tag", "{kind: oci}", "{digest: 'sha256:d4ec'}"),
    provider("other", "{kind: none}", "{x: y}"),
  ].join("---\n");
  const rset = (strategy: string) => `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: my-rset
  namespace: apps
spec:
  inputStrategy:
    name: ${strategy}
  inputs:
    - id: id1
      someField: foo
    - id: id2
      someField: bar
  inputsFrom:
    - kind: ResourceSetInputProvider
      name: git-tag
    - selector:
        matchExpressions:
          - {key: kind, operator: In, values: [oci]}
  resources:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: cm-<< inputs.id >>
        namespace: apps
      data:
        all: << toJson inputs | quote >>
`;
  await compare(t, rset("Permute"), providers);
  await compare(
    t,
    rset("Flatten").replace("cm-<< inputs.id >>", "cm-<< inputs.id >>-<< inputs.provider.kind | lower >>"),
    providers,
  );
});

test("flux-operator parity: steps and a ResourceSet without inputs", async (t) => {
  await compare(
    t,
    `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: staged
  namespace: apps
spec:
  inputs:
    - version: v1.0.0
  steps:
    - name: db-migration
      timeout: 5m
      resources:
        - apiVersion: batch/v1
          kind: Job
          metadata:
            name: db-migration
            namespace: apps
          spec:
            template:
              spec:
                restartPolicy: Never
                containers:
                  - name: migration
                    image: ghcr.io/org/my-app:<< inputs.version >>
    - name: app
      resourcesTemplate: |
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app
          namespace: apps
        data:
          version: << inputs.version | quote >>
`,
  );
  await compare(
    t,
    `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: static
  namespace: apps
spec:
  resources:
    - apiVersion: v1
      kind: Namespace
      metadata:
        name: static-<< "ns" | upper | lower >>
    - apiVersion: v1
      kind: Namespace
      metadata:
        name: static-ns
`,
  );
});
