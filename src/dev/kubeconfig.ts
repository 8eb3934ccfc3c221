/** Kubeconfig files for a local cluster: one cluster, one user (client certificate), one context, all inline. */
import { readFile, writeFile } from "node:fs/promises";
import { parse, stringify } from "yaml";
import { FerryError } from "../errors/index.ts";

export interface KubeconfigOptions {
  /** Cluster, user and context name. */
  name: string;
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

export function renderKubeconfig(o: KubeconfigOptions): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: o.name, cluster: { server: o.server, "certificate-authority-data": b64(o.caPem) } }],
    users: [
      { name: o.name, user: { "client-certificate-data": b64(o.certPem), "client-key-data": b64(o.keyPem) } },
    ],
    contexts: [{ name: o.name, context: { cluster: o.name, user: o.name } }],
    "current-context": o.name,
    preferences: {},
  });
}

/** Writes the kubeconfig with mode 0600: it holds a private key. */
export async function writeKubeconfig(path: string, o: KubeconfigOptions): Promise<void> {
  await writeFile(path, renderKubeconfig(o), { mode: 0o600 });
}

/** Server, CA and client certificate of the current context of a kubeconfig written by writeKubeconfig. */
export async function readKubeconfigConnection(path: string): Promise<KubeconfigOptions> {
  const doc = parse(await readFile(path, "utf8")) as {
    "current-context"?: string;
    contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
    clusters?: Array<{ name: string; cluster: { server: string; "certificate-authority-data"?: string } }>;
    users?: Array<{ name: string; user: { "client-certificate-data"?: string; "client-key-data"?: string } }>;
  };
  const ctx = doc.contexts?.find((c) => c.name === doc["current-context"])?.context;
  const cluster = doc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === ctx?.user)?.user;
  const unb64 = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString("utf8");
  if (!ctx || !cluster || !user?.["client-certificate-data"] || !user["client-key-data"]) {
    throw new FerryError(
      `kubeconfig ${path} has no current context with an inline client certificate; use one written by \`ferry dev cluster create\``,
    );
  }
  return {
    name: doc["current-context"]!,
    server: cluster.server,
    caPem: unb64(cluster["certificate-authority-data"]),
    certPem: unb64(user["client-certificate-data"]),
    keyPem: unb64(user["client-key-data"]),
  };
}
