/** Revisions as Flux writes them (`latest@sha256:<hex>`, `sha256:<hex>`, `v1.2.3@sha256:<hex>`), read and shortened. */

const HASH = /(sha256|sha384|sha512|sha1):([0-9a-f]{12})[0-9a-f]+/g;

/** Hashes cut to 12 hex digits, as `docker` and `git` show them: `latest@sha256:1a2b3c4d5e6f`. */
export function shortRevision(revision: string): string {
  return revision.replace(HASH, "$1:$2");
}

/** The manifest digest of a revision (`sha256:…`), or undefined when it has none. */
export function digestOfRevision(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const m = /(?:^|@)(sha256:[0-9a-f]{64})$/.exec(revision);
  return m?.[1];
}

/** The tag part of `tag@sha256:…`, or undefined for a bare digest. */
export function tagOfRevision(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const at = revision.lastIndexOf("@");
  return at > 0 ? revision.slice(0, at) : undefined;
}

/** `oci://host/repo` or `host/repo` → `host/repo` (what a source URL is compared and shown as). */
export function repoKey(url: string): string {
  return url.replace(/^oci:\/\//, "").replace(/\/+$/, "");
}
