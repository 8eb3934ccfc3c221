import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { toolPath } from "../dev/tools.ts";
import { generateKustomization, isLocalRelativePath, scanManifests } from "./generate.ts";
import {
  buildKustomization,
  findKustomize,
  KustomizeBuildError,
  KustomizeNotFoundError,
} from "./kustomize.ts";
import { NotAnObjectError } from "./yaml.ts";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const signal = new AbortController().signal;
const runners = {
  standalone: findKustomize({ kustomize: toolPath("kustomize") }),
  kubectl: findKustomize({ path: dirname(toolPath("kubectl")) }),
};

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-kustomize-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test("findKustomize: explicit binary, then kustomize on PATH, then kubectl kustomize", async (t) => {
  const dir = await tempDir(t);
  for (const name of ["kustomize", "kubectl"]) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, name), "#!/bin/sh\n");
    await chmod(join(dir, name, name), 0o755);
  }
  assert.deepEqual(findKustomize({ kustomize: "/opt/k" }).command, "/opt/k");
  const both = findKustomize({ path: `${join(dir, "kubectl")}:${join(dir, "kustomize")}` });
  assert.equal(both.command, join(dir, "kustomize", "kustomize"));
  assert.equal(both.args[0], "build");
  const kubectl = findKustomize({ path: join(dir, "kubectl") });
  assert.deepEqual(kubectl.args, ["kustomize", "--load-restrictor", "LoadRestrictionsNone"]);
  assert.throws(() => findKustomize({ path: join(dir, "nothing") }), KustomizeNotFoundError);
});

for (const [runnerName, runner] of Object.entries(runners)) {
  test(`buildKustomization (${runnerName}): every example overlay builds`, async () => {
    for (const component of ["podinfo", "redis"]) {
      for (const overlay of ["base", "staging", "production"]) {
        const objects = await buildKustomization(join(examples, "components", component, overlay), {
          signal,
          runner,
        });
        assert.ok(objects.some((o) => o.kind === "Deployment" && o.metadata.name === component));
      }
    }
    const prod = await buildKustomization(join(examples, "components/podinfo/production"), {
      signal,
      runner,
    });
    const deploy = prod.find((o) => o.kind === "Deployment") as unknown as {
      spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
    };
    assert.equal(deploy.spec.replicas, 3);
    assert.equal(deploy.spec.template.spec.containers[0]?.image, "ghcr.io/stefanprodan/podinfo:6.9.1");
    assert.ok(prod.some((o) => o.kind === "HorizontalPodAutoscaler"));
  });

  test(`buildKustomization (${runnerName}): errors carry kustomize's message and the real folder`, async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, "kustomization.yaml"), "resources:\n  - missing.yaml\n");
    await assert.rejects(
      buildKustomization(dir, {
        signal,
        runner,
        overrides: { "kustomization.yaml": "resources:\n  - gone.yaml\n" },
      }),
      (err: unknown) =>
        err instanceof KustomizeBuildError &&
        err.dir === dir &&
        err.message.includes("gone.yaml") &&
        !err.message.includes("ferry-render-"),
    );
  });
}

test("buildKustomization: overrides go to a mirror, the folder is untouched", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
  const objects = await buildKustomization(dir, {
    signal,
    runner: runners.standalone,
    overrides: { "kustomization.yaml": "resources:\n  - cm.yaml\nnamespace: ns\n" },
  });
  assert.equal(objects[0]?.metadata.namespace, "ns");
  assert.deepEqual(await readdir(dir), ["cm.yaml"]);
});

test("scanManifests: YAML files recursively, kustomize folders as folders, lexical order", async (t) => {
  const dir = await tempDir(t);
  const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\n`;
  await mkdir(join(dir, "b/nested"), { recursive: true });
  await mkdir(join(dir, "app"));
  await writeFile(join(dir, "z.yml"), cm("z"));
  await writeFile(join(dir, "a.yaml"), cm("a"));
  await writeFile(join(dir, "notes.txt"), "not yaml");
  await writeFile(join(dir, "b/nested/c.yaml"), cm("c"));
  await writeFile(join(dir, "app/kustomization.yaml"), "resources: []\n");
  await writeFile(join(dir, "app/ignored.yaml"), "not: [valid");
  assert.deepEqual(await scanManifests(dir), ["./a.yaml", "./app", "./b/nested/c.yaml", "./z.yml"]);
  await writeFile(join(dir, "bad.yaml"), "just: data\n");
  await assert.rejects(scanManifests(dir), NotAnObjectError);
});

test("generateKustomization: Flux's overlay fields merged into the folder's kustomization", async (t) => {
  const dir = await tempDir(t);
  await writeFile(
    join(dir, "kustomization.yaml"),
    "resources:\n  - a.yaml\nimages:\n  - name: app\n    newTag: '1.0'\n    digest: sha256:00\npatches:\n  - path: p.yaml\n",
  );
  const g = await generateKustomization(dir, {
    targetNamespace: "team",
    namePrefix: "p-",
    nameSuffix: "-s",
    patches: [{ patch: "- op: remove\n  path: /x\n", target: { kind: "Deployment" } }],
    images: [
      { name: "app", newTag: "2.0" },
      { name: "other", newName: "mirror/other", digest: "sha256:11" },
    ],
    components: ["../c"],
    buildMetadata: ["originAnnotations"],
  });
  assert.equal(g.created, false);
  assert.equal(g.file, "kustomization.yaml");
  const { goYamlParse } = await import("./yaml.ts");
  assert.deepEqual(goYamlParse(g.content), {
    resources: ["a.yaml"],
    images: [
      { name: "app", newTag: "2.0" },
      { name: "other", newName: "mirror/other", digest: "sha256:11" },
    ],
    patches: [{ path: "p.yaml" }, { patch: "- op: remove\n  path: /x\n", target: { kind: "Deployment" } }],
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace: "team",
    namePrefix: "p-",
    nameSuffix: "-s",
    components: ["../c"],
    buildMetadata: ["originAnnotations"],
  });
});

test("generateKustomization: empty folders, missing and remote components", async (t) => {
  const dir = await tempDir(t);
  const empty = await generateKustomization(dir);
  assert.equal(empty.created, true);
  assert.match(empty.content, /namespace: _placeholder/);
  const skipped = await generateKustomization(dir, { components: ["./nope"], ignoreMissingComponents: true });
  assert.doesNotMatch(skipped.content, /nope/);
  await assert.rejects(
    generateKustomization(dir, { components: ["https://example.com/c"] }),
    /must be local/,
  );
  assert.equal(isLocalRelativePath("../c"), true);
  assert.equal(isLocalRelativePath("/abs"), false);
  assert.equal(isLocalRelativePath("github.com/org/repo"), false);
});

test("buildKustomization: an aborted signal stops the build", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await assert.rejects(
    buildKustomization(join(examples, "components/podinfo/base"), {
      signal: ac.signal,
      runner: runners.standalone,
    }),
    /stop/,
  );
  await assert.rejects(
    buildKustomization(join(examples, "components/podinfo/base"), {
      signal: ac.signal,
      runner: runners.standalone,
      overrides: { "kustomization.yaml": "resources: []\n" },
    }),
    /stop/,
  );
});
