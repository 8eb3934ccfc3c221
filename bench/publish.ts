/**
 * Publish benchmark: against a registry it starts, push and pull a generated 1,000-file / 20 MB tree and
 * a small fleet tree with `ferry push/pull artifact` and `flux push/pull artifact`, each as a fresh
 * process as CI runs them (ferry as `node bin/ferry.js` with the Node 24 that `npm ci` installs: no
 * re-exec). Every push goes to a new repository, so no blob is already there.
 *
 * Fair on a shared machine: ferry and flux alternate run by run (ABBA order, so neither always goes
 * first), every cell is the median of RUNS runs (default 7, `FERRY_BENCH_RUNS`) with the fastest run
 * beside it (the closest to an idle machine), peak RSS is `/usr/bin/time -f %M` of the measured process
 * itself for both tools, CPU time (user + system) is reported because it moves far less with load than
 * wall time, and the load average is printed before and after.
 *
 * `FERRY_BENCH_BASELINE=/other/checkout/bin/ferry.js` adds that Ferry as a third tool in the same
 * alternation: a before/after comparison under the same load.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry } from "../src/dev/registry.ts";
import { findTool } from "../src/dev/tools.ts";
import { OciClient, parseReference } from "../src/oci/index.ts";
import { pullArtifact, pushArtifact } from "../src/publish/index.ts";

const root = join(import.meta.dirname, "..");
const node = join(root, "node_modules", ".bin", "node");
const ferry = join(root, "bin", "ferry.js");
const TIME = "/usr/bin/time";

interface Measure {
  ms: number;
  /** Peak RSS of the process, KiB (undefined without /usr/bin/time or in-process). */
  rssKiB: number | undefined;
  /** User + system CPU seconds of the process. */
  cpuS: number | undefined;
}

type Op = "push" | "pull";

