/**
 * Artifact store: content-addressed artifacts on local disk, shared in-process by every reconciler.
 *
 * Does: one folder per key (`<root>/<key>/`, keys derived from digests) written atomically (temporary
 * folder + rename), owner references (one key per owner, e.g. an OCIRepository), removal of entries no
 * owner references, garbage collection of leftovers, per-key serialisation of concurrent operations.
 * Does not: talk to registries, know the artifact format or decide what to keep (reconcilers do).
 */
export { InvalidStoreKeyError, StoreError } from "./errors.ts";
export {
  ArtifactStore,
  type ArtifactStoreOptions,
  type EntryBuilder,
  type EntryMetadata,
  type StoredEntry,
} from "./store.ts";
