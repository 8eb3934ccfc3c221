/**
 * Settings shared in-process between the agent's reconcilers that change while the agent runs. Today: the
 * multi-tenancy lockdown. The agent's flags (`--no-cross-namespace-refs`, `--default-service-account`,
 * `--no-remote-bases`) are the base; a FluxInstance with `spec.cluster.multitenant: true` adds what
 * flux-operator's multitenant profile sets on kustomize-controller (`--no-cross-namespace-refs=true`,
 * `--no-remote-bases=true`, `--default-service-account=<tenantDefaultServiceAccount or default>`). The Kustomization reconciler reads
 * `tenancy()` at each reconcile. ResourceSets do not: as upstream, the profile configures Flux's
 * controllers, not flux-operator, whose own `--default-service-account` is the agent option
 * `operatorDefaultServiceAccount`. One instance per agent (no module state); writers are the FluxInstance
 * reconciler only.
 */

export interface TenancySettings {
  /** Refuse cross-namespace references (`sourceRef`, `dependsOn`, …). */
  noCrossNamespaceRefs: boolean;
  /** Service account objects act as when they name none; undefined: the agent's own identity. */
  defaultServiceAccount: string | undefined;
  /** Refuse remote kustomize bases in Kustomization builds (Flux's `--no-remote-bases`); unset: false. */
  noRemoteBases?: boolean | undefined;
}

export class AgentSettings {
  private readonly base: TenancySettings;
  /** Lockdown requested by each FluxInstance, by `namespace/name`. */
  private readonly byInstance = new Map<string, TenancySettings>();
  private readonly listeners = new Set<() => void>();

  constructor(base: Partial<TenancySettings> = {}) {
    this.base = {
      noCrossNamespaceRefs: base.noCrossNamespaceRefs ?? false,
      defaultServiceAccount: base.defaultServiceAccount,
      noRemoteBases: base.noRemoteBases ?? false,
    };
  }

  /** The lockdown in force: the flags, tightened by any FluxInstance (the flags' service account wins). */
  tenancy(): TenancySettings {
    let out = { ...this.base };
    for (const key of [...this.byInstance.keys()].sort()) {
      const t = this.byInstance.get(key) as TenancySettings;
      out = {
        noCrossNamespaceRefs: out.noCrossNamespaceRefs || t.noCrossNamespaceRefs,
        defaultServiceAccount: out.defaultServiceAccount ?? t.defaultServiceAccount,
        noRemoteBases: !!out.noRemoteBases || !!t.noRemoteBases,
      };
    }
    return out;
  }

  /** Records (or, with undefined, forgets) what one FluxInstance asks for; listeners hear of real changes. */
  setTenancy(instance: string, settings: TenancySettings | undefined): void {
    const before = JSON.stringify(this.tenancy());
    if (
      settings &&
      (settings.noCrossNamespaceRefs ||
        settings.defaultServiceAccount !== undefined ||
        settings.noRemoteBases)
    ) {
      this.byInstance.set(instance, { ...settings });
    } else {
      this.byInstance.delete(instance);
    }
    if (JSON.stringify(this.tenancy()) !== before) for (const l of this.listeners) l();
  }

  /** Calls `listener` whenever `tenancy()` changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
