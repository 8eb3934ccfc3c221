// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} is Flux variable syntax, not a JS template
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { toolPath } from "../dev/tools.ts";
import { UsageError } from "../errors/index.ts";
import { renderKustomization } from "./kustomization.ts";
import { findKustomize } from "./kustomize.ts";
import type { KubeObject } from "./object.ts";
import { SubstitutionError } from "./substitute.ts";
import { parseObjects } from "./yaml.ts";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const fleet = join(examples, "fleet");
const signal = new AbortController().signal;
const runner = findKustomize({ kustomize: toolPath("kustomize") });

async function load(path: string): Promise<KubeObject[]> {
  return parseObjects(await readFile(path, "utf8"), path);
}

for (const env of ["staging", "production"]) {
  test(`renderKustomization: the ${env} tenants get their runtime-info values`, async () => {
    const [ks] = await load(join(fleet, "clusters", env, "tenants.yaml"));
    const sources = await load(join(fleet, "clusters", env, "flux-system/runtime-info.yaml"));
    const objects = await renderKustomization(ks as KubeObject, {
      signal,
      runner,
      sourceDir: fleet,
      sources,
    });
    assert.equal(objects.length, 1);
    const rset = objects[0] as KubeObject & { spec: { inputs: Array<Record<string, string>> } };
    assert.equal(rset.kind, "ResourceSet");
    const tag = env === "staging" ? "latest" : "latest-stable";
    assert.deepEqual(
      rset.spec.inputs.map((i) => [i.tenant, i.tag, i.environment, i.registry]),
      [
        ["podinfo", tag, env, "registry.example.com/ferry"],
        ["redis", tag, env, "registry.example.com/ferry"],
      ],
    );
  });
}

test("renderKustomization: Flux overlay fields, substitution and common metadata on a component", async () => {
  const ks: KubeObject = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "podinfo", namespace: "podinfo" },
    spec: {
      path: "./podinfo/staging",
      targetNamespace: "team-a",
      namePrefix: "a-",
      images: [{ name: "ghcr.io/stefanprodan/podinfo", newTag: "6.9.0" }],
      patches: [
        {
          target: { kind: "Service" },
          patch: "- op: replace\n  path: /spec/type\n  value: NodePort\n",
        },
      ],
      commonMetadata: { labels: { team: "a" }, annotations: { owner: "a@example.com" } },
      postBuild: { substitute: { CLUSTER_NAME: "edge-1" } },
    },
  };
  const objects = await renderKustomization(ks, { signal, runner, sourceDir: join(examples, "components") });
  const deploy = objects.find((o) => o.kind === "Deployment") as KubeObject & {
    spec: { template: { spec: { containers: Array<{ image: string; env: Array<{ value: string }> }> } } };
  };
  assert.equal(deploy.metadata.name, "a-podinfo");
  assert.equal(deploy.metadata.namespace, "team-a");
  assert.equal(deploy.metadata.labels?.team, "a");
  assert.equal(deploy.metadata.annotations?.owner, "a@example.com");
  const container = deploy.spec.template.spec.containers[0];
  assert.equal(container?.image, "ghcr.io/stefanprodan/podinfo:6.9.0");
  assert.equal(container?.env[0]?.value, "Hello from edge-1");
  const svc = objects.find((o) => o.kind === "Service") as KubeObject & { spec: { type: string } };
  assert.equal(svc.spec.type, "NodePort");
});

test("renderKustomization: without postBuild, ${VAR} is left alone; strict mode names the variable", async () => {
  const base = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "podinfo", namespace: "podinfo" },
  };
  const plain = await renderKustomization(
    { ...base, spec: { path: "podinfo/base" } },
    { signal, runner, sourceDir: join(examples, "components") },
  );
  assert.match(JSON.stringify(plain), /Hello from \$\{CLUSTER_NAME\}/);
  await assert.rejects(
    renderKustomization(
      { ...base, spec: { path: "podinfo/base", postBuild: { substitute: { OTHER: "x" } } } },
      { signal, runner, sourceDir: join(examples, "components"), strictSubstitute: true },
    ),
    (err: unknown) => err instanceof SubstitutionError && err.variable === "CLUSTER_NAME",
  );
});

test("renderKustomization: a path outside the source is refused", async () => {
  await assert.rejects(
    renderKustomization(
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "x" },
        spec: { path: "../.." },
      },
      { signal, runner, sourceDir: fleet },
    ),
    UsageError,
  );
});

test("renderKustomization: a kustomization without resources gets origin annotations, as in Flux", async (t) => {
  const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const dir = await mkdtemp(join(tmpdir(), "ferry-ks-origin-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, "kustomization.yaml"),
    "configMapGenerator:\n  - name: settings\n    literals: [a=b]\ngeneratorOptions:\n  disableNameSuffixHash: true\n",
  );
  const objects = await renderKustomization(
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "s" },
      spec: {},
    },
    { signal, runner, sourceDir: dir },
  );
  assert.equal(objects[0]?.metadata.name, "settings");
  assert.match(
    objects[0]?.metadata.annotations?.["config.kubernetes.io/origin"] ?? "",
    /configuredIn: kustomization\.yaml/,
  );
});
