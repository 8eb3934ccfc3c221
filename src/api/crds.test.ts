import assert from "node:assert/strict";
import { test } from "node:test";
import { fluxCRDs } from "./crds.ts";

test("one CRD per Flux kind with upstream names, short names and printer columns", () => {
  const crds = fluxCRDs();
  const table: Array<[string, string, string[] | undefined, string[]]> = [
    ["ocirepositories.source.toolkit.fluxcd.io", "v1", ["ocirepo"], ["URL", "Ready", "Status", "Age"]],
    ["kustomizations.kustomize.toolkit.fluxcd.io", "v1", ["ks"], ["Age", "Ready", "Status"]],
    ["helmreleases.helm.toolkit.fluxcd.io", "v2", ["hr"], ["Age", "Ready", "Status"]],
    ["fluxinstances.fluxcd.controlplane.io", "v1", undefined, ["Age", "Ready", "Status", "Revision"]],
    [
      "fluxreports.fluxcd.controlplane.io",
      "v1",
      undefined,
      ["Entitlement", "Age", "Ready", "Status", "LastUpdated"],
    ],
    ["resourcesets.fluxcd.controlplane.io", "v1", ["rset"], ["Age", "Ready", "Status"]],
    ["resourcesetinputproviders.fluxcd.controlplane.io", "v1", ["rsip"], ["Age", "Ready", "Status"]],
  ];
  assert.equal(crds.length, table.length);
  for (const [name, version, shortNames, columns] of table) {
    const crd = crds.find((c) => c.metadata.name === name);
    assert.ok(crd, name);
    const v = crd.spec.versions[0];
    assert.equal(crd.spec.versions.length, 1);
    assert.equal(v?.name, version);
    assert.ok(v?.served && v.storage, name);
    assert.deepEqual(v?.subresources, { status: {} });
    assert.deepEqual(crd.spec.names.shortNames, shortNames, name);
    assert.deepEqual(
      v?.additionalPrinterColumns.map((c) => c.name),
      columns,
      name,
    );
    assert.equal(crd.spec.names.listKind, `${crd.spec.names.kind}List`);
    const schema = v?.schema.openAPIV3Schema;
    // A CRD may not constrain metadata beyond name/generateName; apiVersion/kind stay plain strings.
    assert.deepEqual(schema?.properties?.metadata, { type: "object" });
    assert.deepEqual(schema?.properties?.apiVersion, { type: "string" });
    assert.ok(schema?.properties?.spec?.properties, name);
    assert.equal(schema?.properties?.status?.["x-kubernetes-preserve-unknown-fields"], true);
  }
});
