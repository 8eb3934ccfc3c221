/**
 * CustomResourceDefinitions (`apiextensions.k8s.io/v1`) of the Flux kinds Ferry serves (seven), generated from the schemas
 * authored in this module: group, names, short names, categories and printer columns as upstream, one
 * served and stored version, the status subresource. The schema is the kind's structural schema with the
 * parts a CRD may not constrain (metadata beyond name, apiVersion/kind enums) left open.
 */
import { servedSchemas } from "./index.ts";
import type { JsonSchema } from "./schema.ts";

interface PrinterColumn {
  name: string;
  type: "string" | "date";
  jsonPath: string;
  priority?: number;
}

interface KindNames {
  plural: string;
  singular: string;
  shortNames?: string[];
  categories: string[];
  columns: "source" | "applier" | "instance" | "report";
}

/** Names as the upstream CRDs spell them (source-controller, kustomize-controller, helm-controller, flux-operator). */
const NAMES: Record<string, KindNames> = {
  OCIRepository: {
    plural: "ocirepositories",
    singular: "ocirepository",
    shortNames: ["ocirepo"],
    categories: ["all", "fluxcd", "fluxcd-sources"],
    columns: "source",
  },
  Kustomization: {
    plural: "kustomizations",
    singular: "kustomization",
    shortNames: ["ks"],
    categories: ["all", "fluxcd", "fluxcd-appliers"],
    columns: "applier",
  },
  HelmRelease: {
    plural: "helmreleases",
    singular: "helmrelease",
    shortNames: ["hr"],
    categories: ["all", "fluxcd", "fluxcd-appliers"],
    columns: "applier",
  },
  FluxInstance: {
    plural: "fluxinstances",
    singular: "fluxinstance",
    categories: ["fluxcd", "fluxcd-appliers"],
    columns: "instance",
  },
  FluxReport: {
    plural: "fluxreports",
    singular: "fluxreport",
    categories: ["fluxcd"],
    columns: "report",
  },
  ResourceSet: {
    plural: "resourcesets",
    singular: "resourceset",
    shortNames: ["rset"],
    categories: ["all", "fluxcd", "fluxcd-appliers"],
    columns: "applier",
  },
  ResourceSetInputProvider: {
    plural: "resourcesetinputproviders",
    singular: "resourcesetinputprovider",
    shortNames: ["rsip"],
    categories: ["all", "fluxcd", "fluxcd-sources"],
    columns: "applier",
  },
};

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
const ready: PrinterColumn = {
  name: "Ready",
  type: "string",
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};
const status: PrinterColumn = {
  name: "Status",
  type: "string",
  jsonPath: '.status.conditions[?(@.type=="Ready")].message',
};

function columns(kind: KindNames["columns"]): PrinterColumn[] {
  switch (kind) {
    case "source":
      return [{ name: "URL", type: "string", jsonPath: ".spec.url" }, ready, status, age];
    case "instance":
      return [
        age,
        ready,
        status,
        { name: "Revision", type: "string", jsonPath: ".status.lastAttemptedRevision" },
      ];
    case "report":
      return [
        { name: "Entitlement", type: "string", jsonPath: ".spec.distribution.entitlement", priority: 10 },
        age,
        ready,
        status,
        {
          name: "LastUpdated",
          type: "string",
          jsonPath: '.status.conditions[?(@.type=="Ready")].lastTransitionTime',
        },
      ];
    default:
      return [age, ready, status];
  }
}

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories: string[];
    };
    scope: "Namespaced";
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JsonSchema };
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
    }>;
  };
}

/** The kind's schema as a CRD accepts it. */
function crdSchema(s: JsonSchema): JsonSchema {
  const props = { ...(s.properties ?? {}) };
  props.apiVersion = { type: "string" };
  props.kind = { type: "string" };
  // A CRD may only constrain metadata.name and metadata.generateName; the API server validates the rest.
  props.metadata = { type: "object" };
  const out: JsonSchema = { type: "object", properties: props };
  if (s.required) out.required = s.required.filter((r) => r !== "apiVersion" && r !== "kind");
  return out;
}

/** The CRDs of the Flux kinds Ferry serves, in a stable order. */
export function fluxCRDs(opts: { labels?: Record<string, string> } = {}): CustomResourceDefinition[] {
  const out: CustomResourceDefinition[] = [];
  for (const [gvk, schema] of servedSchemas()) {
    const parts = gvk.split("/");
    const [group, version, kind] = [parts[0] ?? "", parts[1] ?? "", parts[2] ?? ""];
    const n = NAMES[kind];
    if (!n) throw new Error(`no CRD names for kind ${kind}; add them to src/api/crds.ts`);
    out.push({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: {
        name: `${n.plural}.${group}`,
        labels: { "app.kubernetes.io/part-of": "ferry", ...opts.labels },
      },
      spec: {
        group,
        names: {
          kind,
          listKind: `${kind}List`,
          plural: n.plural,
          singular: n.singular,
          ...(n.shortNames ? { shortNames: n.shortNames } : {}),
          categories: n.categories,
        },
        scope: "Namespaced",
        versions: [
          {
            name: version,
            served: true,
            storage: true,
            schema: { openAPIV3Schema: crdSchema(schema) },
            subresources: { status: {} },
            additionalPrinterColumns: columns(n.columns),
          },
        ],
      },
    });
  }
  return out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}
