/**
 * Identity matching, as Flux's `matchOIDCIdentity` and cosign's `--certificate-identity-regexp` /
 * `--certificate-oidc-issuer-regexp`: each policy entry has an issuer and a subject regular expression
 * (unanchored, Go RE2 semantics; anchor with ^…$), and a signature is accepted when any entry matches
 * both its certificate's OIDC issuer and its subject alternative name.
 */
import { UsageError } from "../errors/index.ts";

export interface IdentityPattern {
  /** Regular expression for the OIDC issuer (Fulcio's issuer extension). */
  issuer: string;
  /** Regular expression for the certificate subject (SAN: workflow URI, email, …). */
  subject: string;
}

export interface FoundIdentity {
  issuer: string;
  subject: string;
}

/** Compiles a Go-style regular expression: a leading `(?i)` / `(?s)` / `(?m)` becomes a JS flag. */
export function compileGoRegexp(pattern: string, what: string): RegExp {
  let flags = "u";
  let src = pattern;
  const m = /^\(\?([ims]+)\)/.exec(src);
  if (m?.[1]) {
    flags += m[1];
    src = src.slice(m[0].length);
  }
  try {
    return new RegExp(src, flags);
  } catch (cause) {
    throw new UsageError(
      `${what} "${pattern}" is not a valid regular expression: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/** An exact value as a pattern (for --certificate-identity / --certificate-oidc-issuer). */
export function exactPattern(value: string): string {
  return `^${value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`;
}

/** Validates every pattern up front so a bad policy fails as a usage error, not as a mismatch. */
export function compileIdentities(
  patterns: readonly IdentityPattern[],
): Array<{ issuer: RegExp; subject: RegExp }> {
  return patterns.map((p, i) => ({
    issuer: compileGoRegexp(p.issuer, `identity ${i + 1} issuer`),
    subject: compileGoRegexp(p.subject, `identity ${i + 1} subject`),
  }));
}

export function matchIdentity(
  compiled: ReadonlyArray<{ issuer: RegExp; subject: RegExp }>,
  found: FoundIdentity,
): boolean {
  return compiled.some((c) => c.issuer.test(found.issuer) && c.subject.test(found.subject));
}
