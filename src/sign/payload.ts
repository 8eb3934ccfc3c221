/**
 * What a signature says it signs. Two shapes, both cosign's:
 * - the "simple signing" JSON of legacy `.sig` signatures (`critical.image.docker-manifest-digest`);
 * - the in-toto Statement v1 of bundle signatures, predicate type `https://sigstore.dev/cosign/sign/v1`,
 *   whose subject carries the digest.
 * Both are checked the same way on verify: the digest they name must be the artifact's digest.
 */

export const SIMPLE_SIGNING_TYPE = "cosign container image signature";
export const COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
export const INTOTO_STATEMENT_V1 = "https://in-toto.io/Statement/v1";
export const INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** `{"critical":{…},"optional":…}` with cosign's key order, for the image `repository@digest`. */
export function simpleSigningPayload(
  repository: string,
  digest: string,
  annotations?: Record<string, string>,
): Buffer {
  const doc = {
    critical: {
      identity: { "docker-reference": repository },
      image: { "docker-manifest-digest": digest },
      type: SIMPLE_SIGNING_TYPE,
    },
    optional: annotations && Object.keys(annotations).length > 0 ? annotations : null,
  };
  return Buffer.from(JSON.stringify(doc));
}

/** The in-toto statement cosign 3 signs for an image: subject is the digest alone, predicate empty. */
export function signStatement(digest: string, annotations?: Record<string, string>): Buffer {
  const [algo, hex] = digest.split(":");
  const subject: Record<string, unknown> = { digest: { [algo ?? "sha256"]: hex } };
  if (annotations && Object.keys(annotations).length > 0) subject.annotations = annotations;
  return Buffer.from(
    JSON.stringify({
      _type: INTOTO_STATEMENT_V1,
      subject: [subject],
      predicateType: COSIGN_SIGN_PREDICATE,
      predicate: {},
    }),
  );
}

/**
 * The digests a signed payload names, or a sentence saying why it names none. Accepts a simple-signing
 * payload or an in-toto statement (any predicate type: the subject is what binds it to the artifact).
 */
export function signedDigests(payload: Uint8Array): { digests: string[] } | { problem: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    return { problem: "the signed payload is not JSON" };
  }
  if (typeof doc !== "object" || doc === null) return { problem: "the signed payload is not a JSON object" };
  const d = doc as {
    critical?: { type?: unknown; image?: { "docker-manifest-digest"?: unknown } };
    _type?: unknown;
    subject?: unknown;
  };
  if (d.critical) {
    if (d.critical.type !== SIMPLE_SIGNING_TYPE) {
      return {
        problem: `the signed payload has type "${String(d.critical.type)}", not "${SIMPLE_SIGNING_TYPE}"`,
      };
    }
    const digest = d.critical.image?.["docker-manifest-digest"];
    if (typeof digest !== "string") return { problem: "the signed payload names no docker-manifest-digest" };
    return { digests: [digest] };
  }
  if (typeof d._type === "string" && d._type.startsWith("https://in-toto.io/Statement/")) {
    if (!Array.isArray(d.subject)) return { problem: "the signed in-toto statement has no subject" };
    const digests: string[] = [];
    for (const s of d.subject as Array<{ digest?: Record<string, unknown> }>) {
      for (const [algo, hex] of Object.entries(s?.digest ?? {})) {
        if (typeof hex === "string") digests.push(`${algo}:${hex}`);
      }
    }
    return { digests };
  }
  return {
    problem: "the signed payload is neither a cosign simple-signing document nor an in-toto statement",
  };
}
