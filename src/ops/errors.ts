/** Errors of the operator commands: each names the object (kind, namespace, name) and how to fix it. */
import { FerryError } from "../errors/index.ts";

/** The named object does not exist in the namespace. */
export class ObjectNotFoundError extends FerryError {
  override name = "ObjectNotFoundError";
  readonly kind: string;
  readonly namespace: string;
  readonly objectName: string;
  /** `namespace` undefined: looked for in every namespace. `command` names the kind in `ferry get …`. */
  constructor(kind: string, namespace: string | undefined, name: string, command = kind.toLowerCase()) {
    super(
      namespace === undefined
        ? `${kind} "${name}" not found in any namespace; check the name (ferry get ${command} -A lists them)`
        : `${kind} "${name}" not found in namespace "${namespace}"; check the name, or pass -n NAMESPACE (ferry get ${command} -A lists every namespace)`,
    );
    this.kind = kind;
    this.namespace = namespace ?? "";
    this.objectName = name;
  }
}

/** The cluster does not serve the kind: its CustomResourceDefinition is not installed. */
export class KindNotInstalledError extends FerryError {
  override name = "KindNotInstalledError";
  readonly kind: string;
  readonly apiVersion: string;
  constructor(kind: string, apiVersion: string, cause?: unknown) {
    super(
      `the cluster does not serve ${kind} (${apiVersion}): its CustomResourceDefinition is not installed; run \`ferry agent\` (it installs the CRDs) or apply them`,
      { cause },
    );
    this.kind = kind;
    this.apiVersion = apiVersion;
  }
}

/** A reconcile was requested on an object whose reconciliation is suspended. */
export class SuspendedError extends FerryError {
  override name = "SuspendedError";
  readonly ref: string;
  constructor(ref: string, how: string) {
    super(`${ref} is suspended; resume it first (${how})`);
    this.ref = ref;
  }
}

/** The reconciler did not handle the request (or report Ready) before the timeout. */
export class ReconcileTimeoutError extends FerryError {
  override name = "ReconcileTimeoutError";
  readonly ref: string;
  readonly timeoutMs: number;
  constructor(ref: string, timeoutMs: number, detail: string) {
    super(
      `timed out after ${formatMs(timeoutMs)} waiting for ${ref} to be reconciled (${detail}); check that \`ferry agent\` runs, or raise --timeout`,
    );
    this.ref = ref;
    this.timeoutMs = timeoutMs;
  }
}

/** The reconciler handled the request and reported Ready=False. */
export class ReconcileFailedError extends FerryError {
  override name = "ReconcileFailedError";
  readonly ref: string;
  readonly reason: string;
  constructor(ref: string, reason: string, message: string) {
    super(`${ref} reconciliation failed: ${reason}: ${message}`);
    this.ref = ref;
    this.reason = reason;
  }
}

/** `30s`, `5m`, `1m30s`: the timeout as the user wrote it. */
function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${s % 60 ? `${s % 60}s` : ""}` : `${s}s`;
}
