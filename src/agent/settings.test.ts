import assert from "node:assert/strict";
import { test } from "node:test";
import { AgentSettings } from "./settings.ts";

test("tenancy: flags are the base, FluxInstances tighten it, forgetting an instance loosens it again", () => {
  const s = new AgentSettings();
  let changes = 0;
  s.onChange(() => changes++);
  const open = { noCrossNamespaceRefs: false, defaultServiceAccount: undefined, noRemoteBases: false };
  const locked = { noCrossNamespaceRefs: true, defaultServiceAccount: "flux", noRemoteBases: true };
  assert.deepEqual(s.tenancy(), open);
  s.setTenancy("flux-system/flux", locked);
  assert.deepEqual(s.tenancy(), locked);
  s.setTenancy("flux-system/flux", { ...locked });
  assert.equal(changes, 1, "an unchanged request is no change");
  s.setTenancy("flux-system/flux", undefined);
  assert.deepEqual(s.tenancy(), open);
  assert.equal(changes, 2);

  const flags = new AgentSettings({ defaultServiceAccount: "cli-sa", noRemoteBases: true });
  assert.equal(flags.tenancy().noRemoteBases, true, "a flag alone locks remote bases");
  flags.setTenancy("a/flux", { noCrossNamespaceRefs: true, defaultServiceAccount: "flux" });
  assert.deepEqual(flags.tenancy(), {
    noCrossNamespaceRefs: true,
    defaultServiceAccount: "cli-sa",
    noRemoteBases: true,
  });
});
