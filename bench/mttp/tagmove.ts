/**
 * Time from a tag move to staging Ready for the example fleet: `devUp` builds the local fleet (registry,
 * cluster `staging`, agent, example fleet published and signed as D2's CI does), then each move publishes a
 * changed version, signs it and moves `latest`, and the clock runs from the tag move until the staging
 * cluster has applied that revision and is Ready:
 * - component: `components/podinfo` with a new pod annotation in the staging overlay → the tenant's
 *   Kustomization `podinfo/podinfo` Ready at the new revision (its Deployment rolled out: `wait: true`);
 * - fleet: `fleet` with one more ConfigMap under clusters/staging → Kustomizations `flux-system` and
 *   `tenants` Ready at the new revision and every ResourceSet Ready.
 * Each is measured twice: waiting for the agent's own poll (the OCIRepository's `interval`: 5m for the
 * components, 1m for the fleet sync, as the example fleet sets them) and with a reconcile request right
 * after the move (the `reconcile.fluxcd.io/requestedAt` annotation `ferry reconcile source oci` sets).
 */
import type { KeyObject } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEV_KEY_PASSWORD, devDown, devUp } from "../../src/bootstrap/index.ts";
import {
  getObject,
  KubeClient,
  type KubeObject,
  listObjects,
  loadKubeConfig,
  mergePatchObject,
} from "../../src/kube/index.ts";
import { OciClient, parseReference } from "../../src/oci/index.ts";
import { pushArtifact, tagArtifact } from "../../src/publish/index.ts";
import { loadPrivateKey, signArtifact } from "../../src/sign/index.ts";

const examples = join(import.meta.dirname, "..", "..", "examples");
const KS = "kustomize.toolkit.fluxcd.io/v1";

type Cond = { type: string; status: string };
type KsStatus = { lastAppliedRevision?: string; observedGeneration?: number; conditions?: Cond[] };

function readyAt(o: KubeObject | undefined, digest: string): boolean {
  const st = (o as { status?: KsStatus } | undefined)?.status;
  return (
    !!st?.lastAppliedRevision?.endsWith(digest) &&
    !!st.conditions?.some((c) => c.type === "Ready" && c.status === "True")
  );
}

interface Target {
  name: "component" | "fleet";
  repo: string;
  /** The OCIRepository that follows the tag. */
  source: { namespace: string; name: string };
  /** Changes the copied examples for move `k`; returns the folder to publish. */
  edit: (dir: string, k: number) => Promise<string>;
  /** True when the cluster is Ready at `digest`. */
  done: (client: KubeClient, digest: string, signal: AbortSignal) => Promise<boolean>;
  pollInterval: string;
}

