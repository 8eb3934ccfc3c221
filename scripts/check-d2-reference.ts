/**
 * One-off check, run by hand: renders the reference D2 fleet (../shared/reference/d2-fleet, not part of
 * Ferry and not used by the tests) for the staging and prod-eu clusters with each cluster's runtime-info,
 * expands the tenant ResourceSets, and compares the result with what the D2 documentation says each
 * cluster gets. Prints one line per check and exits non-zero on a mismatch. Result recorded in docs/render.md.
 *
 *   node scripts/check-d2-reference.ts [FLEET_DIR]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { findTool } from "../src/dev/tools.ts";
import {
  findKustomize,
  type KubeObject,
  parseObjects,
  renderKustomization,
  stringifyObjects,
} from "../src/render/index.ts";
import { expandResourceSet, templateRenderer } from "../src/render/resourceset/index.ts";

const fleet = resolve(process.argv[2] ?? "/work/shared/reference/d2-fleet");
const signal = AbortSignal.timeout(120_000);
const runner = findKustomize({ kustomize: findTool("kustomize"), path: process.env.PATH ?? "" });
const render = templateRenderer();
let failures = 0;

function check(cluster: string, what: string, got: unknown, want: unknown): void {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  if (!ok) failures++;
  console.log(
    `${ok ? "ok  " : "FAIL"} ${cluster}: ${what}: ${JSON.stringify(got)}${ok ? "" : ` (want ${JSON.stringify(want)})`}`,
  );
}

async function load(path: string): Promise<KubeObject[]> {
  return parseObjects(await readFile(path, "utf8"), path);
}

const expected = {
  staging: { tag: "latest", env: "staging", subject: "push-artifact\\.yaml@refs/heads/main$" },
  "prod-eu": { tag: "latest-stable", env: "production", subject: "release-artifact\\.yaml@refs/tags/.*$" },
} as const;

for (const [cluster, want] of Object.entries(expected)) {
  const sources = await load(join(fleet, "clusters", cluster, "flux-system/runtime-info.yaml"));
  // The cluster's own folder, as the FluxInstance sync Kustomization builds it (no kustomization.yaml there).
  const root = await renderKustomization(
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "flux-system", namespace: "flux-system" },
      spec: { path: `clusters/${cluster}` },
    },
    { signal, runner, sourceDir: fleet },
  );
  const instance = root.find((o) => o.kind === "FluxInstance") as KubeObject & {
    spec: { sync: { ref: string; path: string } };
  };
  check(
    cluster,
    "FluxInstance sync ref and path",
    [instance.spec.sync.ref, instance.spec.sync.path],
    [want.tag === "latest" ? "latest" : "latest-stable", `clusters/${cluster}`],
  );
  const tenantsKs = root.find((o) => o.kind === "Kustomization" && o.metadata.name === "tenants");
  if (!tenantsKs) throw new Error(`${cluster}: no tenants Kustomization`);
  const rendered = await renderKustomization(tenantsKs, {
    signal,
    runner,
    sourceDir: fleet,
    sources,
    strictSubstitute: true,
  });
  check(cluster, "ResourceSets from ./tenants", rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
    "ResourceSet/apps",
    "ResourceSet/infra",
    "ResourceSet/policies",
  ]);
  const objects = rendered.flatMap((r) => expandResourceSet(structuredClone(r), { render }).objects);
  const operator = findTool("flux-operator");
  if (operator) {
    // The same ResourceSets through flux-operator's own CLI must give the same objects.
    const tmp = mkdtempSync(join(tmpdir(), "ferry-d2-"));
    try {
      const theirs = rendered.flatMap((r) => {
        writeFileSync(join(tmp, "rset.yaml"), stringifyObjects([r]));
        const out = execFileSync(operator, ["build", "resourceset", "-f", join(tmp, "rset.yaml")], {
          env: { HOME: tmp, PATH: process.env.PATH },
          encoding: "utf8",
        });
        return parseObjects(out, "flux-operator");
      });
      check(
        cluster,
        "same objects as flux-operator build resourceset",
        isDeepStrictEqual(objects, theirs),
        true,
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  check(
    cluster,
    "tenant namespaces",
    of("Namespace")
      .map((o) => o.metadata.name)
      .sort(),
    ["backend", "cert-manager", "frontend", "monitoring"],
  );
  const repos = of("OCIRepository") as Array<
    KubeObject & {
      spec: {
        url: string;
        ref: { tag: string };
        verify?: { matchOIDCIdentity?: Array<{ subject: string }> };
      };
    }
  >;
  check(cluster, "OCIRepository URLs", repos.map((r) => `${r.metadata.namespace}: ${r.spec.url}`).sort(), [
    "backend: oci://ghcr.io/controlplaneio-fluxcd/d2-apps/backend",
    "cert-manager: oci://ghcr.io/controlplaneio-fluxcd/d2-infra/cert-manager",
    "frontend: oci://ghcr.io/controlplaneio-fluxcd/d2-apps/frontend",
    "monitoring: oci://ghcr.io/controlplaneio-fluxcd/d2-infra/monitoring",
  ]);
  check(cluster, "OCIRepository tags", [...new Set(repos.map((r) => r.spec.ref.tag))], [want.tag]);
  const subjects = [
    ...new Set(
      repos.flatMap((r) =>
        (r.spec.verify?.matchOIDCIdentity ?? []).map((m) => m.subject.replace(/^.*workflows\//, "")),
      ),
    ),
  ];
  check(cluster, "verify subjects (workflow@ref)", subjects, [want.subject]);
  const paths = [
    ...new Set(of("Kustomization").map((k) => String((k.spec as { path: string }).path))),
  ].sort();
  check(
    cluster,
    "tenant Kustomization paths",
    paths,
    // apps build ./<env>; infra builds ./controllers/<env> and ./configs/<env> (D2 README, d2-infra layout).
    [`./configs/${want.env}`, `./controllers/${want.env}`, `./${want.env}`],
  );
  console.log(`     ${cluster}: ${objects.length} objects from ${rendered.length} ResourceSets`);
}
if (failures > 0) {
  console.log(`${failures} checks failed`);
  process.exitCode = 1;
} else console.log("all checks passed");
