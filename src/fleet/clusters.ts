/**
 * Which clusters make up the fleet: every context of each `--kubeconfig` file, the entries of a fleet file
 * (`ferry-fleet.yaml`), or, when neither is given, the local dev clusters (`<dev dir>/clusters/<name>/
 * kubeconfig`). `--context` and label selectors filter the result. Nothing here connects to a cluster: a
 * kubeconfig that cannot be read becomes a cluster with a `problem`, reported as its row.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { describe } from "../errors/index.ts";
import { FleetFileError, NoClustersError, SelectorError } from "./errors.ts";

export interface FleetCluster {
  /** Unique name in the fleet (the context name, the fleet file's `name`, the dev cluster's folder). */
  name: string;
  /** Absolute path of the kubeconfig. */
  kubeconfig: string;
  /** Context to use; the kubeconfig's current context when undefined. */
  context?: string | undefined;
  labels: Record<string, string>;
  origin: "kubeconfig" | "fleet" | "dev";
  /** Set when the cluster could not even be listed (unreadable kubeconfig): reported as its error. */
  problem?: string | undefined;
}

export interface FleetSources {
  /** `--kubeconfig` files (absolute paths): every context in each is a cluster. */
  kubeconfigs?: readonly string[] | undefined;
  /** `--fleet` file (absolute path). */
  fleetFile?: string | undefined;
  /** `--context` filter: cluster or context names to keep. */
  contexts?: readonly string[] | undefined;
  /** `--selector k=v`: labels a cluster must carry. */
  selector?: Readonly<Record<string, string>> | undefined;
  /** Folder of the local dev clusters (`~/.cache/ferry/dev/clusters`), used when nothing else is given. */
  devClustersDir?: string | undefined;
  /** Home folder, for `~/` in fleet file paths. */
  home?: string | undefined;
}

/** The context names of a kubeconfig file, in file order. */
export async function kubeconfigContexts(file: string): Promise<string[]> {
  const doc = parse(await readFile(file, "utf8")) as { contexts?: Array<{ name?: unknown }> } | null;
  const contexts = (doc?.contexts ?? [])
    .map((c) => c?.name)
    .filter((n): n is string => typeof n === "string");
  if (contexts.length === 0) throw new Error("it defines no contexts");
  return contexts;
}

async function fromKubeconfig(file: string): Promise<FleetCluster[]> {
  try {
    return (await kubeconfigContexts(file)).map((context) => ({
      name: context,
      kubeconfig: file,
      context,
      labels: {},
      origin: "kubeconfig" as const,
    }));
  } catch (err) {
    return [
      {
        name: basename(file),
        kubeconfig: file,
        labels: {},
        origin: "kubeconfig",
        problem: `kubeconfig ${file} cannot be read: ${describe(err)}; fix the file or drop --kubeconfig ${file}`,
      },
    ];
  }
}

function expandPath(p: string, base: string, home: string | undefined): string {
  if (home && (p === "~" || p.startsWith("~/"))) return join(home, p.slice(1));
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Parses a fleet file: a list of clusters, or `{clusters: [...]}`; kubeconfig paths relative to the file. */
export function parseFleetFile(file: string, text: string, home?: string): FleetCluster[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new FleetFileError(file, `not valid YAML (${describe(err)}); fix the syntax`, { cause: err });
  }
  const list = Array.isArray(doc) ? doc : (doc as { clusters?: unknown } | null)?.clusters;
  if (!Array.isArray(list) || list.length === 0) {
    throw new FleetFileError(
      file,
      "has no clusters; write a list of {name, kubeconfig, context, labels} under `clusters:`",
    );
  }
  return list.map((raw, i) => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const at = `clusters[${i}]`;
    const str = (field: string): string | undefined => {
      const v = e[field];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== "string" || v === "")
        throw new FleetFileError(file, `${at}.${field} must be a non-empty string`);
      return v;
    };
    const kubeconfig = str("kubeconfig");
    if (!kubeconfig)
      throw new FleetFileError(
        file,
        `${at}.kubeconfig is missing; give the path of the cluster's kubeconfig`,
      );
    const context = str("context");
    const name = str("name") ?? context;
    if (!name) throw new FleetFileError(file, `${at} has neither name nor context; give it a name`);
    const labels: Record<string, string> = {};
    const rawLabels = e.labels ?? {};
    if (typeof rawLabels !== "object" || Array.isArray(rawLabels))
      throw new FleetFileError(file, `${at}.labels must be a map of strings`);
    for (const [k, v] of Object.entries(rawLabels as Record<string, unknown>)) {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
        throw new FleetFileError(file, `${at}.labels.${k} must be a string`);
      labels[k] = String(v);
    }
    return {
      name,
      kubeconfig: expandPath(kubeconfig, dirname(file), home),
      context,
      labels,
      origin: "fleet" as const,
    };
  });
}

