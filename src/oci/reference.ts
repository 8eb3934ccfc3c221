/**
 * Image references: `oci://host[:port]/path/to/repo[:tag][@algo:hex]` and the same without `oci://`,
 * validated against the distribution spec grammar. A registry host is always required (no Docker Hub
 * defaulting): an artifact reference that silently resolves elsewhere is worse than an error.
 */
import { UsageError } from "../errors/index.ts";

export interface Reference {
  /** `host` or `host:port`, lowercase; IPv6 in brackets. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `fleet/apps`. */
  readonly repository: string;
  readonly tag?: string | undefined;
  readonly digest?: string | undefined;
}

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const domainPattern =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const hexLength: Record<string, number> = { sha256: 64, sha512: 128 };

export class InvalidReferenceError extends UsageError {
  override name = "InvalidReferenceError";
  readonly input: string;
  readonly part: string;
  constructor(input: string, part: string, problem: string) {
    super(
      `invalid OCI reference "${input}": ${part} ${problem}; expected oci://host[:port]/repository[:tag][@sha256:<64 hex>]`,
    );
    this.input = input;
    this.part = part;
  }
}

export interface ParseReferenceOptions {
  /** Refuse a reference without a tag or a digest (e.g. for pull). Default false. */
  requireTagOrDigest?: boolean;
}

/** Parses and validates a reference; throws InvalidReferenceError (a UsageError) naming the bad part. */
export function parseReference(input: string, opts: ParseReferenceOptions = {}): Reference {
  const raw = input.trim();
  let rest = raw.startsWith("oci://") ? raw.slice("oci://".length) : raw;
  if (/^[a-z]+:\/\//i.test(rest)) {
    throw new InvalidReferenceError(input, "the scheme", "is not supported (only oci:// or none)");
  }
  const slash = rest.indexOf("/");
  if (slash <= 0) {
    const hostLike = /^[^/:@]+\.[^/:@]+(:\d+)?$|^localhost(:\d+)?$|^[^/:@]+:\d+$/.test(rest);
    throw new InvalidReferenceError(input, hostLike ? "the repository" : "the registry host", "is missing");
  }
  const registry = parseRegistry(input, rest.slice(0, slash));
  rest = rest.slice(slash + 1);

  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    validateDigest(input, digest);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0 && colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) {
      throw new InvalidReferenceError(
        input,
        `the tag "${tag}"`,
        "is not valid (letters, digits, '_', '.', '-', at most 128 characters, not starting with '.' or '-')",
      );
    }
  }
  validateRepository(input, rest);
  if (opts.requireTagOrDigest && tag === undefined && digest === undefined) {
    throw new InvalidReferenceError(input, "the tag or digest", "is missing");
  }
  return { registry, repository: rest, tag, digest };
}

function parseRegistry(input: string, host: string): string {
  let name = host;
  let port: string | undefined;
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end < 0) throw new InvalidReferenceError(input, `the registry host "${host}"`, "has an unclosed '['");
    name = host.slice(0, end + 1);
    const after = host.slice(end + 1);
    if (after && !after.startsWith(":")) {
      throw new InvalidReferenceError(input, `the registry host "${host}"`, "is not valid");
    }
    port = after ? after.slice(1) : undefined;
    if (!/^\[[0-9a-fA-F:.]+\]$/.test(name)) {
      throw new InvalidReferenceError(input, `the registry host "${host}"`, "is not a valid IPv6 address");
    }
  } else {
    const colon = host.indexOf(":");
    if (colon >= 0) {
      name = host.slice(0, colon);
      port = host.slice(colon + 1);
    }
    if (!domainPattern.test(name)) {
      throw new InvalidReferenceError(input, `the registry host "${host}"`, "is not a valid host name");
    }
    if (!name.includes(".") && port === undefined && name.toLowerCase() !== "localhost") {
      throw new InvalidReferenceError(
        input,
        `the registry host "${host}"`,
        "is missing or not a host (a registry needs a domain, a port, or localhost)",
      );
    }
  }
  if (port !== undefined && !/^[0-9]{1,5}$/.test(port)) {
    throw new InvalidReferenceError(input, `the registry port "${port}"`, "is not a number");
  }
  return (port === undefined ? name : `${name}:${port}`).toLowerCase();
}

function validateRepository(input: string, repo: string): void {
  if (!repo) throw new InvalidReferenceError(input, "the repository", "is missing");
  if (repo !== repo.toLowerCase()) {
    throw new InvalidReferenceError(input, `the repository "${repo}"`, "must be lowercase");
  }
  for (const part of repo.split("/")) {
    if (!pathComponent.test(part)) {
      throw new InvalidReferenceError(
        input,
        `the repository path component "${part}"`,
        "is not valid (lowercase letters and digits, separated by '.', '_', '__' or '-')",
      );
    }
  }
  if (repo.length > 255)
    throw new InvalidReferenceError(input, "the repository", "is longer than 255 characters");
}

function validateDigest(input: string, digest: string): void {
  const problem = digestProblem(digest);
  if (problem) throw new InvalidReferenceError(input, `the digest "${digest}"`, problem);
}

/** Why `digest` is not a valid `algo:hex` digest, or undefined when it is. */
export function digestProblem(digest: string): string | undefined {
  if (!digestPattern.test(digest)) return "is not of the form algorithm:hex";
  const [algo, hex] = digest.split(":") as [string, string];
  const len = hexLength[algo];
  if (len !== undefined && (hex.length !== len || !/^[0-9a-f]+$/.test(hex))) {
    return `must have ${len} lowercase hex characters after "${algo}:"`;
  }
  return undefined;
}

/** `host/repo`, `host/repo:tag`, `host/repo@digest` or `host/repo:tag@digest` (no scheme). */
export function formatReference(ref: Reference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

export function withTag(ref: Reference, tag: string): Reference {
  return { registry: ref.registry, repository: ref.repository, tag };
}

export function withDigest(ref: Reference, digest: string): Reference {
  return { registry: ref.registry, repository: ref.repository, digest };
}

/** True for `localhost`, `127.0.0.0/8` and `[::1]`, with or without a port. */
export function isLoopback(registry: string): boolean {
  const host = registry.startsWith("[")
    ? registry.slice(0, registry.indexOf("]") + 1)
    : registry.split(":")[0]!;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * `http://registry` for loopback hosts or when insecure, `https://registry` otherwise. Docker Hub's
 * names (`docker.io`, `index.docker.io`) map to its API host, `registry-1.docker.io`.
 */
export function registryBaseUrl(registry: string, opts: { insecure?: boolean } = {}): string {
  if (registry === "docker.io" || registry === "index.docker.io") return "https://registry-1.docker.io";
  return `${opts.insecure || isLoopback(registry) ? "http" : "https"}://${registry}`;
}
