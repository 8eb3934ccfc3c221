import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { FerryError } from "../errors/index.ts";
import { readKubeconfigConnection, writeKubeconfig } from "./kubeconfig.ts";

test("a written kubeconfig reads back, and @kubernetes/client-node understands it", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-kubeconfig-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "kubeconfig");
  const opts = {
    name: "staging",
    server: "https://127.0.0.1:6443",
    caPem: "CA\n",
    certPem: "CERT\n",
    keyPem: "KEY\n",
  };
  await writeKubeconfig(file, opts);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.deepEqual(await readKubeconfigConnection(file), opts);

  const kc = new KubeConfig();
  kc.loadFromFile(file);
  assert.equal(kc.getCurrentContext(), "staging");
  assert.equal(kc.getCurrentCluster()?.server, "https://127.0.0.1:6443");
  assert.equal(kc.getCurrentUser()?.certData, Buffer.from("CERT\n").toString("base64"));
});

test("a kubeconfig without an inline client certificate is refused with the file named", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-kubeconfig-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "kubeconfig");
  await writeFile(file, "apiVersion: v1\nkind: Config\ncurrent-context: x\n");
  await assert.rejects(readKubeconfigConnection(file), (err: Error) => {
    assert.ok(err instanceof FerryError);
    assert.ok(err.message.includes(file));
    return true;
  });
});