async function fromDevDir(dir: string): Promise<FleetCluster[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: FleetCluster[] = [];
  for (const name of names.sort()) {
    const kubeconfig = join(dir, name, "kubeconfig");
    const isFile = await stat(kubeconfig).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isFile) out.push({ name, kubeconfig, labels: {}, origin: "dev" });
  }
  return out;
}

/** `a=b,c=d` → `{a: "b", c: "d"}`. */
export function parseSelector(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf("=");
    if (i <= 0) throw new SelectorError(part);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** Names made unique: a repeated name gets `@<kubeconfig file name>` appended. */
function uniqueNames(clusters: FleetCluster[]): FleetCluster[] {
  const count = new Map<string, number>();
  for (const c of clusters) count.set(c.name, (count.get(c.name) ?? 0) + 1);
  const seen = new Set<string>();
  return clusters.map((c) => {
    let name = (count.get(c.name) ?? 0) > 1 ? `${c.name}@${basename(c.kubeconfig)}` : c.name;
    for (let i = 2; seen.has(name); i++) name = `${c.name}@${basename(c.kubeconfig)}#${i}`;
    seen.add(name);
    return { ...c, name };
  });
}

/** The fleet: clusters from the given sources, filtered by contexts and labels. */
export async function resolveFleet(src: FleetSources): Promise<FleetCluster[]> {
  let all: FleetCluster[] = [];
  for (const file of src.kubeconfigs ?? []) all.push(...(await fromKubeconfig(file)));
  if (src.fleetFile) {
    let text: string;
    try {
      text = await readFile(src.fleetFile, "utf8");
    } catch (err) {
      throw new FleetFileError(src.fleetFile, `cannot be read (${describe(err)}); check the path`, {
        cause: err,
      });
    }
    all.push(...parseFleetFile(src.fleetFile, text, src.home));
  }
  const explicit = (src.kubeconfigs?.length ?? 0) > 0 || src.fleetFile !== undefined;
  if (!explicit) {
    if (!src.devClustersDir) throw new NoClustersError("no kubeconfig or fleet file given");
    all = await fromDevDir(src.devClustersDir);
    if (all.length === 0) throw new NoClustersError(`no local dev cluster under ${src.devClustersDir}`);
  }
  all = uniqueNames(all);
  if (src.contexts && src.contexts.length > 0) {
    const wanted = new Set(src.contexts);
    const missing = src.contexts.filter((w) => !all.some((c) => c.name === w || c.context === w));
    if (missing.length > 0) {
      throw new NoClustersError(
        `--context ${missing.join(", ")} matches none of ${all.map((c) => c.name).join(", ") || "the clusters found"}`,
      );
    }
    all = all.filter((c) => wanted.has(c.name) || (c.context !== undefined && wanted.has(c.context)));
  }
  const sel = Object.entries(src.selector ?? {});
  if (sel.length > 0) {
    all = all.filter((c) => sel.every(([k, v]) => c.labels[k] === v));
    if (all.length === 0)
      throw new NoClustersError(
        `--selector ${sel.map(([k, v]) => `${k}=${v}`).join(",")} matches no cluster`,
      );
  }
  return all;
}
