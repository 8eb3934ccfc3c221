/**
 * Signing benchmark: against a registry it starts, sign one artifact and verify it, with Ferry's CLI and
 * with cosign side by side (key pair, both storage formats, no transparency log), each as a fresh process
 * as CI would run it. Reports the median wall time of 3 runs and the peak RSS as a markdown table.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry } from "../src/dev/registry.ts";
import { findTool } from "../src/dev/tools.ts";
import { OciClient } from "../src/oci/index.ts";
import { generateKeyPair, loadPrivateKey, signArtifact, verifyArtifact } from "../src/sign/index.ts";
import { pushTestArtifact } from "../src/sign/testing.ts";

const RUNS = 3;
const root = join(import.meta.dirname, "..");
const node = join(root, "node_modules", ".bin", "node");
const ferry = join(root, "bin", "ferry.js");

interface Measure {
  ms: number;
  rssKiB: number | undefined;
}

/** Highest VmHWM seen in /proc while the process runs (a lower bound: the last moments may be missed). */
function pollPeakRss(pid: number | undefined): { stop: () => number | undefined } {
  let peak: number | undefined;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m?.[1]) peak = Math.max(peak ?? 0, Number(m[1]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Runs a command; wall time from here, peak RSS from /usr/bin/time when present, else sampled from /proc. */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Measure> {
  const timed = existsSync("/usr/bin/time");
  const argv = timed ? ["-f", "%M", cmd, ...args] : args;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(timed ? "/usr/bin/time" : cmd, argv, { env, cwd, stdio: ["ignore", "ignore", "pipe"] });
    const poll = timed ? undefined : pollPeakRss(p.pid);
    let err = "";
    p.stderr.on("data", (d) => {
      err += d;
    });
    p.on("error", reject);
    p.on("close", (code) => {
      const ms = performance.now() - start;
      const sampled = poll?.stop();
      if (code !== 0)
        return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`));
      const last = err.trim().split("\n").pop() ?? "";
      resolve({ ms, rssKiB: timed ? Number(last) : sampled });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export async function run(): Promise<void> {
  const cosign = findTool("cosign");
  const registry = await startRegistry();
  const dir = await mkdtemp(join(tmpdir(), "ferry-bench-sign-"));
  try {
    const pair = await generateKeyPair("bench");
    await writeFile(join(dir, "cosign.key"), pair.privateKey);
    await writeFile(join(dir, "cosign.pub"), pair.publicKey);
    const env = { ...process.env, COSIGN_PASSWORD: "bench", HOME: dir, COSIGN_YES: "true" };
    const client = new OciClient();
    const rows: string[] = [];
    for (const format of ["bundle", "legacy"] as const) {
      const tools: Array<{
        name: string;
        sign: (r: string) => string[];
        verify: (r: string) => string[];
        env?: Record<string, string>;
        bin: string;
      }> = [
        {
          name: "ferry",
          bin: node,
          sign: (r) => [ferry, "sign", "--key", "cosign.key", "--signature-format", format, r],
          verify: (r) => [ferry, "verify", "--key", "cosign.pub", r],
        },
      ];
      if (cosign) {
        tools.push({
          name: "cosign",
          bin: cosign,
          sign: (r) => [
            "sign",
            "--key",
            "cosign.key",
            "--tlog-upload=false",
            "--use-signing-config=false",
            `--new-bundle-format=${format === "bundle"}`,
            "--allow-http-registry",
            "--yes",
            r,
          ],
          verify: (r) => [
            "verify",
            "--key",
            "cosign.pub",
            "--insecure-ignore-tlog",
            "--allow-http-registry",
            r,
          ],
        });
      }
      for (const [k, t] of tools.entries()) {
        const sign: Measure[] = [];
        const verify: Measure[] = [];
        // One untimed round first: file caches and Node's compile cache (bin/ferry.js enables it) warm.
        const warm = await pushTestArtifact(client, registry.host, `bench/warm-${k}-${format}`);
        const warmRef = `${registry.host}/${warm.repository}@${warm.digest}`;
        await measure(t.bin, t.sign(warmRef), { ...env, ...t.env }, dir);
        await measure(t.bin, t.verify(warmRef), { ...env, ...t.env }, dir);
        for (let i = 0; i < RUNS; i++) {
          const art = await pushTestArtifact(client, registry.host, `bench/sign-${k}-${format}-${i}`);
          const ref = `${registry.host}/${art.repository}@${art.digest}`;
          sign.push(await measure(t.bin, t.sign(ref), { ...env, ...t.env }, dir));
          verify.push(await measure(t.bin, t.verify(ref), { ...env, ...t.env }, dir));
        }
        for (const [op, ms] of [
          ["sign", sign],
          ["verify", verify],
        ] as const) {
          const rss = ms.map((m) => m.rssKiB).filter((x): x is number => x !== undefined);
          rows.push(
            `| ${op} | ${format} | ${t.name} | ${median(ms.map((m) => m.ms)).toFixed(0)} | ${rss.length ? (Math.max(...rss) / 1024).toFixed(0) : "n/a"} |`,
          );
        }
      }
    }
    // The library in this process, as the agent calls it (no startup, key already decrypted).
    const privateKey = await loadPrivateKey(pair.privateKey, { password: "bench", source: "bench" });
    for (const format of ["bundle", "legacy"] as const) {
      const sign: number[] = [];
      const verify: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const art = await pushTestArtifact(client, registry.host, `bench/sign-lib-${format}-${i}`);
        const ref = { registry: art.registry, repository: art.repository, digest: art.digest };
        let t = performance.now();
        await signArtifact({ client, reference: ref, material: { kind: "key", privateKey }, format });
        sign.push(performance.now() - t);
        t = performance.now();
        await verifyArtifact({ client, reference: ref, policy: { keys: [pair.publicKey] } });
        verify.push(performance.now() - t);
      }
      const rss = (process.resourceUsage().maxRSS / 1024).toFixed(0);
      rows.push(
        `| sign | ${format} | ferry library (in-process) | ${median(sign).toFixed(0)} | ${rss} (whole process) |`,
      );
      rows.push(
        `| verify | ${format} | ferry library (in-process) | ${median(verify).toFixed(0)} | ${rss} (whole process) |`,
      );
    }
    console.log(
      `One artifact, key pair, no transparency log; median of ${RUNS} runs, each a fresh process.\n`,
    );
    console.log("| operation | format | tool | wall ms | peak RSS MiB |\n|---|---|---|---:|---:|");
    for (const r of rows) console.log(r);
    if (!cosign) console.log("\n(cosign not built: run `npm run tools` for the side-by-side rows)");
  } finally {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
