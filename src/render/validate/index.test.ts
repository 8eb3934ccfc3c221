import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { toolPath } from "../../dev/tools.ts";
import { findKustomize } from "../kustomize.ts";
import { formatProblem, validateDir } from "./index.ts";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));
const signal = new AbortController().signal;
const runner = findKustomize({ kustomize: toolPath("kustomize") });

test("validateDir: the example fleet is clean, even in strict mode", async () => {
  const result = await validateDir(examples, { signal, runner, strict: true });
  assert.deepEqual(result.problems.map(formatProblem), []);
  assert.ok(result.overlays >= 8, `overlays: ${result.overlays}`);
  assert.ok(result.objects >= 20, `objects: ${result.objects}`);
});

test("validateDir: each kind of problem names the file, the object and the field", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-validate-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, "broken.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
  );
  await writeFile(
    join(dir, "deploy.yaml"),
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: {name: web, namespace: apps}",
      "spec:",
      "  replicas: three",
      "  selector: {matchLabels: {app: web}}",
      "  template:",
      "    metadata: {labels: {app: web}}",
      "    spec:",
      "      containers: [{name: web, image: nginx, colour: blue}]",
      "---",
      "apiVersion: example.com/v1",
      "kind: Widget",
      "metadata: {name: w}",
      "spec: {size: 3}",
      "",
    ].join("\n"),
  );
  await writeFile(
    join(dir, "crd.yaml"),
    [
      "apiVersion: apiextensions.k8s.io/v1",
      "kind: CustomResourceDefinition",
      "metadata: {name: gadgets.example.com}",
      "spec:",
      "  group: example.com",
      "  names: {kind: Gadget, plural: gadgets}",
      "  scope: Namespaced",
      "  versions:",
      "    - name: v1",
      "      served: true",
      "      storage: true",
      "      schema:",
      "        openAPIV3Schema:",
      "          type: object",
      "          properties:",
      "            spec: {type: object, properties: {size: {type: integer}}}",
      "---",
      "apiVersion: example.com/v1",
      "kind: Gadget",
      "metadata: {name: g}",
      "spec: {size: big}",
      "",
    ].join("\n"),
  );
  await mkdir(join(dir, "overlay"));
  await writeFile(join(dir, "overlay", "kustomization.yaml"), "resources:\n  - missing.yaml\n");
  await writeFile(join(dir, "values.yaml"), "replicaCount: 2\n");

  const lenient = await validateDir(dir, { signal, runner });
  assert.deepEqual(lenient.problems.map(formatProblem), [
    "error: broken.yaml:5: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]; fix the syntax there",
    "warning: values.yaml:1: not a Kubernetes object (no apiVersion and kind): skipped",
    lenient.problems[2] ? formatProblem(lenient.problems[2]) : "",
    'error: crd.yaml:18: Gadget/g: spec.size: must be an integer, got string "big"',
    'error: deploy.yaml:1: Deployment/apps/web: spec.replicas: must be an integer, got string "three"',
    "warning: deploy.yaml:12: Widget/w: unknown kind example.com/v1/Widget: no schema to check it against (add its CRD to the folder)",
  ]);
  assert.match(
    formatProblem(lenient.problems[2]!),
    /^error: overlay: kustomize build failed: .*missing\.yaml/,
  );
  const strict = await validateDir(dir, { signal, runner, strict: true });
  const lines = strict.problems.map(formatProblem);
  assert.ok(
    lines.includes(
      "error: deploy.yaml:1: Deployment/apps/web: spec.template.spec.containers[0].colour: is not a known field",
    ),
    lines.join("\n"),
  );
  assert.ok(lines.some((l) => l.startsWith("error: deploy.yaml:12: Widget/w: unknown kind")));
});

test("validateDir: a kustomize Component is checked through the overlay that uses it", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-validate-component-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "component"));
  await mkdir(join(dir, "app"));
  await writeFile(
    join(dir, "component", "kustomization.yaml"),
    "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - cm.yaml\n",
  );
  await writeFile(
    join(dir, "component", "cm.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  n: 1\n",
  );
  await writeFile(join(dir, "app", "kustomization.yaml"), "resources: []\ncomponents:\n  - ../component\n");
  const result = await validateDir(dir, { signal, runner });
  assert.deepEqual(result.problems.map(formatProblem), [
    "error: app (kustomize build): ConfigMap/extra: data.n: must be a string, got number 1",
  ]);
});

test("validateDir --expand-resourcesets: generated objects are checked, a broken template is a problem", async (t) => {
  const fleet = await validateDir(examples, { signal, runner, strict: true, expandResourceSets: true });
  assert.deepEqual(fleet.problems.map(formatProblem), []);
  const plain = await validateDir(examples, { signal, runner, strict: true });
  assert.equal(fleet.objects, plain.objects + 14);

  const dir = await mkdtemp(join(tmpdir(), "ferry-validate-rset-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, "rset.yaml"),
    [
      "apiVersion: fluxcd.controlplane.io/v1",
      "kind: ResourceSet",
      "metadata: {name: r, namespace: flux-system}",
      "spec:",
      "  inputs: [{n: 1}]",
      "  resources:",
      "    - {apiVersion: v1, kind: Service, metadata: {name: s, namespace: d}, spec: {ports: [{port: '<< inputs.n >>x'}]}}",
      "    - {apiVersion: v1, kind: ConfigMap, metadata: {name: '<< inputs.missing >>'}}",
      "",
    ].join("\n"),
  );
  const result = await validateDir(dir, { signal, runner, expandResourceSets: true });
  const lines = result.problems.map(formatProblem);
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(
    lines[0] ?? "",
    /^error: rset\.yaml:1: ResourceSet\/flux-system\/r: expansion failed: .*spec\.resources\[1\] .*no entry for key "missing"/,
  );
  await writeFile(
    join(dir, "rset.yaml"),
    (await import("node:fs"))
      .readFileSync(join(dir, "rset.yaml"), "utf8")
      .replace(/ {4}- \{apiVersion: v1, kind: ConfigMap.*\n/, ""),
  );
  const typed = await validateDir(dir, { signal, runner, expandResourceSets: true });
  assert.deepEqual(typed.problems.map(formatProblem), [
    'error: rset.yaml (expanded ResourceSet/flux-system/r): Service/d/s: spec.ports[0].port: must be an integer, got string "1x"',
  ]);
});
