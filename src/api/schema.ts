/**
 * A small typed builder for OpenAPI v3 structural schemas (the subset Kubernetes CRDs use). Each builder
 * returns the JSON schema together with a phantom TypeScript type, so a kind's TypeScript type is derived
 * from the very schema `ferry validate` checks against: `type Spec = Infer<typeof spec>`.
 */

/** The schema subset Ferry's validator understands (Kubernetes structural schemas). */
export interface JsonSchema {
  type?: "string" | "integer" | "number" | "boolean" | "object" | "array";
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  nullable?: boolean;
  $ref?: string;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
}

/** A schema carrying the TypeScript type of the values it accepts. */
export interface S<T> {
  readonly json: JsonSchema;
  /** Phantom: never set at run time. */
  readonly __type?: T;
}

export type Infer<X> = X extends S<infer T> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

const DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

export function str(extra: Pick<JsonSchema, "pattern" | "format"> = {}): S<string> {
  return { json: { type: "string", ...extra } };
}
/** A Go duration string such as `10m` or `1h30m`. */
export function duration(): S<string> {
  return str({ pattern: DURATION });
}
export function strEnum<const E extends readonly string[]>(values: E): S<E[number]> {
  return { json: { type: "string", enum: [...values] } };
}
export function int(): S<number> {
  return { json: { type: "integer" } };
}
export function bool(): S<boolean> {
  return { json: { type: "boolean" } };
}
export function arr<T>(item: S<T>): S<T[]> {
  return { json: { type: "array", items: item.json } };
}
export function map<T>(value: S<T>): S<Record<string, T>> {
  return { json: { type: "object", additionalProperties: value.json } };
}
/** Any JSON value, kept as is (`x-kubernetes-preserve-unknown-fields`). */
export function anyValue(): S<unknown> {
  return { json: { "x-kubernetes-preserve-unknown-fields": true } };
}
/** An object whose fields are free-form (e.g. Helm values, ResourceSet resources). */
export function freeObject(): S<Record<string, unknown>> {
  return { json: { type: "object", "x-kubernetes-preserve-unknown-fields": true } };
}

export function obj<P extends Record<string, S<unknown>>, R extends keyof P & string = never>(
  props: P,
  required: readonly R[] = [],
): S<Simplify<{ [K in R]: Infer<P[K]> } & { [K in Exclude<keyof P, R>]?: Infer<P[K]> }>> {
  const properties: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries(props)) properties[k] = v.json;
  return {
    json: { type: "object", properties, ...(required.length > 0 ? { required: [...required] } : {}) },
  };
}

const objectMeta = obj({
  name: str(),
  generateName: str(),
  namespace: str(),
  labels: map(str()),
  annotations: map(str()),
  finalizers: arr(str()),
  uid: str(),
  resourceVersion: str(),
  generation: int(),
  creationTimestamp: { json: { type: "string", nullable: true } } as S<string>,
  ownerReferences: arr(freeObject()),
  managedFields: arr(freeObject()),
  deletionTimestamp: str(),
  deletionGracePeriodSeconds: int(),
  selfLink: str(),
});
export type ObjectMeta = Infer<typeof objectMeta>;

/** A custom resource: apiVersion, kind, metadata, the given spec (required unless stated) and a free status. */
export function kind<T>(
  apiVersion: string,
  kindName: string,
  spec: S<T>,
  opts: { specRequired?: boolean } = {},
): S<{ apiVersion: string; kind: string; metadata: ObjectMeta; spec: T; status?: Record<string, unknown> }> {
  return {
    json: {
      type: "object",
      properties: {
        apiVersion: { type: "string", enum: [apiVersion] },
        kind: { type: "string", enum: [kindName] },
        metadata: objectMeta.json,
        spec: spec.json,
        status: freeObject().json,
      },
      required: ["apiVersion", "kind", ...(opts.specRequired === false ? [] : ["spec"])],
    },
  };
}
