/**
 * Regenerates schemas/kubernetes.json: the Kubernetes core schemas `ferry validate` ships with, taken from a
 * real kube-apiserver's published OpenAPI v3 (`/openapi/v3`). Starts a private local cluster (src/dev),
 * fetches every group-version document, keeps only what validation needs (types, properties, required,
 * items, enums, refs, int-or-string, preserve-unknown-fields), and writes one compact bundle.
 *
 *   node scripts/gen-schemas.ts [--kubeconfig FILE]
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type ApiConnection, apiRequest } from "../src/dev/api.ts";
import { readKubeconfigConnection } from "../src/dev/kubeconfig.ts";
import { startTestCluster } from "../src/dev/testing.ts";

type Json = Record<string, unknown>;
const KEEP = [
  "type",
  "required",
  "enum",
  "nullable",
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
];

function compact(s: Json): Json {
  const out: Json = {};
  for (const k of KEEP) if (s[k] !== undefined) out[k] = s[k];
  if (typeof s.$ref === "string") out.$ref = s.$ref.replace("#/components/schemas/", "");
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties as Record<string, Json>).map(([k, v]) => [k, compact(v)]),
    );
  }
  if (s.items) out.items = compact(s.items as Json);
  if (typeof s.additionalProperties === "object")
    out.additionalProperties = compact(s.additionalProperties as Json);
  else if (typeof s.additionalProperties === "boolean") out.additionalProperties = s.additionalProperties;
  if (Array.isArray(s.allOf)) {
    const parts = (s.allOf as Json[]).map(compact);
    // `allOf: [{$ref}]` is how v3 attaches a description to a reference: flatten it.
    if (parts.length === 1 && Object.keys(out).length === 0) return parts[0] as Json;
    out.allOf = parts;
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kubeconfig: { type: "string" } } });
  const signal = AbortSignal.timeout(10 * 60_000);
  const started = values.kubeconfig ? undefined : await startTestCluster({ signal, name: "gen-schemas" });
  try {
    const c = await readKubeconfigConnection(values.kubeconfig ?? started!.kubeconfig);
    const conn: ApiConnection = { server: c.server, ca: c.caPem, cert: c.certPem, key: c.keyPem };
    const get = async (path: string): Promise<Json> => {
      const res = await apiRequest(conn, "GET", path, { signal, timeoutMs: 60_000 });
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
      return JSON.parse(res.body) as Json;
    };
    // The test binaries are built without version stamping: name the pinned module version instead.
    const goMod = await readFile(fileURLToPath(new URL("../tools/go/kube/go.mod", import.meta.url)), "utf8");
    const pinned = /k8s\.io\/kubernetes (v\S+)/.exec(goMod)?.[1];
    const version = pinned ? { gitVersion: pinned } : ((await get("/version")) as { gitVersion?: string });
    const index = (await get("/openapi/v3")) as { paths: Record<string, { serverRelativeURL: string }> };
    const definitions: Record<string, Json> = {};
    const kinds: Record<string, string> = {};
    for (const [path, entry] of Object.entries(index.paths).sort()) {
      if (!/^(api\/v1|apis\/[^/]+\/[^/]+)$/.test(path)) continue;
      const doc = await get(entry.serverRelativeURL);
      const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
      for (const [name, schema] of Object.entries(schemas)) {
        definitions[name] ??= compact(schema);
        const gvks = (schema["x-kubernetes-group-version-kind"] ?? []) as Array<{
          group: string;
          version: string;
          kind: string;
        }>;
        for (const g of gvks) {
          if (g.kind.endsWith("List") || g.kind === "WatchEvent" || g.kind === "DeleteOptions") continue;
          const apiVersion = g.group ? `${g.group}/${g.version}` : g.version;
          if (`${path}` !== (g.group ? `apis/${apiVersion}` : `api/${apiVersion}`)) continue;
          kinds[`${apiVersion}/${g.kind}`] = name;
        }
      }
    }
    const bundle = {
      source: `kube-apiserver ${version.gitVersion ?? "unknown"} /openapi/v3`,
      kinds: Object.fromEntries(Object.entries(kinds).sort()),
      definitions: Object.fromEntries(Object.entries(definitions).sort()),
    };
    const out = fileURLToPath(new URL("../schemas/kubernetes.json", import.meta.url));
    await mkdir(fileURLToPath(new URL("../schemas/", import.meta.url)), { recursive: true });
    await writeFile(out, `${JSON.stringify(bundle)}\n`);
    console.log(
      `wrote ${out}: ${Object.keys(kinds).length} kinds, ${Object.keys(definitions).length} definitions from ${bundle.source}`,
    );
  } finally {
    await started?.stop();
  }
}

await main();
