/** Errors of the fleet view: each names the file, cluster or reference that failed and how to fix it. */
import { FerryError, UsageError } from "../errors/index.ts";

/** The fleet file cannot be read or does not have the expected shape. */
export class FleetFileError extends UsageError {
  override name = "FleetFileError";
  readonly file: string;
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(`fleet file ${file}: ${detail}`, options);
    this.file = file;
  }
}

/** No cluster was named and none was found where the fleet is looked for by default. */
export class NoClustersError extends UsageError {
  override name = "NoClustersError";
  constructor(detail: string) {
    super(
      `no clusters to query (${detail}); pass --kubeconfig FILE or --fleet ferry-fleet.yaml, or start the local fleet with \`ferry dev up\``,
    );
  }
}

/** A cluster did not answer within the per-cluster timeout. */
export class ClusterTimeoutError extends FerryError {
  override name = "ClusterTimeoutError";
  readonly cluster: string;
  readonly timeoutMs: number;
  constructor(cluster: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(
      `cluster ${cluster} did not answer within ${Math.round(timeoutMs / 100) / 10}s; check that it is reachable, or raise --timeout`,
      options,
    );
    this.cluster = cluster;
    this.timeoutMs = timeoutMs;
  }
}

/** None of the Flux kinds is served by a cluster: Ferry's CRDs are not installed there. */
export class FluxNotInstalledError extends FerryError {
  override name = "FluxNotInstalledError";
  readonly cluster: string;
  constructor(cluster: string) {
    super(
      `cluster ${cluster} serves none of the Flux kinds (their CustomResourceDefinitions are not installed); bootstrap it with \`ferry bootstrap\` or run \`ferry agent\` against it`,
    );
    this.cluster = cluster;
  }
}

/** The candidate of a promotion preview is not in the registry. */
export class CandidateNotFoundError extends FerryError {
  override name = "CandidateNotFoundError";
  readonly reference: string;
  constructor(reference: string, options?: { cause?: unknown }) {
    super(
      `candidate ${reference} was not found in the registry; push it first (ferry push artifact / ferry release) or fix the repository and tag`,
      options,
    );
    this.reference = reference;
  }
}

/** A `--selector` term is not `key=value`. */
export class SelectorError extends UsageError {
  override name = "SelectorError";
  readonly term: string;
  constructor(term: string) {
    super(`--selector "${term}" is not in key=value form; write e.g. --selector env=production`);
    this.term = term;
  }
}
