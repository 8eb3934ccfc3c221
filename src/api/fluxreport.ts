/**
 * FluxReport (fluxcd.controlplane.io/v1): the observed state of a cluster's Flux installation — which
 * distribution runs it, its components, per-kind reconciler statistics and the cluster sync — written by
 * the agent (never by users) into the object `flux` of the instance's namespace.
 */
import { arr, bool, type Infer, int, kind, obj, str } from "./schema.ts";

export const fluxReportSpec = obj(
  {
    distribution: obj({ entitlement: str(), status: str(), version: str(), managedBy: str() }, [
      "entitlement",
      "status",
    ]),
    cluster: obj({ serverVersion: str(), platform: str(), nodes: int() }, ["serverVersion", "platform"]),
    operator: obj({ apiVersion: str(), version: str(), platform: str() }, [
      "apiVersion",
      "version",
      "platform",
    ]),
    components: arr(
      obj({ name: str(), ready: bool(), status: str(), image: str() }, ["name", "ready", "status", "image"]),
    ),
    reconcilers: arr(
      obj(
        {
          apiVersion: str(),
          kind: str(),
          stats: obj({ running: int(), failing: int(), suspended: int(), totalSize: str() }, [
            "running",
            "failing",
            "suspended",
          ]),
        },
        ["apiVersion", "kind"],
      ),
    ),
    sync: obj({ id: str(), path: str(), ready: bool(), status: str(), source: str() }, [
      "id",
      "ready",
      "status",
    ]),
  },
  ["distribution"],
);

export const fluxReport = kind("fluxcd.controlplane.io/v1", "FluxReport", fluxReportSpec);
export type FluxReport = Infer<typeof fluxReport>;
export type FluxReportSpec = Infer<typeof fluxReportSpec>;
