/**
 * ResourceSet inputs, as flux-operator combines them: the in-line `spec.inputs` (provided by the ResourceSet
 * itself) and the exported inputs of the `ResourceSetInputProvider`s that `spec.inputsFrom` selects (by name
 * or label selector, same namespace), each input set tagged with `provider` (apiVersion, kind, name,
 * namespace). `Flatten` concatenates them; `Permute` takes the Cartesian product, placing each set under the
 * normalized provider name and giving every permutation an `id`. Offline, a provider's exported inputs come
 * from its manifest: `status.exportedInputs` when present, else (type Static) `spec.defaultValues` plus an
 * `id` derived from the provider name.
 */
import { FerryError } from "../../errors/index.ts";
import { isRecord, type KubeObject, refOf } from "../object.ts";

export type InputSet = Record<string, unknown>;
export const RSET_API = "fluxcd.controlplane.io/v1";
const MAX_PERMUTATIONS = 10000;

export class InputsError extends FerryError {
  override name = "InputsError";
  readonly resourceSet: string;
  constructor(resourceSet: string, detail: string) {
    super(`${resourceSet}: ${detail}`);
    this.resourceSet = resourceSet;
  }
}

/** Adler-32 of the UTF-8 bytes, in decimal: flux-operator's opaque input-set id. */
export function inputId(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, "utf8")) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

/** A provider name as a template key: lower case, punctuation and spaces to `_`, other characters dropped. */
export function normalizeKey(key: string): string {
  let out = "";
  for (const ch of key) {
    const c = ch.toLowerCase();
    if (/^[\s\p{P}]$/u.test(c)) out += "_";
    else if (/^[a-z0-9]$/.test(c)) out += c;
  }
  return out
    .split("_")
    .filter((w) => w !== "")
    .join("_");
}

/** The exported inputs of a provider manifest read offline. */
export function providerInputs(provider: KubeObject): InputSet[] {
  const status = isRecord(provider.status) ? provider.status : {};
  if (Array.isArray(status.exportedInputs))
    return status.exportedInputs.filter(isRecord).map((i) => ({ ...i }));
  const spec = isRecord(provider.spec) ? provider.spec : {};
  if (spec.type !== "Static") {
    throw new InputsError(
      refOf(provider),
      `provider type ${String(spec.type)} needs a cluster; offline only Static providers (or a manifest with status.exportedInputs) can be used`,
    );
  }
  const defaults = isRecord(spec.defaultValues) ? spec.defaultValues : {};
  return [{ ...structuredClone(defaults), id: inputId(provider.metadata.name ?? "") }];
}

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

