/**
 * Live `lookup` for chart templates, as `helm install` has it, on a synchronous template engine: the chart
 * is rendered, the lookups it made are fetched from the cluster (a get by name, or a list when the name
 * is empty; cluster-wide when the namespace is empty), and it is rendered again with those answers, until
 * it asks for nothing new (at most five passes). Objects that do not exist, and kinds the cluster does
 * not serve, are `{}`.
 */
import { getObject, isNotFound, type KubeClient, listObjects, UnknownKindError } from "../../kube/index.ts";

type Lookup = (apiVersion: string, kind: string, namespace: string, name: string) => Record<string, unknown>;

const MAX_PASSES = 5;

export async function renderWithLookup<T>(
  client: KubeClient,
  render: (lookup: Lookup) => T,
  signal: AbortSignal,
): Promise<T> {
  const answers = new Map<string, Record<string, unknown>>();
  for (let pass = 1; ; pass++) {
    const missing = new Map<string, [string, string, string, string]>();
    const lookup: Lookup = (a, k, ns, n) => {
      const key = JSON.stringify([a, k, ns, n]);
      const known = answers.get(key);
      if (known) return known;
      missing.set(key, [a, k, ns, n]);
      return {};
    };
    const last = pass === MAX_PASSES;
    try {
      const out = render(lookup);
      if (missing.size === 0 || last) return out;
    } catch (err) {
      // A template may fail on the empty answer (e.g. `required` on a looked-up field): fetch, then retry.
      if (missing.size === 0 || last) throw err;
    }
    for (const [key, args] of missing) answers.set(key, await fetch(client, ...args, signal));
  }
}

async function fetch(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  try {
    if (name !== "") {
      const o = await getObject(
        client,
        { apiVersion, kind, metadata: { name, namespace: namespace || undefined } },
        { signal },
      );
      return (o as Record<string, unknown> | undefined) ?? {};
    }
    const list = await listObjects(client, apiVersion, kind, { signal, namespace: namespace || undefined });
    return {
      apiVersion,
      kind: `${kind}List`,
      metadata: { resourceVersion: list.resourceVersion },
      items: list.items,
    };
  } catch (err) {
    // A kind the cluster does not serve is "not found" too (charts probe for optional CRDs this way).
    if (isNotFound(err) || err instanceof UnknownKindError) return {};
    throw err;
  }
}
