import { FerryError } from "../errors/index.ts";

/** A bootstrap step failed: the object or step is named, with what to do about it. */
export class BootstrapError extends FerryError {
  override name = "BootstrapError";
  readonly step: string;
  constructor(step: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.step = step;
  }
}

/** The FluxInstance did not become Ready before the deadline. */
export class BootstrapTimeoutError extends FerryError {
  override name = "BootstrapTimeoutError";
  readonly instance: string;
  constructor(instance: string, seconds: number, last: string) {
    super(
      `FluxInstance ${instance} was not Ready after ${seconds}s (${last}); check the agent log and \`ferry get fluxinstance -A\``,
    );
    this.instance = instance;
  }
}

/** `ferry dev up`/`down` could not do a step (registry, clusters, publishing). */
export class DevFleetError extends FerryError {
  override name = "DevFleetError";
  readonly step: string;
  constructor(step: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.step = step;
  }
}
