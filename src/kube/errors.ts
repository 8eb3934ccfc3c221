/** Errors raised by the kube module: every message names the object (`Kind/ns/name`) and the API's reason. */
import { FerryError } from "../errors/index.ts";

/** The API server answered with a non-2xx status. */
export class KubeApiError extends FerryError {
  override name = "KubeApiError";
  readonly statusCode: number;
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  /** The `message` of the API's Status object (or the body's first line). */
  readonly apiMessage: string;
  /** `details.causes[].field` of the API's Status, when given (e.g. the immutable field). */
  readonly fields: readonly string[];
  /** The server's Retry-After, when it sent one (capped at 10 s). */
  readonly retryAfterMs: number | undefined;
  constructor(
    method: string,
    path: string,
    statusCode: number,
    reason: string,
    apiMessage: string,
    opts: { cause?: unknown; subject?: string; fields?: string[]; retryAfterMs?: number } = {},
  ) {
    super(
      `${opts.subject ?? `${method} ${path}`} failed: ${statusCode} ${reason}: ${apiMessage || "no message"}${hint(statusCode)}`,
      { cause: opts.cause },
    );
    this.statusCode = statusCode;
    this.reason = reason;
    this.method = method;
    this.path = path;
    this.apiMessage = apiMessage;
    this.fields = opts.fields ?? [];
    this.retryAfterMs = opts.retryAfterMs;
  }
}

function hint(code: number): string {
  if (code === 401) return "; check the kubeconfig's credentials";
  if (code === 403) return "; grant the permission with RBAC or act as an identity that has it";
  if (code === 409) return "; the object changed meanwhile, retry with fresh data";
  return "";
}

/** The API server could not be reached (connection refused, reset, TLS failure). */
export class KubeConnectionError extends FerryError {
  override name = "KubeConnectionError";
  readonly server: string;
  constructor(server: string, cause: unknown) {
    super(
      `cannot reach the Kubernetes API server at ${server} (${cause instanceof Error ? cause.message : String(cause)}); check the kubeconfig and that the cluster is running`,
      { cause },
    );
    this.server = server;
  }
}

/** No API resource serves this apiVersion/kind (CRD not installed, typo in apiVersion). */
export class UnknownKindError extends FerryError {
  override name = "UnknownKindError";
  readonly apiVersion: string;
  readonly kind: string;
  constructor(apiVersion: string, kind: string, cause?: unknown) {
    super(
      `no API resource serves kind ${kind} in ${apiVersion}; install its CustomResourceDefinition or fix apiVersion/kind`,
      { cause },
    );
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

/** The kubeconfig could not be loaded or has no usable context. */
export class KubeConfigError extends FerryError {
  override name = "KubeConfigError";
  readonly source: string;
  constructor(source: string, detail: string, cause?: unknown) {
    super(`kubeconfig ${source} is not usable: ${detail}`, { cause });
    this.source = source;
  }
}

/** One or more objects failed validation (server-side dry-run): nothing was changed. */
export class ValidationError extends FerryError {
  override name = "ValidationError";
  /** `Kind/ns/name` → the API's message, for every object that failed. */
  readonly failures: ReadonlyArray<{ ref: string; message: string }>;
  constructor(failures: Array<{ ref: string; message: string }>, cause?: unknown) {
    const first = failures[0];
    const more =
      failures.length > 1
        ? ` (and ${failures.length - 1} more: ${failures
            .slice(1)
            .map((f) => f.ref)
            .join(", ")})`
        : "";
    super(`${first?.ref} dry-run failed: ${first?.message}${more}; fix the object, nothing was applied`, {
      cause,
    });
    this.failures = failures;
  }
}

/** An apply would change an immutable field; pass `force` (or annotate the object) to recreate it. */
export class ImmutableFieldError extends FerryError {
  override name = "ImmutableFieldError";
  readonly ref: string;
  readonly field: string;
  constructor(ref: string, field: string, apiMessage: string, cause?: unknown) {
    super(
      `${ref} cannot be updated: immutable field ${field || "(unknown)"} changed (${apiMessage}); set force or annotate kustomize.toolkit.fluxcd.io/force: enabled to recreate it`,
      { cause },
    );
    this.ref = ref;
    this.field = field;
  }
}

/** Applying (or deleting) an object failed after the dry-run passed. */
export class ApplyError extends FerryError {
  override name = "ApplyError";
  readonly ref: string;
  constructor(ref: string, action: string, apiMessage: string, cause?: unknown) {
    super(`${ref} ${action} failed: ${apiMessage}`, { cause });
    this.ref = ref;
  }
}

/** Objects did not become ready in time; `pending` says which and why. */
export class WaitTimeoutError extends FerryError {
  override name = "WaitTimeoutError";
  readonly pending: ReadonlyArray<{ ref: string; status: string; message: string }>;
  constructor(timeoutMs: number, pending: Array<{ ref: string; status: string; message: string }>) {
    const list = pending
      .slice(0, 5)
      .map((p) => `${p.ref} (${p.status}: ${p.message})`)
      .join("; ");
    const more = pending.length > 5 ? `; and ${pending.length - 5} more` : "";
    super(
      `timed out after ${timeoutMs}ms waiting for ${pending.length} object(s) to become ready: ${list}${more}`,
    );
    this.pending = pending;
  }
}

/** An object reported a failed status (kstatus Failed, or a CEL `failed` expression matched). */
export class HealthCheckFailedError extends FerryError {
  override name = "HealthCheckFailedError";
  readonly failed: ReadonlyArray<{ ref: string; message: string }>;
  constructor(failed: Array<{ ref: string; message: string }>) {
    super(
      `health check failed for ${failed.map((f) => `${f.ref} (${f.message})`).join("; ")}; fix the objects and reconcile again`,
    );
    this.failed = failed;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 409;
}