/** Kubernetes label selector semantics (matchLabels and In/NotIn/Exists/DoesNotExist). */
export function matchesSelector(labels: Record<string, string>, selector: Record<string, unknown>): boolean {
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  const exprs = (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) as Requirement[];
  for (const e of exprs) {
    const has = Object.hasOwn(labels, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !vals.includes(labels[e.key] as string)) return false;
        break;
      case "NotIn":
        if (has && vals.includes(labels[e.key] as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        throw new FerryError(
          `label selector operator "${e.operator}" is not valid; use In, NotIn, Exists or DoesNotExist`,
        );
    }
  }
  return true;
}

/** The providers `spec.inputsFrom` selects among `available` (same namespace as the ResourceSet). */
export function selectProviders(rset: KubeObject, available: readonly KubeObject[]): KubeObject[] {
  const spec = isRecord(rset.spec) ? rset.spec : {};
  const ns = rset.metadata.namespace ?? "";
  const candidates = available.filter(
    (p) => p.kind === "ResourceSetInputProvider" && (p.metadata.namespace ?? ns) === ns,
  );
  const selected = new Map<string, KubeObject>();
  for (const [i, ref] of (Array.isArray(spec.inputsFrom) ? spec.inputsFrom : []).entries()) {
    if (!isRecord(ref)) continue;
    for (const p of referenced(rset, i, ref, candidates)) selected.set(p.metadata.name ?? "", p);
  }
  return [...selected.values()];
}

/** The candidates one `inputsFrom` entry selects: by name, or by label selector. */
function referenced(
  rset: KubeObject,
  i: number,
  ref: Record<string, unknown>,
  candidates: readonly KubeObject[],
): KubeObject[] {
  if (typeof ref.name === "string" && ref.name) return candidates.filter((c) => c.metadata.name === ref.name);
  const selector = ref.selector;
  if (isRecord(selector)) return candidates.filter((p) => matchesSelector(p.metadata.labels ?? {}, selector));
  throw new InputsError(refOf(rset), `spec.inputsFrom[${i}] must set either name or selector`);
}

function tagged(p: KubeObject, sets: InputSet[], namespace: string): InputSet[] {
  const provider = {
    apiVersion: p.apiVersion,
    kind: p.kind,
    name: p.metadata.name ?? "",
    namespace: p.metadata.namespace ?? namespace,
  };
  return sets.map((s) => ({ ...s, provider }));
}

/** The combined input sets the templates are rendered with, in flux-operator's order. */
export function combineInputs(rset: KubeObject, providers: readonly KubeObject[]): InputSet[] {
  const spec = isRecord(rset.spec) ? rset.spec : {};
  const ns = rset.metadata.namespace ?? "";
  const strategy = isRecord(spec.inputStrategy) ? spec.inputStrategy : {};
  const name = typeof strategy.name === "string" && strategy.name ? strategy.name : "Flatten";
  const sorted = [...providers].sort((a, b) => compare(providerKey(a, ns), providerKey(b, ns)));
  const inline = (Array.isArray(spec.inputs) ? spec.inputs : [])
    .filter(isRecord)
    .map((i) => structuredClone(i));
  const sources: Array<{ name: string; sets: InputSet[] }> = [
    { name: rset.metadata.name ?? "", sets: tagged(rset, inline, ns) },
    ...sorted.map((p) => ({ name: p.metadata.name ?? "", sets: tagged(p, providerInputs(p), ns) })),
  ];
  if (name === "Flatten") return sources.flatMap((s) => s.sets);
  if (name !== "Permute")
    throw new InputsError(refOf(rset), `unknown input strategy '${name}': use Flatten or Permute`);
  const includeEmpty = strategy.includeEmptyProviders === true;
  const lists: Array<{ key: string; sets: InputSet[] }> = [];
  let expected = 1;
  for (const s of sources) {
    if (!includeEmpty && s.sets.length === 0) continue;
    expected *= s.sets.length;
    if (expected > MAX_PERMUTATIONS) {
      throw new InputsError(
        refOf(rset),
        `adding provider '${s.name}' with ${s.sets.length} inputs exceeds the maximum of ${MAX_PERMUTATIONS} permutations; filter the provider's inputs`,
      );
    }
    const key = normalizeKey(s.name);
    if (!key)
      throw new InputsError(refOf(rset), `provider name '${s.name}' normalizes to an empty key; rename it`);
    lists.push({ key, sets: s.sets });
  }
  if (lists.length === 0 || lists.some((l) => l.sets.length === 0)) return [];
  const out: InputSet[] = [];
  const pick = (i: number, acc: InputSet, idParts: string[]): void => {
    if (i === lists.length) {
      out.push({ ...acc, id: inputId(idParts.join("/")) });
      return;
    }
    const l = lists[i] as { key: string; sets: InputSet[] };
    for (const [j, set] of l.sets.entries())
      pick(i + 1, { ...acc, [l.key]: set }, [...idParts, `${l.key}=${j}`]);
  };
  pick(0, {}, []);
  return out;
}

function providerKey(p: KubeObject, ns: string): string {
  // Same order as flux-operator: group/version, kind, then namespace and name.
  const gv = p.apiVersion;
  return `${gv}, Kind=${p.kind}\u0000${p.metadata.namespace ?? ns}\u0000${p.metadata.name ?? ""}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
