/**
 * Installs Ferry's CRDs for the Flux kinds with server-side apply and waits until the API server reports
 * each one Established (and not NamesAccepted=False), so objects of those kinds can be created right after.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type CustomResourceDefinition, fluxCRDs } from "../api/index.ts";
import { describe } from "../errors/index.ts";
import type { KubeClient, KubeObject } from "../kube/index.ts";
import { applyObject, getObject } from "../kube/index.ts";
import { CRDInstallError } from "./errors.ts";

export interface InstallCRDsOptions {
  signal: AbortSignal;
  /** Field manager of the apply (default `ferry`). */
  fieldManager?: string;
  /** How long to wait for Established (default 60 s). */
  timeoutMs?: number;
}

export interface InstalledCRD {
  name: string;
  /** Created, or its spec, labels or annotations changed (status updates by the API server do not count). */
  changed: boolean;
}

interface CrdCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function conditions(o: KubeObject | undefined): CrdCondition[] {
  return ((o?.status as { conditions?: CrdCondition[] } | undefined)?.conditions ?? []) as CrdCondition[];
}

/** Applies every CRD and waits until each is Established; throws a CRDInstallError naming the CRD otherwise. */
export async function installCRDs(client: KubeClient, opts: InstallCRDsOptions): Promise<InstalledCRD[]> {
  const crds: CustomResourceDefinition[] = fluxCRDs();
  const fieldManager = opts.fieldManager ?? "ferry";
  const out: InstalledCRD[] = [];
  for (const crd of crds) {
    const before = await getObject(client, crd, { signal: opts.signal });
    let after: KubeObject;
    try {
      after = await applyObject(client, crd as unknown as KubeObject, {
        signal: opts.signal,
        fieldManager,
        force: true,
      });
    } catch (err) {
      throw new CRDInstallError(
        crd.metadata.name,
        `CustomResourceDefinition ${crd.metadata.name} was refused by the API server: ${describe(err)}`,
        err,
      );
    }
    out.push({
      name: crd.metadata.name,
      changed: crdChanged(before, after),
    });
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (const crd of crds) {
    for (;;) {
      const live = await getObject(client, crd, { signal: opts.signal });
      const conds = conditions(live);
      const names = conds.find((c) => c.type === "NamesAccepted");
      if (names?.status === "False") {
        throw new CRDInstallError(
          crd.metadata.name,
          `CustomResourceDefinition ${crd.metadata.name}: names not accepted (${names.reason}: ${names.message}); remove the conflicting CRD`,
        );
      }
      if (conds.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) {
        throw new CRDInstallError(
          crd.metadata.name,
          `CustomResourceDefinition ${crd.metadata.name} did not become Established in time; check the API server's apiextensions controller`,
        );
      }
      await sleep(100, undefined, { signal: opts.signal });
    }
  }
  // Discovery caches what existed before; the new kinds must be resolvable right away.
  for (const crd of crds) client.mapper.invalidate(`${crd.spec.group}/${crd.spec.versions[0]?.name}`);
  return out;
}

/**
 * Whether an apply created or changed a CRD. The resourceVersion also moves when the API server updates the
 * CRD's status (names accepted, established, stored versions) — possibly between our read and our write,
 * when something else installs the same CRDs — so the generation (spec) and the metadata we set decide.
 */
function crdChanged(before: KubeObject | undefined, after: KubeObject): boolean {
  if (!before) return true;
  const meta = (o: KubeObject) => JSON.stringify([o.metadata.labels ?? {}, o.metadata.annotations ?? {}]);
  return before.metadata.generation !== after.metadata.generation || meta(before) !== meta(after);
}
