/**
 * The values a HelmRelease installs with: each `valuesFrom` entry in order (a ConfigMap or Secret key,
 * `values.yaml` by default, merged as a map, or set at `targetPath` as one value), then `spec.values` on
 * top, as helm-controller's chartutil.ChartValuesFromReferences. A missing reference fails unless
 * `optional`.
 */
import type { HelmRelease } from "../../api/index.ts";
import { describe } from "../../errors/index.ts";
import { isTable, mergeMaps, parseYaml, parseYamlMap, type Values } from "../../helm/index.ts";
import { getObject, type KubeClient } from "../../kube/index.ts";
import { HelmReleaseError, Reasons } from "./errors.ts";

type Spec = HelmRelease["spec"];

type ValuesReference = NonNullable<Spec["valuesFrom"]>[number];

export async function composeValues(
  kube: KubeClient,
  key: string,
  namespace: string,
  spec: Spec,
  signal: AbortSignal,
): Promise<Values> {
  let out: Values = {};
  for (const ref of spec.valuesFrom ?? []) {
    const text = await readReference(kube, key, namespace, ref, signal);
    if (text === undefined) continue;
    if (ref.targetPath) {
      out = setPath(out, ref.targetPath, ref.literal ? text : scalar(text), key);
      continue;
    }
    out = mergeMaps(out, parseValues(key, text, ref, namespace));
  }
  if (isTable(spec.values)) out = mergeMaps(out, spec.values as Values);
  return out;
}

/** The text at the reference's key, or undefined when it is missing and optional. */
async function readReference(
  kube: KubeClient,
  key: string,
  namespace: string,
  ref: ValuesReference,
  signal: AbortSignal,
): Promise<string | undefined> {
  const what = `${ref.kind}/${namespace}/${ref.name}`;
  let obj: Awaited<ReturnType<typeof getObject>>;
  try {
    obj = await getObject(
      kube,
      { apiVersion: "v1", kind: ref.kind, metadata: { namespace, name: ref.name } },
      { signal },
    );
  } catch (err) {
    throw new HelmReleaseError(key, Reasons.valuesError, `could not get ${what}: ${describe(err)}`, {
      cause: err,
    });
  }
  const valuesKey = ref.valuesKey || "values.yaml";
  if (!obj) {
    if (ref.optional) return undefined;
    throw new HelmReleaseError(
      key,
      Reasons.valuesError,
      `could not find ${what}; create it or mark the valuesFrom entry optional`,
    );
  }
  const raw = (obj as { data?: Record<string, string> }).data?.[valuesKey];
  if (raw === undefined) {
    if (ref.optional) return undefined;
    throw new HelmReleaseError(
      key,
      Reasons.valuesError,
      `missing key '${valuesKey}' in ${what}; add it or set valuesKey`,
    );
  }
  return ref.kind === "Secret" ? Buffer.from(raw, "base64").toString("utf8") : raw;
}

function parseValues(key: string, text: string, ref: ValuesReference, namespace: string): Values {
  const where = `key '${ref.valuesKey || "values.yaml"}' in ${ref.kind}/${namespace}/${ref.name}`;
  let m: Values | undefined;
  try {
    m = parseYamlMap(text);
  } catch (err) {
    throw new HelmReleaseError(
      key,
      Reasons.valuesError,
      `unable to read values from ${where}: ${describe(err)}`,
      { cause: err },
    );
  }
  if (!m) throw new HelmReleaseError(key, Reasons.valuesError, `${where} is not a YAML map of values`);
  return m;
}

/** A targetPath value is parsed as a YAML scalar (Helm's --set semantics: numbers, booleans), else kept as text. */
function scalar(text: string): unknown {
  try {
    const v = parseYaml(text);
    return v !== null && typeof v === "object" ? text : v;
  } catch {
    return text;
  }
}

/** Sets `a.b[0].c`-style paths (Helm's strvals), creating maps on the way. */
export function setPath(vals: Values, path: string, value: unknown, key = ""): Values {
  const parts = path.match(/(\\.|[^.])+/g)?.map((p) => p.replaceAll("\\.", ".")) ?? [];
  if (parts.length === 0)
    throw new HelmReleaseError(key, Reasons.valuesError, `targetPath ${JSON.stringify(path)} is empty`);
  const out = structuredClone(vals);
  let cur: Values = out;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    if (!isTable(cur[p])) cur[p] = {};
    cur = cur[p] as Values;
  }
  cur[parts[parts.length - 1] as string] = value;
  return out;
}
