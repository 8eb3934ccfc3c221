/** Typed errors of the OCI client. Each names the registry or reference and says what to do next. */
import { FerryError } from "../errors/index.ts";

/** The registry did not answer: connection refused, DNS failure, reset after all retries. */
export class RegistryUnreachableError extends FerryError {
  override name = "RegistryUnreachableError";
  readonly registry: string;
  readonly host: string;
  readonly port: string;
  readonly code: string | undefined;
  constructor(registry: string, host: string, port: string, code: string | undefined, cause?: unknown) {
    super(
      `cannot reach registry ${registry} (host ${host}, port ${port}${code ? `, ${code}` : ""}): is the registry running? check the URL and the network`,
      { cause },
    );
    this.registry = registry;
    this.host = host;
    this.port = port;
    this.code = code;
  }
}

/** A single request took longer than the per-request timeout, after all retries. */
export class RequestTimeoutError extends FerryError {
  override name = "RequestTimeoutError";
  readonly registry: string;
  readonly timeoutMs: number;
  constructor(registry: string, what: string, timeoutMs: number, cause?: unknown) {
    super(
      `${what} on registry ${registry} timed out after ${timeoutMs} ms: check the registry's health or raise the timeout`,
      { cause },
    );
    this.registry = registry;
    this.timeoutMs = timeoutMs;
  }
}

/** 401/403: the credentials were missing, wrong, or lack the permission. Never carries the secret. */
export class AuthenticationError extends FerryError {
  override name = "AuthenticationError";
  readonly registry: string;
  readonly status: number;
  /** Where the credentials came from ("--creds", "docker config ~/.docker/config.json", …), or "none". */
  readonly credentialSource: string;
  constructor(registry: string, status: number, credentialSource: string, detail?: string, cause?: unknown) {
    const what =
      status === 403
        ? "denied access"
        : credentialSource === "none"
          ? "requires authentication"
          : "rejected the credentials";
    const how =
      credentialSource === "none"
        ? `no credentials were found: log in with \`docker login ${registry}\`, or pass --creds user:password, or set FERRY_REGISTRY_USER and FERRY_REGISTRY_PASSWORD`
        : `credentials came from ${credentialSource}: check the user name and password (or token) and its permissions on this repository, or log in again with \`docker login ${registry}\``;
    super(`registry ${registry} ${what} (HTTP ${status}${detail ? `, ${detail}` : ""}); ${how}`, { cause });
    this.registry = registry;
    this.status = status;
    this.credentialSource = credentialSource;
  }
}

export type NotFoundKind = "manifest" | "blob" | "tag" | "repository" | "upload";

/** 404 for a named thing. `reference` is the full `host/repo:tag`, `host/repo@digest` or blob reference. */
export class NotFoundError extends FerryError {
  override name = "NotFoundError";
  readonly kind: NotFoundKind;
  readonly reference: string;
  constructor(kind: NotFoundKind, reference: string, cause?: unknown) {
    super(`${kind} ${reference} not found: check the repository name, tag or digest`, { cause });
    this.kind = kind;
    this.reference = reference;
  }
}

/** The bytes do not hash to the digest they were asked for. They have been discarded. */
export class DigestMismatchError extends FerryError {
  override name = "DigestMismatchError";
  readonly reference: string;
  readonly expected: string;
  readonly actual: string;
  constructor(reference: string, expected: string, actual: string) {
    super(
      `content of ${reference} has digest ${actual}, expected ${expected}: the registry returned corrupted or tampered bytes, which were discarded; re-push the content or check the registry storage`,
    );
    this.reference = reference;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A manifest (or other document) of a media type the caller cannot use. */
export class UnsupportedMediaTypeError extends FerryError {
  override name = "UnsupportedMediaTypeError";
  readonly reference: string;
  readonly mediaType: string;
  constructor(reference: string, mediaType: string, expected: readonly string[]) {
    super(
      `${reference} has media type "${mediaType || "(none)"}", expected one of ${expected.join(", ")}: check that the reference points at the right kind of artifact`,
    );
    this.reference = reference;
    this.mediaType = mediaType;
  }
}

/** Content larger than the configured cap; nothing of it was kept. */
export class ContentTooLargeError extends FerryError {
  override name = "ContentTooLargeError";
  readonly reference: string;
  readonly limit: number;
  constructor(reference: string, limit: number, size?: number) {
    super(
      `${reference} is larger than the ${limit}-byte limit${size === undefined ? "" : ` (${size} bytes)`}: raise the size limit if this content is expected`,
    );
    this.reference = reference;
    this.limit = limit;
  }
}

export interface RegistryErrorCode {
  code: string;
  message: string;
}

/** Any other non-success answer, with the registry's own error codes from the JSON body. */
export class RegistryError extends FerryError {
  override name = "RegistryError";
  readonly registry: string;
  readonly status: number;
  readonly codes: readonly RegistryErrorCode[];
  readonly operation: string;
  constructor(registry: string, operation: string, status: number, codes: readonly RegistryErrorCode[]) {
    const detail = codes.length ? `: ${codes.map((c) => `${c.code} ${c.message}`.trim()).join("; ")}` : "";
    super(
      `${operation} failed on registry ${registry} with HTTP ${status}${detail}; ${status >= 500 ? "the registry is failing, retry later or check its logs" : "check the reference and the registry's error above"}`,
    );
    this.registry = registry;
    this.status = status;
    this.codes = codes;
    this.operation = operation;
  }
}
