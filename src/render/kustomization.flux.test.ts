// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} is Flux variable syntax, not a JS template
/**
 * Differential test against the real `flux` CLI (built from its pinned module): `flux build kustomization
 * --dry-run --in-memory-build` runs kustomize-controller's own generator and substitution code. For each case,
 * Ferry's renderKustomization must produce the same objects.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { toolPath } from "../dev/tools.ts";
import { renderKustomization } from "./kustomization.ts";
import { findKustomize } from "./kustomize.ts";
import { identityOf, type KubeObject } from "./object.ts";
import { parseObjects, stringifyObjects } from "./yaml.ts";

const run = promisify(execFile);
const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const signal = new AbortController().signal;
const runner = findKustomize({ kustomize: toolPath("kustomize") });
const flux = toolPath("flux");

function byIdentity(objects: KubeObject[]): Record<string, KubeObject> {
  return Object.fromEntries(objects.map((o) => [identityOf(o), o]));
}

async function compare(
  t: { after: (fn: () => Promise<void>) => void },
  dir: string,
  spec: Record<string, unknown>,
  strict = false,
  root?: string,
) {
  const tmp = await mkdtemp(join(tmpdir(), "ferry-flux-diff-"));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const ks: KubeObject = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "app", namespace: "apps" },
    spec: {
      interval: "10m",
      prune: true,
      sourceRef: { kind: "OCIRepository", name: "app" },
      path: "./",
      ...spec,
    },
  };
  await writeFile(join(tmp, "ks.yaml"), stringifyObjects([ks]));
  const args = [
    "build",
    "kustomization",
    "app",
    "-n",
    "apps",
    "--path",
    dir,
    "--kustomization-file",
    join(tmp, "ks.yaml"),
  ];
  args.push("--dry-run", "--in-memory-build", ...(strict ? ["--strict-substitute"] : []));
  const { stdout } = await run(flux, args, {
    cwd: root ?? dir,
    env: { HOME: tmp, PATH: process.env.PATH },
    maxBuffer: 64 << 20,
  });
  const want = byIdentity(parseObjects(stdout, "flux build"));
  const got = byIdentity(
    await renderKustomization(
      { ...ks, spec: { ...(ks.spec as object), path: "." } },
      { signal, runner, sourceDir: dir, strictSubstitute: strict },
    ),
  );
  assert.deepEqual(got, want);
}

test("flux build parity: overlay fields, images, patches, common metadata, inline substitution", async (t) => {
  await compare(
    t,
    join(examples, "components/podinfo/production"),
    {
      targetNamespace: "edge",
      namePrefix: "edge-",
      nameSuffix: "-v1",
      images: [
        { name: "ghcr.io/stefanprodan/podinfo", newName: "mirror.example.com/podinfo", newTag: "6.0.0" },
      ],
      patches: [
        {
          target: { kind: "Deployment" },
          patch: '- op: add\n  path: /metadata/annotations\n  value: {patched: "yes"}\n',
        },
        { patch: "apiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo\nspec:\n  type: NodePort\n" },
      ],
      commonMetadata: { labels: { team: "a" }, annotations: { owner: "a@example.com" } },
      postBuild: { substitute: { CLUSTER_NAME: "3" } },
    },
    false,
    join(examples, "components/podinfo"),
  );
});

test("flux build parity: generated kustomization and every substitution form", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-flux-diff-src-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "nested/deeper"), { recursive: true });
  await mkdir(join(dir, "overlay"));
  const cm = (name: string, data: Record<string, string>, extra = "") =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}data:\n${Object.entries(data)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join("\n")}\n`;
  await writeFile(
    join(dir, "vars.yaml"),
    cm("vars", {
      plain: "${NAME}",
      quoted: "'${NAME}'",
      def: "${MISSING:=fallback}",
      empty: '"${EMPTY:-was empty}"',
      upper: "${NAME^^}",
      len: '"${#NAME}"',
      sub: '"${NAME:1:3}"',
      trim: '"${FILE%.*}"',
      repl: '"${FILE//./-}"',
      escaped: '"$${NAME}"',
      dollar: '"cost: 5$"',
    }),
  );
  await writeFile(
    join(dir, "nested/deeper/typed.yaml"),
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typed\nspec:\n  replicas: \${REPLICAS}\n  paused: \${PAUSED}\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: "img:\${TAG:=1.0}"}]}\n`,
  );
  await writeFile(
    join(dir, "nested/optout.yaml"),
    cm(
      "optout",
      { kept: "${NAME}" },
      "  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n",
    ),
  );
  await writeFile(join(dir, "overlay/kustomization.yaml"), "resources: [cm.yaml]\nnamePrefix: inner-\n");
  await writeFile(join(dir, "overlay/cm.yaml"), cm("in-overlay", { v: "${NAME}" }));
  await writeFile(join(dir, "notes.txt"), "not yaml\n");
  const substitute = { NAME: "podinfo", EMPTY: "", FILE: "a.tar.gz", REPLICAS: "2", PAUSED: "on" };
  await compare(t, dir, { postBuild: { substitute } });
  await compare(t, dir, { targetNamespace: "team", postBuild: { substitute } }, true);
});

test("flux build parity: the example fleet's tenants with each cluster's runtime info", async (t) => {
  for (const cluster of ["staging", "production"]) {
    const [info] = parseObjects(
      await readFile(join(examples, "fleet/clusters", cluster, "flux-system/runtime-info.yaml"), "utf8"),
      "runtime-info.yaml",
    );
    const substitute = (info as KubeObject & { data: Record<string, string> }).data;
    await compare(
      t,
      join(examples, "fleet/tenants"),
      { postBuild: { substitute } },
      true,
      join(examples, "fleet"),
    );
  }
});
