/** Loading a kubeconfig and deriving impersonating copies of it. */
import { KubeConfig } from "@kubernetes/client-node";
import { KubeConfigError } from "./errors.ts";

export interface LoadKubeConfigOptions {
  /** Path of a kubeconfig file. */
  path?: string;
  /** A kubeconfig as YAML text (takes precedence over `path`). */
  text?: string;
  /** Context to use instead of `current-context`. */
  context?: string;
  /**
   * Use the Pod's service account (token and CA files) against `server`; the CLI builds `server` from
   * KUBERNETES_SERVICE_HOST/PORT. The token file is re-read as it rotates.
   */
  inCluster?: { server: string; serviceAccountDir?: string };
}

/** Loads a kubeconfig from a file, text, or the Pod's service account; the caller (the CLI) decides which. */
export function loadKubeConfig(opts: LoadKubeConfigOptions): KubeConfig {
  const source = opts.inCluster
    ? "(in-cluster)"
    : opts.text !== undefined
      ? "(inline)"
      : (opts.path ?? "(none)");
  const kc = new KubeConfig();
  try {
    if (opts.inCluster) loadInCluster(kc, opts.inCluster.server, opts.inCluster.serviceAccountDir);
    else if (opts.text !== undefined) kc.loadFromString(opts.text);
    else if (opts.path) kc.loadFromFile(opts.path);
    else throw new Error("no path or text given");
  } catch (err) {
    throw new KubeConfigError(source, err instanceof Error ? err.message : String(err), err);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context))
      throw new KubeConfigError(source, `context "${opts.context}" not found`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new KubeConfigError(source, "the current context names no cluster");
  return kc;
}

/** Username the API server gives a service account: `system:serviceaccount:NS:NAME`. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * A copy of `kc` whose current user impersonates `user` (an `Impersonate-User` header on every request).
 * The original is not changed. For a service account the API server adds its groups itself.
 */
export function impersonate(kc: KubeConfig, user: string): KubeConfig {
  const current = kc.getCurrentUser();
  const ctx = kc.getContextObject(kc.getCurrentContext());
  if (!current || !ctx) throw new KubeConfigError("(in memory)", "no current user to impersonate from");
  const clone = new KubeConfig();
  const alias = `${current.name}-as-${user}`;
  clone.loadFromOptions({
    clusters: kc.clusters,
    users: [...kc.users, { ...current, name: alias, impersonateUser: user }],
    contexts: [...kc.contexts, { ...ctx, name: `${ctx.name}-as-${user}`, user: alias }],
    currentContext: `${ctx.name}-as-${user}`,
  });
  return clone;
}

const defaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

function loadInCluster(kc: KubeConfig, server: string, dir = defaultServiceAccountDir): void {
  kc.loadFromOptions({
    clusters: [{ name: "in-cluster", server, caFile: `${dir}/ca.crt`, skipTLSVerify: false }],
    users: [
      { name: "in-cluster", authProvider: { name: "tokenFile", config: { tokenFile: `${dir}/token` } } },
    ],
    contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "in-cluster" }],
    currentContext: "in-cluster",
  });
}