function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measure> {
  const timed = existsSync(TIME);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    // %M, %U and %S of the command itself: /usr/bin/time waits for exactly that process.
    const p = spawn(timed ? TIME : cmd, timed ? ["-f", "@@ %M %U %S", cmd, ...args] : args, {
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
      const m = /@@ (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(err);
      resolve({
        ms,
        rssKiB: m ? Number(m[1]) : undefined,
        cpuS: m ? Number(m[2]) + Number(m[3]) : undefined,
      });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
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

type Results = Record<string, Record<Op, Measure[]>>;

/** The same operations as library calls in this process: the work without process startup. */
async function measureInProcess(
  host: string,
  src: string,
  ti: number,
  dir: string,
  runs: number,
): Promise<Record<Op, Measure[]>> {
  const client = new OciClient();
  const res: Record<Op, Measure[]> = { push: [], pull: [] };
  for (let r = 0; r < runs; r++) {
    const ref = parseReference(`${host}/bench/lib-${ti}-${r}:v1`);
    let start = performance.now();
    await pushArtifact(client, ref, {
      path: src,
      source: "https://example.com/org/fleet",
      revision: "main@sha1:0",
    });
    res.push.push({ ms: performance.now() - start, rssKiB: undefined, cpuS: undefined });
    const out = join(dir, `out-lib-${ti}-${r}`);
    start = performance.now();
    await pullArtifact(client, ref, { output: out });
    res.pull.push({ ms: performance.now() - start, rssKiB: undefined, cpuS: undefined });
    await rm(out, { recursive: true, force: true });
  }
  return res;
}

/** Runs every tool `runs` times on one tree; the order flips every run (ABBA) so load hits both alike. */
async function measureTree(
  tools: Tool[],
  host: string,
  src: string,
  ti: number,
  dir: string,
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<Results> {
  const results: Results = {};
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
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

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const ms = (m: Measure[]) => median(m.map((v) => v.ms));
const best = (m: Measure[]) => Math.min(...m.map((v) => v.ms));
const rss = (m: Measure[]) =>
  m.some((v) => v.rssKiB === undefined) ? Number.NaN : median(m.map((v) => v.rssKiB ?? 0)) / 1024;
const cpu = (m: Measure[]) =>
  m.some((v) => v.cpuS === undefined) ? Number.NaN : median(m.map((v) => (v.cpuS ?? 0) * 1000));

function row(tree: string, op: string, f: Measure[], x: Measure[] | undefined): string {
  const cells = [
    tree,
    op,
    `${fmt(ms(f))} (${fmt(best(f))})`,
    x ? `${fmt(ms(x))} (${fmt(best(x))})` : "n/a",
    x ? fmt(ms(f) / ms(x), 2) : "n/a",
    fmt(cpu(f)),
    x ? fmt(cpu(x)) : "n/a",
    fmt(rss(f)),
    x ? fmt(rss(x)) : "n/a",
    x ? fmt(rss(f) / rss(x), 2) : "n/a",
  ];
  return `| ${cells.join(" | ")} |`;
}

function version(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return (r.stdout || r.stderr || "?").trim().split("\n")[0] ?? "?";
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

export async function run(): Promise<void> {
  const runs = Math.max(1, Number(process.env.FERRY_BENCH_RUNS ?? 7) || 7);
  const flux = findTool("flux");
  const registry = await startRegistry();
  const dir = await mkdtemp(join(tmpdir(), "ferry-bench-publish-"));
  const loadBefore = load();
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
    const baseline = process.env.FERRY_BENCH_BASELINE;
    if (baseline) {
      tools.push({
        name: "ferry baseline",
        bin: node,
        push: (ref, path) => [baseline, "push", "artifact", `oci://${ref}`, "--path", path, ...meta],
        pull: (ref, out) => [baseline, "pull", "artifact", `oci://${ref}`, "--output", out],
      });
    }
    // bin/ferry.js keeps compiled modules in Node's compile cache: warm it as on a user's machine.
    for (const t of tools)
      await measure(node, [t.push("x/y:z", ".")[0] as string, "push", "artifact", "--help"], env);
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
      // One untimed round per tree warms the registry's storage folders and the page cache for both.
      await measureTree(tools, registry.host, src, 100 + ti, dir, env, 1);
      const results = await measureTree(tools, registry.host, src, ti, dir, env, runs);
      const lib = await measureInProcess(registry.host, src, ti, dir, runs);
      for (const op of ["push", "pull"] as const) {
        rows.push(row(tree.name, `${op}`, results.ferry?.[op] ?? [], results.flux?.[op]));
        const before = results["ferry baseline"]?.[op];
        if (before) rows.push(row(tree.name, `${op} (ferry baseline)`, before, results.flux?.[op]));
        rows.push(row(tree.name, `${op} (ferry library)`, lib[op], results.flux?.[op]));
      }
    }
    // The floor for any Node CLI: a process that loads nothing.
    const floor: Measure[] = [];
    for (let r = 0; r < runs; r++) floor.push(await measure(node, ["-e", "0"], env));
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    const commit = version("git", ["-C", root, "rev-parse", "--short", "HEAD"]);
    console.log(
      `ferry ${pkg.version} (${commit}) on Node ${version(node, ["--version"])}; ${flux ? version(flux, ["--version"]) : "flux not built"}; ${runs} runs per cell; load average ${loadBefore} before, ${load()} after.\n`,
    );
    console.log(
      "Wall: median (fastest) ms, each run a fresh process, a new repository per push; ferry and flux alternate. CPU: median user+system ms. RSS: median peak RSS (MiB) of the process. Ratios ferry/flux, lower is better. 'ferry library' = the same call in-process (no start-up; no CPU or RSS column).\n",
    );
    console.log(
      "| tree | op | ferry ms | flux ms | wall ratio | ferry CPU ms | flux CPU ms | ferry RSS MiB | flux RSS MiB | RSS ratio |",
    );
    console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) console.log(r);
    console.log(
      `\nNode's floor (\`node -e 0\`): ${fmt(ms(floor))} (${fmt(best(floor))}) ms, CPU ${fmt(cpu(floor))} ms, RSS ${fmt(rss(floor))} MiB.`,
    );
    if (!flux) console.log("\nflux is not built (npm run tools): flux columns are empty.");
  } finally {
    await rm(dir, { recursive: true, force: true });
    await registry.stop();
  }
}

if (import.meta.main) await run();
