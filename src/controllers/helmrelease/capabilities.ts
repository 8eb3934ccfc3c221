/**
 * The cluster's `.Capabilities` as Helm discovers them for each action: the server version, every served
 * group/version and every `group/version/Kind`. Read at most once a minute (new CRDs show up then);
 * the offline defaults are used when discovery fails.
 */
import { type Capabilities, DEFAULT_CAPABILITIES, normalizeKubeVersion } from "../../helm/index.ts";
import type { KubeClient } from "../../kube/index.ts";

const TTL_MS = 60_000;

interface ResourceList {
  resources?: { name: string; kind: string }[];
}

export class ClusterCapabilities {
  readonly #kube: KubeClient;
  #cached: { at: number; caps: Capabilities } | undefined;

  constructor(kube: KubeClient) {
    this.#kube = kube;
  }

  async get(signal: AbortSignal): Promise<Capabilities> {
    if (this.#cached && Date.now() - this.#cached.at < TTL_MS) return this.#cached.caps;
    try {
      const caps = await this.#discover(signal);
      this.#cached = { at: Date.now(), caps };
      return caps;
    } catch {
      return this.#cached?.caps ?? DEFAULT_CAPABILITIES;
    }
  }

  async #discover(signal: AbortSignal): Promise<Capabilities> {
    const v = await this.#kube.request<{ gitVersion?: string }>({ path: "/version", signal });
    const apis = await this.#kube.request<{ groups?: { versions?: { groupVersion: string }[] }[] }>({
      path: "/apis",
      signal,
    });
    const gvs = ["v1", ...(apis.groups ?? []).flatMap((g) => (g.versions ?? []).map((x) => x.groupVersion))];
    const lists = await Promise.all(
      gvs.map((gv) =>
        this.#kube
          .request<ResourceList>({ path: gv === "v1" ? "/api/v1" : `/apis/${gv}`, signal })
          .catch(() => ({}) as ResourceList),
      ),
    );
    const out: string[] = [];
    gvs.forEach((gv, i) => {
      out.push(gv);
      for (const r of lists[i]?.resources ?? []) if (!r.name.includes("/")) out.push(`${gv}/${r.kind}`);
    });
    return {
      kubeVersion: normalizeKubeVersion(v.gitVersion ?? "") ?? DEFAULT_CAPABILITIES.kubeVersion,
      apiVersions: out,
    };
  }
}
