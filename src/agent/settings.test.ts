import assert from "node:assert/strict";
import { test } from "node:test";
import { AgentSettings } from "./settings.ts";

test("tenancy: flags are the base, FluxInstances tighten it, forgetting an instance loosens it again", () => {
  const s = new AgentSettings();
  let changes = 0;
  s.onChange(() => changes++);
  assert.deepEqual(s.tenancy(), { noCrossNamespaceRefs: false, defaultServiceAccount: undefined });
  s.setTenancy("flux-system/flux", { noCrossNamespaceRefs: true, defaultServiceAccount: "flux" });
  assert.deepEqual(s.tenancy(), { noCrossNamespaceRefs: true, defaultServiceAccount: "flux" });
  s.setTenancy("flux-system/flux", { noCrossNamespaceRefs: true, defaultServiceAccount: "flux" });
  assert.equal(changes, 1, "an unchanged request is no change");
  s.setTenancy("flux-system/flux", undefined);
  assert.deepEqual(s.tenancy(), { noCrossNamespaceRefs: false, defaultServiceAccount: undefined });
  assert.equal(changes, 2);

  const flags = new AgentSettings({ defaultServiceAccount: "cli-sa" });
  flags.setTenancy("a/flux", { noCrossNamespaceRefs: true, defaultServiceAccount: "flux" });
  assert.deepEqual(flags.tenancy(), { noCrossNamespaceRefs: true, defaultServiceAccount: "cli-sa" });
});
