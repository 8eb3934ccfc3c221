/** Errors of chart loading, rendering and release storage. */
import { FerryError } from "../errors/index.ts";

/** A chart could not be loaded: a missing or malformed Chart.yaml, values.yaml, subchart or archive. */
export class ChartLoadError extends FerryError {
  override name = "ChartLoadError";
  /** The chart path, archive or file that failed. */
  readonly chart: string;
  constructor(chart: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.chart = chart;
  }
}

/** A chart's templates failed to parse or execute, or rendered something that is not a Kubernetes object. */
export class ChartRenderError extends FerryError {
  override name = "ChartRenderError";
  /** The chart name. */
  readonly chart: string;
  /** The template file (e.g. `mychart/templates/deployment.yaml`), when one failed. */
  readonly template: string | undefined;
  constructor(chart: string, template: string | undefined, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.chart = chart;
    this.template = template;
  }
}

/** Values could not be merged or read (a non-map where a map is needed, bad YAML, a bad target path). */
export class ValuesError extends FerryError {
  override name = "ValuesError";
}

/** A Helm release record could not be encoded, decoded or stored. */
export class ReleaseStorageError extends FerryError {
  override name = "ReleaseStorageError";
  /** `namespace/name` of the release Secret. */
  readonly object: string;
  constructor(object: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.object = object;
  }
}
