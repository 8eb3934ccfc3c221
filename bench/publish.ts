/**
 * Publish benchmark: against a registry it starts, push and pull a generated 1,000-file / 20 MB tree and
 * a small fleet tree with `ferry push/pull artifact` and `flux push/pull artifact` side by side, each as a
 * fresh process as CI runs them. Every push goes to a new repository (so no blob is already there).
 * Reports the median wall time of 3 runs, the peak RSS (/usr/bin/time -f %M) and the ratio ferry/flux.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry } from "../src/dev/registry.ts";
import { findTool } from "../src/dev/tools.ts";
import { OciClient, parseReference } from "../src/oci/index.ts";
import { pullArtifact, pushArtifact } from "../src/publish/index.ts";

const RUNS = 3;
const root = join(import.meta.dirname, "..");
const node = join(root, "node_modules", ".bin", "node");
const ferry = join(root, "bin", "ferry.js");

interface Measure {
  ms: number;
  rssKiB: number | undefined;
}

function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measure> {
  const timed = existsSync("/usr/bin/time");
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(timed ? "/usr/bin/time" : cmd, timed ? ["-f", "%M", cmd, ...args] : args, {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    p.stderr.on("data", (d) => {
      err += d;
    });
    p.on("error", reject);
    p.on("close", (code) => {
      const ms = performance.now() - start;
      if (code !== 0)
        return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`));
      resolve({ ms, rssKiB: timed ? Number(err.trim().split("\n").pop()) : undefined });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Deterministic pseudo-random bytes (xorshift), so every run packs the same tree. */
function bytes(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** 1,000 files, 20 MB: half YAML-like text (compressible), half random bytes, in 50 folders. */
async function largeTree(dir: string): Promise<void> {
  const size = 20_000;
  for (let i = 0; i < 1000; i++) {
    const folder = join(dir, `team-${i % 50}`, `app-${i % 7}`);
    await mkdir(folder, { recursive: true });
    const body =
      i % 2 === 0
        ? Buffer.from(
            `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n${"  key: value-with-some-text\n".repeat(size / 27)}`,
          ).subarray(0, size)
        : bytes(i + 1, size);
    await writeFile(join(folder, `file-${i}.yaml`), body);
  }
}

/** A small D2-style fleet: clusters, tenants, a few components. */
async function fleetTree(dir: string): Promise<void> {
  const files: Record<string, string> = {};
  for (const env of ["staging", "production"]) {
    files[`clusters/${env}/flux-system/flux-instance.yaml`] =
      `apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\nspec:\n  distribution:\n    version: "2.x"\n`;
    files[`clusters/${env}/tenants.yaml`] =
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n";
  }
  for (const t of ["cert-manager", "monitoring", "ingress", "apps"]) {
    for (const part of ["controllers", "configs"]) {
      for (const env of ["base", "staging", "production"]) {
        files[`tenants/${t}/${part}/${env}/kustomization.yaml`] = `resources:\n  - ${t}-${part}.yaml\n`;
      }
    }
  }
  for (const [name, body] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), body);
  }
}

interface Tool {
  name: string;
  bin: string;
  push: (ref: string, path: string) => string[];
  pull: (ref: string, out: string) => string[];
}

type Results = Record<string, Record<"push" | "pull", Measure[]>>;

/** The same operations as library calls in this process: the work without process startup. */
async function measureInProcess(
  host: string,
  src: string,
  ti: number,
  dir: string,
): Promise<Record<"push" | "pull", Measure[]>> {
  const client = new OciClient();
  const res: Record<"push" | "pull", Measure[]> = { push: [], pull: [] };
  for (let r = 0; r < RUNS; r++) {
    const ref = parseReference(`${host}/bench/lib-${ti}-${r}:v1`);
    let start = performance.now();
    await pushArtifact(client, ref, {
      path: src,
      source: "https://example.com/org/fleet",
      revision: "main@sha1:0",
    });
    res.push.push({ ms: performance.now() - start, rssKiB: undefined });
    const out = join(dir, `out-lib-${ti}-${r}`);
    start = performance.now();
    await pullArtifact(client, ref, { output: out });
    res.pull.push({ ms: performance.now() - start, rssKiB: undefined });
    await rm(out, { recursive: true, force: true });
  }
  return res;
}

