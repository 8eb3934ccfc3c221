/** Unit tests of what a FluxInstance generates: sync objects, patches through the real kustomize, fields reported. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { toolPath } from "../../dev/tools.ts";
import type { KubeObject } from "../../kube/index.ts";
import { findKustomize } from "../../render/index.ts";
import { FluxInstanceError } from "./errors.ts";
import { generate, notApplicableFields, tenancyOf, withControllerAccount } from "./generate.ts";
import { applyPatches } from "./patch.ts";
import { FERRY_VERSION, goDuration } from "./status.ts";

const signal = AbortSignal.timeout(60_000);
const kustomize = () => findKustomize({ kustomize: toolPath("kustomize") });

function instance(spec: Record<string, unknown>, namespace = "flux-system"): KubeObject {
  return {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "FluxInstance",
    metadata: { name: "flux", namespace },
    spec: { distribution: { version: "2.x", registry: "ghcr.io/fluxcd" }, ...spec },
  };
}

const sync = {
  kind: "OCIRepository",
  url: "oci://ghcr.io/acme/fleet",
  ref: "latest",
  path: "clusters/staging",
  pullSecret: "ghcr-auth",
};

test("goDuration prints Go's time.Duration text", () => {
  const table: Array<[number, string]> = [
    [0, "0s"],
    [500, "500ms"],
    [30_000, "30s"],
    [60_000, "1m0s"],
    [600_000, "10m0s"],
    [330_000, "5m30s"],
    [3_600_000, "1h0m0s"],
    [5_400_500, "1h30m0.5s"],
  ];
  for (const [ms, text] of table) assert.equal(goDuration(ms), text, String(ms));
});

test("spec.sync generates the OCIRepository and Kustomization flux-operator generates", () => {
  const g = generate(instance({ sync }));
  const labels = {
    "app.kubernetes.io/managed-by": "flux-operator",
    "app.kubernetes.io/instance": "flux-system",
    "app.kubernetes.io/version": `v${FERRY_VERSION}`,
    "app.kubernetes.io/part-of": "flux",
  };
  assert.deepEqual(g.objects, [
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "flux-system", namespace: "flux-system", labels },
      spec: {
        interval: "1m0s",
        ref: { tag: "latest" },
        secretRef: { name: "ghcr-auth" },
        url: "oci://ghcr.io/acme/fleet",
      },
    },
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "flux-system", namespace: "flux-system", labels },
      spec: {
        interval: "10m0s",
        path: "clusters/staging",
        prune: true,
        sourceRef: { kind: "OCIRepository", name: "flux-system" },
      },
    },
  ]);
});

test("sync name, interval, provider and commonMetadata; no sync generates nothing", () => {
  const g = generate(
    instance(
      {
        sync: { ...sync, name: "fleet", interval: "5m30s", provider: "aws", pullSecret: undefined },
        commonMetadata: { labels: { team: "platform" }, annotations: { note: "x" } },
      },
      "ops",
    ),
  );
  const [src, ks] = g.objects;
  assert.equal(src?.metadata.name, "fleet");
  assert.equal(src?.metadata.namespace, "ops");
  assert.equal(src?.metadata.labels?.team, "platform");
  assert.deepEqual(src?.metadata.annotations, { note: "x" });
  assert.deepEqual(src?.spec, {
    interval: "5m30s",
    ref: { tag: "latest" },
    provider: "aws",
    url: "oci://ghcr.io/acme/fleet",
  });
  assert.deepEqual(((ks?.spec ?? {}) as { sourceRef: unknown }).sourceRef, {
    kind: "OCIRepository",
    name: "fleet",
  });
  assert.deepEqual(generate(instance({})).objects, []);
});

test("a sync kind Ferry does not serve, or a missing field, is a stalled build error", () => {
  const table: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...sync, kind: "GitRepository" }, /spec\.sync\.kind GitRepository is not served by Ferry/],
    [{ ...sync, path: "" }, /spec\.sync\.path is required/],
    [{ ...sync, url: undefined }, /spec\.sync\.url is required/],
  ];
  for (const [s, re] of table) {
    assert.throws(
      () => generate(instance({ sync: s })),
      (e: unknown) =>
        e instanceof FluxInstanceError && e.stalled && e.reason === "BuildFailed" && re.test(e.message),
    );
  }
});

test("fields that install Flux's controllers are reported; multitenancy becomes agent settings", () => {
  const spec = {
    distribution: { version: "2.x", registry: "ghcr.io/fluxcd" },
    components: ["source-controller"],
    cluster: {
      type: "kubernetes",
      multitenant: true,
      tenantDefaultServiceAccount: "flux",
      networkPolicy: true,
    },
    storage: { class: "standard", size: "10Gi" },
    sync,
    wait: true,
  };
  assert.deepEqual(notApplicableFields(spec), [
    "spec.distribution",
    "spec.components",
    "spec.cluster.networkPolicy",
    "spec.cluster.type",
    "spec.storage",
  ]);
  assert.deepEqual(tenancyOf(spec), {
    noCrossNamespaceRefs: true,
    defaultServiceAccount: "flux",
    noRemoteBases: true,
  });
  assert.deepEqual(tenancyOf({ cluster: { multitenant: true } }), {
    noCrossNamespaceRefs: true,
    defaultServiceAccount: "default",
    noRemoteBases: true,
  });
  assert.deepEqual(tenancyOf({}), {
    noCrossNamespaceRefs: false,
    defaultServiceAccount: undefined,
    noRemoteBases: false,
  });
});

test("multitenant: the sync Kustomization runs as kustomize-controller, generated with its cluster-admin binding; a user patch overrides", async () => {
  const g = generate(instance({ sync, cluster: { multitenant: true, tenantDefaultServiceAccount: "flux" } }));
  assert.deepEqual(
    g.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`),
    [
      "OCIRepository/flux-system/flux-system",
      "Kustomization/flux-system/flux-system",
      "ServiceAccount/flux-system/kustomize-controller",
      "ClusterRoleBinding//cluster-reconciler-flux-system",
    ],
  );
  const ks = g.objects[1];
  assert.equal(
    ((ks?.spec ?? {}) as { serviceAccountName?: string }).serviceAccountName,
    "kustomize-controller",
  );
  const crb = g.objects[3] as KubeObject & { roleRef: unknown; subjects: unknown };
  assert.deepEqual(crb.roleRef, {
    apiGroup: "rbac.authorization.k8s.io",
    kind: "ClusterRole",
    name: "cluster-admin",
  });
  assert.deepEqual(crb.subjects, [
    { kind: "ServiceAccount", name: "kustomize-controller", namespace: "flux-system" },
  ]);
  assert.equal(crb.metadata.labels?.["app.kubernetes.io/managed-by"], "flux-operator");
  // Single tenant: no account, the sync runs as the agent.
  const single = generate(instance({ sync }));
  assert.equal(single.objects.length, 2);
  assert.equal(
    ((single.objects[1]?.spec ?? {}) as { serviceAccountName?: string }).serviceAccountName,
    undefined,
  );
  // The user's patches come after the profile's, as in flux-operator: they may name another account.
  const patched = await applyPatches(
    g.objects,
    [
      {
        target: { kind: "Kustomization", name: "flux-system" },
        patch: "- op: add\n  path: /spec/serviceAccountName\n  value: flux-operator\n",
      },
    ],
    { signal, kustomize },
  );
  const pks = patched.find((o) => o.kind === "Kustomization");
  // A single-tenant instance whose own patch names kustomize-controller gets the account too.
  const named = withControllerAccount(
    await applyPatches(
      single.objects,
      [
        {
          target: { kind: "Kustomization" },
          patch: "- op: add\n  path: /spec/serviceAccountName\n  value: kustomize-controller\n",
        },
      ],
      { signal, kustomize },
    ),
    "flux-system",
  );
  assert.deepEqual(named.map((o) => o.kind).sort(), [
    "ClusterRoleBinding",
    "Kustomization",
    "OCIRepository",
    "ServiceAccount",
  ]);
  assert.equal(
    withControllerAccount(single.objects, "flux-system").length,
    2,
    "nothing uses it: not generated",
  );
  assert.equal(((pks?.spec ?? {}) as { serviceAccountName?: string }).serviceAccountName, "flux-operator");
});

test("JSON 6902 and strategic-merge patches with targets apply through kustomize, as in D2's verify patch", async () => {
  const g = generate(
    instance({
      sync,
      kustomize: {
        patches: [
          {
            target: { kind: "OCIRepository", name: "flux-system" },
            patch:
              "- op: add\n  path: /spec/verify\n  value:\n    provider: cosign\n    matchOIDCIdentity:\n    - issuer: ^https://token\\.actions\\.githubusercontent\\.com$\n      subject: ^https://github\\.com/acme/fleet/.*$\n",
          },
          {
            target: { kind: "Kustomization" },
            patch:
              "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: any\nspec:\n  timeout: 3m\n",
          },
        ],
      },
    }),
  );
  const out = await applyPatches(g.objects, g.patches, { signal, kustomize });
  const src = out.find((o) => o.kind === "OCIRepository");
  const ks = out.find((o) => o.kind === "Kustomization");
  assert.deepEqual(((src?.spec ?? {}) as { verify?: unknown }).verify, {
    provider: "cosign",
    matchOIDCIdentity: [
      {
        issuer: "^https://token\\.actions\\.githubusercontent\\.com$",
        subject: "^https://github\\.com/acme/fleet/.*$",
      },
    ],
  });
  assert.equal(((ks?.spec ?? {}) as { timeout?: string }).timeout, "3m");
  assert.equal(((ks?.spec ?? {}) as { prune?: boolean }).prune, true);
  // Without patches kustomize is not needed at all.
  const plain = await applyPatches(g.objects, [], {
    signal,
    kustomize: () => {
      throw new Error("kustomize must not run");
    },
  });
  assert.deepEqual(plain, g.objects);
});

test("a patch kustomize refuses fails with kustomize's message", async () => {
  const g = generate(instance({ sync }));
  await assert.rejects(
    applyPatches(
      g.objects,
      [{ patch: "- op: remove\n  path: /spec/nothing\n", target: { kind: "OCIRepository" } }],
      {
        signal,
        kustomize,
      },
    ),
    /kustomize build of .* failed/,
  );
});
