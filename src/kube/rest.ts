/** Generic object operations over the REST mapping: get, list, apply (SSA), delete, status patch. */
import type { KubeClient } from "./client.ts";
import { isNotFound } from "./errors.ts";
import { type ResourceMapping, resourcePath } from "./mapper.ts";
import type { KubeObject } from "./object.ts";

export interface ObjectHeader {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string };
}

async function mapped(client: KubeClient, obj: ObjectHeader, signal: AbortSignal): Promise<ResourceMapping> {
  return await client.mapper.resolve(obj.apiVersion, obj.kind, signal);
}

/** The live object, or undefined when it does not exist. */
export async function getObject(
  client: KubeClient,
  obj: ObjectHeader,
  opts: { signal: AbortSignal },
): Promise<KubeObject | undefined> {
  const m = await mapped(client, obj, opts.signal);
  try {
    return await client.request<KubeObject>({
      path: resourcePath(m, obj.metadata.namespace, obj.metadata.name ?? ""),
      signal: opts.signal,
    });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

/** Lists every object of a kind (all pages); `namespace` narrows a namespaced kind. */
export async function listObjects(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  opts: {
    signal: AbortSignal;
    namespace?: string;
    labelSelector?: string;
    fieldSelector?: string;
    limit?: number;
  },
): Promise<ListResult> {
  const m = await client.mapper.resolve(apiVersion, kind, opts.signal);
  const items: KubeObject[] = [];
  let cont: string | undefined;
  let rv = "";
  do {
    const page = await client.request<{
      items: KubeObject[];
      metadata: { continue?: string; resourceVersion?: string };
    }>({
      path: resourcePath(m, opts.namespace),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit ?? 500,
        continue: cont,
      },
      signal: opts.signal,
    });
    for (const it of page.items ?? []) items.push({ ...it, apiVersion, kind });
    cont = page.metadata?.continue || undefined;
    rv = page.metadata?.resourceVersion ?? rv;
  } while (cont);
  return { items, resourceVersion: rv };
}

export interface ApplyPatchOptions {
  signal: AbortSignal;
  fieldManager: string;
  /** Take ownership of conflicting fields from other managers. */
  force?: boolean;
  dryRun?: boolean;
  /** Apply to a subresource (e.g. `status`). */
  subresource?: string;
}

/** Server-side apply (`application/apply-patch+yaml`; JSON is valid YAML). Returns the server's result. */
export async function applyObject(
  client: KubeClient,
  obj: KubeObject,
  opts: ApplyPatchOptions,
): Promise<KubeObject> {
  const m = await mapped(client, obj, opts.signal);
  return await client.request<KubeObject>({
    method: "PATCH",
    path: resourcePath(m, obj.metadata.namespace, obj.metadata.name ?? "", opts.subresource),
    query: {
      fieldManager: opts.fieldManager,
      force: opts.force ? true : undefined,
      dryRun: opts.dryRun ? "All" : undefined,
    },
    body: obj,
    contentType: "application/apply-patch+yaml",
    signal: opts.signal,
  });
}

/** JSON merge patch (e.g. status or metadata), optionally on a subresource. */
export async function mergePatchObject(
  client: KubeClient,
  obj: ObjectHeader,
  patch: unknown,
  opts: { signal: AbortSignal; subresource?: string; fieldManager?: string },
): Promise<KubeObject> {
  const m = await mapped(client, obj, opts.signal);
  return await client.request<KubeObject>({
    method: "PATCH",
    path: resourcePath(m, obj.metadata.namespace, obj.metadata.name ?? "", opts.subresource),
    query: { fieldManager: opts.fieldManager },
    body: patch,
    contentType: "application/merge-patch+json",
    signal: opts.signal,
  });
}

/** JSON patch (RFC 6902), e.g. to rewrite `metadata.managedFields`. */
export async function jsonPatchObject(
  client: KubeClient,
  obj: ObjectHeader,
  ops: unknown[],
  opts: { signal: AbortSignal; fieldManager?: string },
): Promise<KubeObject> {
  const m = await mapped(client, obj, opts.signal);
  return await client.request<KubeObject>({
    method: "PATCH",
    path: resourcePath(m, obj.metadata.namespace, obj.metadata.name ?? ""),
    query: { fieldManager: opts.fieldManager },
    body: ops,
    contentType: "application/json-patch+json",
    signal: opts.signal,
  });
}

/** Creates an object (POST). */
export async function createObject(
  client: KubeClient,
  obj: KubeObject,
  opts: { signal: AbortSignal; fieldManager?: string },
): Promise<KubeObject> {
  const m = await mapped(client, obj, opts.signal);
  return await client.request<KubeObject>({
    method: "POST",
    path: resourcePath(m, obj.metadata.namespace),
    query: { fieldManager: opts.fieldManager },
    body: obj,
    signal: opts.signal,
  });
}

/** Replaces an object (PUT), optimistic on `metadata.resourceVersion`. */
export async function replaceObject(
  client: KubeClient,
  obj: KubeObject,
  opts: { signal: AbortSignal; subresource?: string; fieldManager?: string },
): Promise<KubeObject> {
  const m = await mapped(client, obj, opts.signal);
  return await client.request<KubeObject>({
    method: "PUT",
    path: resourcePath(m, obj.metadata.namespace, obj.metadata.name ?? "", opts.subresource),
    query: { fieldManager: opts.fieldManager },
    body: obj,
    signal: opts.signal,
  });
}

/** Deletes an object (background propagation); resolves false when it was already gone. */
export async function deleteObject(
  client: KubeClient,
  obj: ObjectHeader,
  opts: { signal: AbortSignal; propagationPolicy?: "Background" | "Foreground" | "Orphan"; dryRun?: boolean },
): Promise<boolean> {
  const m = await mapped(client, obj, opts.signal);
  try {
    await client.request({
      method: "DELETE",
      path: resourcePath(m, obj.metadata.namespace, obj.metadata.name ?? ""),
      query: { dryRun: opts.dryRun ? "All" : undefined },
      body: {
        kind: "DeleteOptions",
        apiVersion: "v1",
        propagationPolicy: opts.propagationPolicy ?? "Background",
        // With a body, the server reads DeleteOptions from it and ignores the query's dryRun.
        ...(opts.dryRun ? { dryRun: ["All"] } : {}),
      },
      signal: opts.signal,
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
