/** Errors of the local cluster module: each names the cluster and, where it helps, the log to read. */
import { FerryError, UsageError } from "../errors/index.ts";

/** A cluster could not be started, stopped or read; `logFile` points at the component log when one failed. */
export class ClusterError extends FerryError {
  override name = "ClusterError";
  readonly cluster: string;
  readonly logFile: string | undefined;
  constructor(cluster: string, message: string, opts: { cause?: unknown; logFile?: string } = {}) {
    super(message, { cause: opts.cause });
    this.cluster = cluster;
    this.logFile = opts.logFile;
  }
}

/** No cluster of that name exists in the clusters folder. */
export class ClusterNotFoundError extends UsageError {
  override name = "ClusterNotFoundError";
  readonly cluster: string;
  constructor(cluster: string, dir: string) {
    super(
      `local cluster "${cluster}" does not exist (no ${dir}/cluster.json); create it with \`ferry dev cluster create ${cluster}\``,
    );
    this.cluster = cluster;
  }
}

/** A cluster of that name already exists (running or not). */
export class ClusterExistsError extends UsageError {
  override name = "ClusterExistsError";
  readonly cluster: string;
  constructor(cluster: string, dir: string) {
    super(
      `local cluster "${cluster}" already exists in ${dir}; delete it first with \`ferry dev cluster delete ${cluster}\``,
    );
    this.cluster = cluster;
  }
}
