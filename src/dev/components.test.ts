import assert from "node:assert/strict";
import { test } from "node:test";
import {
  apiServerArgs,
  controllerManagerArgs,
  etcdArgs,
  kwokArgs,
  nodeObject,
  schedulerArgs,
} from "./components.ts";

const ports = { etcdClient: 1001, etcdPeer: 1002, apiServer: 1003, controllerManager: 1004, scheduler: 1005 };
const dir = "/tmp/ferry-cluster-x";

test("every component listens on 127.0.0.1 only, on its own port, and keeps its files in the cluster folder", () => {
  const cases: Array<[string, string[], number[]]> = [
    ["etcd", etcdArgs(dir, ports), [1001, 1002]],
    ["kube-apiserver", apiServerArgs(dir, ports), [1003]],
    ["kube-controller-manager", controllerManagerArgs(dir, ports, "x"), [1004]],
    ["kube-scheduler", schedulerArgs(dir, ports), [1005]],
  ];
  for (const [name, args, own] of cases) {
    for (const a of args) {
      // The issuer is a name in tokens, not an address anything listens on.
      const urls = a.startsWith("--service-account-issuer=") ? [] : (a.match(/\w+:\/\/[^,\s]+/g) ?? []);
      for (const u of urls) assert.match(u, /^http:\/\/127\.0\.0\.1:\d+$/, `${name} ${a}`);
      if (a.startsWith("--bind-address=")) assert.equal(a, "--bind-address=127.0.0.1", name);
      const file = /=(\/[^,]*)$/.exec(a)?.[1];
      if (file) assert.ok(file.startsWith(dir), `${name} ${a}`);
    }
    for (const p of own)
      assert.ok(
        args.some((a) => a.includes(`:${p}`) || a.endsWith(`=${p}`)),
        `${name} ${p}`,
      );
  }
  assert.ok(kwokArgs(dir, "/stages.yaml").includes("--config=/stages.yaml"));
});

test("fake nodes are annotated for kwok and carry no taint", () => {
  const node = nodeObject("kwok-node-0") as {
    metadata: { annotations: Record<string, string> };
    spec?: { taints?: unknown[] };
  };
  assert.equal(node.metadata.annotations["kwok.x-k8s.io/node"], "fake");
  assert.equal(node.spec?.taints, undefined);
});