/** Runs every tool RUNS times on one tree, interleaved so that machine noise hits both alike. */
async function measureTree(
  tools: Tool[],
  host: string,
  src: string,
  ti: number,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<Results> {
  const results: Results = {};
  for (let r = 0; r < RUNS; r++) {
    for (const tool of tools) {
      const ref = `${host}/bench/${tool.name.replace(/[^a-z0-9]/g, "-")}-${ti}-${r}:v1`;
      const out = join(dir, `out-${tool.name}-${ti}-${r}`);
      await mkdir(out);
      const res = results[tool.name] ?? { push: [], pull: [] };
      results[tool.name] = res;
      res.push.push(await measure(tool.bin, tool.push(ref, src), env));
      res.pull.push(await measure(tool.bin, tool.pull(ref, out), env));
      await rm(out, { recursive: true, force: true });
    }
  }
  return results;
}

function row(tree: string, op: string, f: Measure[], x: Measure[] | undefined): string {
  const ms = (m: Measure[]) => median(m.map((v) => v.ms));
  const rss = (m: Measure[]) =>
    m.some((v) => v.rssKiB === undefined) ? Number.NaN : Math.max(...m.map((v) => v.rssKiB ?? 0)) / 1024;
  const fm = ms(f);
  if (!x) return `| ${tree} | ${op} | ${fm.toFixed(0)} | n/a | n/a | ${rss(f).toFixed(0)} | n/a |`;
  const xm = ms(x);
  return `| ${tree} | ${op} | ${fm.toFixed(0)} | ${xm.toFixed(0)} | ${(fm / xm).toFixed(2)} | ${rss(f).toFixed(0)} | ${rss(x).toFixed(0)} |`;
}

export async function run(): Promise<void> {
  const flux = findTool("flux");
  const registry = await startRegistry();
  const dir = await mkdtemp(join(tmpdir(), "ferry-bench-publish-"));
  try {
    const env = { ...process.env, HOME: dir };
    const meta = ["--source", "https://example.com/org/fleet", "--revision", "main@sha1:0123456789abcdef"];
    const tools: Tool[] = [
      {
        name: "ferry",
        bin: node,
        push: (ref, path) => [ferry, "push", "artifact", `oci://${ref}`, "--path", path, ...meta],
        pull: (ref, out) => [ferry, "pull", "artifact", `oci://${ref}`, "--output", out],
      },
    ];
    // bin/ferry.js keeps type-stripped modules in Node's compile cache: warm it as a user's machine is.
    await measure(node, [ferry, "push", "artifact", "--help"], env);
    if (flux) {
      tools.push({
        name: "flux",
        bin: flux,
        push: (ref, path) => [
          "push",
          "artifact",
          `oci://${ref}`,
          "--path",
          path,
          ...meta,
          "--insecure-registry",
        ],
        pull: (ref, out) => ["pull", "artifact", `oci://${ref}`, "--output", out, "--insecure-registry"],
      });
    }
    const trees = [
      { name: "1,000 files / 20 MB", make: largeTree },
      { name: "fleet (30 files)", make: fleetTree },
    ];
    const rows: string[] = [];
    for (const [ti, tree] of trees.entries()) {
      const src = join(dir, `src-${ti}`);
      await tree.make(src);
      const results = await measureTree(tools, registry.host, src, ti, dir, env);
      results["ferry library"] = await measureInProcess(registry.host, src, ti, dir);
      for (const op of ["push", "pull"] as const) {
        for (const name of ["ferry", "ferry library"]) {
          rows.push(row(`${tree.name}`, `${op} (${name})`, results[name]?.[op] ?? [], results.flux?.[op]));
        }
      }
    }
    console.log(
      `Median of ${RUNS} runs, each a fresh process; a new repository per push. Ratio = ferry / flux (lower is better). ferry library = the same calls in-process (no process startup, no RSS).\n`,
    );
    console.log(
      "| tree | op (ferry variant) | ferry ms | flux ms | ratio | ferry peak RSS MiB | flux peak RSS MiB |",
    );
    console.log("|---|---|---:|---:|---:|---:|---:|");
    for (const r of rows) console.log(r);
    if (!flux) console.log("\nflux is not built (npm run tools): flux columns are empty.");
  } finally {
    await rm(dir, { recursive: true, force: true });
    await registry.stop();
  }
}

if (import.meta.main) await run();
