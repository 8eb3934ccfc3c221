/**
 * Component logs of a cluster that is about to go away: kept in a folder of their own (the last few runs
 * only), and summed up (warnings, errors, nodes that went NotReady) for a CI log, where nobody can open the
 * files afterwards.
 */
import { cp, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

/**
 * Copies `<clusterDir>/logs` to `<root>/<timestamp>-<name>/` and removes all but the newest `keep` runs
 * under `root`. Returns the new folder.
 */
export async function keepLogs(
  clusterDir: string,
  opts: { root: string; name: string; keep?: number },
): Promise<string> {
  await mkdir(opts.root, { recursive: true });
  const dest = join(opts.root, `${new Date().toISOString().replace(/[:.]/g, "-")}-${opts.name}`);
  await cp(join(clusterDir, "logs"), dest, { recursive: true });
  const runs = (await readdir(opts.root)).sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - (opts.keep ?? 5)))) {
    await rm(join(opts.root, old), { recursive: true, force: true });
  }
  return dest;
}

/** klog (E/W prefix), kwok (level=ERROR/WARN) and etcd (JSON "level") warnings and errors. */
const PROBLEM = /^[EW]\d{4} |level=(ERROR|WARN)|"level":"(warn|error)"/;

/**
 * A few lines per log file in `logsDir`: its size, how many warning and error lines it has and the last
 * `tail` of them; for the controller manager also how often a node went NotReady (which should be never).
 */
export async function logDigest(logsDir: string, tail = 5): Promise<string> {
  const out: string[] = [];
  for (const f of (await readdir(logsDir)).sort()) {
    const text = await readFile(join(logsDir, f), "utf8").catch(() => "");
    const lines = text.split("\n").filter((l) => l !== "");
    const problems = lines.filter((l) => PROBLEM.test(l));
    const notReady = lines.filter((l) => l.includes('status="NodeNotReady"')).length;
    out.push(
      `${f}: ${lines.length} lines, ${problems.length} warnings/errors${f.startsWith("kube-controller-manager") ? `, NodeNotReady ${notReady} time(s)` : ""}`,
    );
    for (const l of problems.slice(-tail)) out.push(`  ${l.slice(0, 400)}`);
  }
  return out.join("\n");
}
