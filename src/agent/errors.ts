/** Errors of the agent. */
import { FerryError } from "../errors/index.ts";

/** A CRD was not accepted or did not become Established. */
export class CRDInstallError extends FerryError {
  override name = "CRDInstallError";
  readonly crd: string;

  constructor(crd: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.crd = crd;
  }
}
