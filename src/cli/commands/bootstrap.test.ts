import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../testing.ts";

test("ferry bootstrap: bad input is a usage error (exit 2) naming the flag", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-bootstrap-cli-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cm = join(dir, "cm.yaml");
  await writeFile(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
  const kc = join(dir, "kubeconfig");
  const cases: Array<{ args: string[]; message: RegExp }> = [
    { args: ["--instance", cm, "--agent", "pod"], message: /--agent pod is invalid; use local or none/ },
    {
      args: ["--instance", cm, "--pull-secret", "a:b", "--docker-config", cm],
      message: /--pull-secret and --docker-config exclude each other/,
    },
    { args: ["--instance", cm, "--timeout", "soon"], message: /--timeout soon is invalid/ },
    { args: ["--instance", cm], message: /holds 0 FluxInstance objects/ },
    { args: ["--instance", join(dir, "missing.yaml")], message: /--instance .*missing.yaml cannot be read/ },
  ];
  for (const c of cases) {
    const r = await runCli(["bootstrap", "--kubeconfig", kc, ...c.args]);
    assert.equal(r.code, 2, `${c.args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, c.message);
  }
  const noKc = await runCli(["bootstrap", "--instance", cm], { env: {} });
  assert.equal(noKc.code, 2);
  assert.match(noKc.stderr, /no kubeconfig: pass --kubeconfig PATH or set KUBECONFIG/);
});