const targets: Target[] = [
  {
    name: "component",
    repo: "components/podinfo",
    source: { namespace: "podinfo", name: "podinfo" },
    pollInterval: "5m",
    edit: async (dir, k) => {
      const f = join(dir, "components", "podinfo", "staging", "kustomization.yaml");
      const text = await readFile(f, "utf8");
      await writeFile(f, `${text}commonAnnotations:\n  bench.ferry.dev/move: "${k}-${Date.now()}"\n`);
      return join(dir, "components", "podinfo");
    },
    done: async (client, digest, signal) =>
      readyAt(
        await getObject(
          client,
          { apiVersion: KS, kind: "Kustomization", metadata: { namespace: "podinfo", name: "podinfo" } },
          { signal },
        ),
        digest,
      ),
  },
  {
    name: "fleet",
    repo: "fleet",
    source: { namespace: "flux-system", name: "flux-system" },
    pollInterval: "1m",
    edit: async (dir, k) => {
      await writeFile(
        join(dir, "fleet", "clusters", "staging", "bench-move.yaml"),
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-move\n  namespace: flux-system\ndata:\n  move: "${k}-${Date.now()}"\n`,
      );
      return join(dir, "fleet");
    },
    done: async (client, digest, signal) => {
      for (const name of ["flux-system", "tenants"]) {
        const ks = await getObject(
          client,
          { apiVersion: KS, kind: "Kustomization", metadata: { namespace: "flux-system", name } },
          { signal },
        );
        if (!readyAt(ks, digest)) return false;
      }
      const rsets = await listObjects(client, "fluxcd.controlplane.io/v1", "ResourceSet", { signal });
      return rsets.items.every((o) =>
        ((o as { status?: KsStatus }).status?.conditions ?? []).some(
          (c) => c.type === "Ready" && c.status === "True",
        ),
      );
    },
  },
];

async function copyExamples(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-bench-tagmove-"));
  await cp(examples, dir, { recursive: true });
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.ya?ml$/.test(e.name)) continue;
    const p = join(e.parentPath, e.name);
    const text = await readFile(p, "utf8");
    if (text.includes("registry.example.com/ferry"))
      await writeFile(p, text.split("registry.example.com/ferry").join(prefix));
  }
  return dir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

interface Fleet {
  client: KubeClient;
  oci: OciClient;
  prefix: string;
  privateKey: KeyObject;
  signal: AbortSignal;
}

/** Publishes and signs move `k` of `target`, moves `latest`, and returns the seconds until staging is Ready. */
async function moveOnce(f: Fleet, target: Target, trigger: "poll" | "reconcile", k: number): Promise<number> {
  const { signal } = f;
  const src = await copyExamples(f.prefix);
  try {
    const path = await target.edit(src, k);
    const ref = parseReference(`${f.prefix}/${target.repo}:bench-${k}`);
    const pushed = await pushArtifact(f.oci, ref, {
      path,
      source: "https://github.com/ferry/examples",
      revision: `bench-${k}@sha1:${k.toString(16).padStart(40, "0")}`,
      signal,
    });
    // As D2's CI: sign the digest, then move the channel tag.
    await signArtifact({
      client: f.oci,
      reference: { registry: ref.registry, repository: ref.repository, digest: pushed.digest },
      material: { kind: "key", privateKey: f.privateKey },
      signal,
    });
    const moved = performance.now();
    await tagArtifact(f.oci, ref, ["latest"], { force: true, signal });
    if (trigger === "reconcile") {
      await mergePatchObject(
        f.client,
        { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository", metadata: target.source },
        { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": `bench-${k}` } } },
        { signal },
      );
    }
    const deadline = moved + 15 * 60_000;
    while (!(await target.done(f.client, pushed.digest, signal))) {
      if (performance.now() > deadline) throw new Error(`${target.name} move ${k} not Ready within 15 min`);
      await sleep(200, undefined, { signal });
    }
    return (performance.now() - moved) / 1000;
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}

export async function runTagMoves(opts: {
  /** Moves measured with a reconcile request. */
  moves: number;
  /** Moves measured waiting for the agent's poll (each can take a whole interval: 5m for a component). */
  pollMoves: number;
  signal: AbortSignal;
}): Promise<void> {
  const { signal } = opts;
  const dir = await mkdtemp(join(tmpdir(), "ferry-bench-devup-"));
  try {
    const t0 = performance.now();
    const up = await devUp({
      dir,
      clusters: ["staging"],
      ownerPid: process.pid,
      signal,
      progress: (l) => console.error(`tag-move: ${l}`),
    });
    console.error(`tag-move: dev up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const kubeconfig = up.clusters[0]!.kubeconfig;
    const f: Fleet = {
      client: new KubeClient(loadKubeConfig({ path: kubeconfig }), { userAgent: "ferry-bench" }),
      oci: new OciClient({}),
      prefix: `${up.registry}/ferry`,
      privateKey: await loadPrivateKey(await readFile(join(dir, "cosign.key"), "utf8"), {
        password: DEV_KEY_PASSWORD,
        source: join(dir, "cosign.key"),
        signal,
      }),
      signal,
    };
    const rows: string[] = [];
    let k = 0;
    try {
      for (const target of targets) {
        for (const trigger of ["poll", "reconcile"] as const) {
          const count = trigger === "poll" ? opts.pollMoves : opts.moves;
          if (count === 0) continue;
          const seconds: number[] = [];
          for (let m = 0; m < count; m++) {
            const s = await moveOnce(f, target, trigger, ++k);
            seconds.push(s);
            console.error(`tag-move: ${target.name} (${trigger}) move ${k}: ${s.toFixed(1)} s`);
          }
          const how =
            trigger === "poll"
              ? `agent's poll (interval ${target.pollInterval})`
              : "reconcile request right after the move";
          rows.push(
            `| ${target.name} (\`${target.repo}:latest\`) | ${how} | ${seconds.length} | ${median(seconds).toFixed(1)} | ${Math.min(...seconds).toFixed(1)} | ${Math.max(...seconds).toFixed(1)} |`,
          );
        }
      }
    } finally {
      f.client.close();
    }
    console.log("\n| tag move | trigger | moves | median (s) | min (s) | max (s) |");
    console.log("|---|---|---:|---:|---:|---:|");
    for (const r of rows) console.log(r);
  } finally {
    await devDown({ dir });
  }
}
