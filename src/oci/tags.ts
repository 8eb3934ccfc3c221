/** Tag listing, following the `Link: <…>; rel="next"` header page by page (`?n=&last=`). */
import { type ClientCore, readJson, type SignalOptions } from "./core.ts";
import { formatReference, type Reference } from "./reference.ts";
import { repoScope } from "./transport.ts";

export interface ListTagsOptions extends SignalOptions {
  /** Page size asked of the registry (`n`). Default: the registry's own. */
  pageSize?: number;
}

export async function listTags(
  core: ClientCore,
  ref: Reference,
  opts: ListTagsOptions = {},
): Promise<string[]> {
  const name = formatReference({ registry: ref.registry, repository: ref.repository });
  const tags: string[] = [];
  let path: string | undefined =
    `/v2/${ref.repository}/tags/list${opts.pageSize ? `?n=${opts.pageSize}` : ""}`;
  const seen = new Set<string>();
  while (path && !seen.has(path)) {
    seen.add(path);
    const res = await core.transport.send({
      registry: ref.registry,
      method: "GET",
      path,
      scopes: [repoScope(ref.repository, "pull")],
      operation: `list tags of ${name}`,
      expect: [200],
      notFound: { kind: "repository", reference: name },
      signal: opts.signal,
    });
    const body = await readJson<{ tags?: string[] | null }>(res, ref.registry, `list tags of ${name}`);
    tags.push(...(body.tags ?? []));
    path = nextLink(res.headers.get("link"));
  }
  return tags;
}

/** The `rel="next"` target of a Link header, or undefined. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}
