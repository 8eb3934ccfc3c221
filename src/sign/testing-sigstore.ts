/**
 * Test helper: a private Sigstore on 127.0.0.1 — Fulcio (with an embedded-SCT CT log) and Rekor from
 * @sigstore/mock behind a real HTTP server — and the `trusted_root.json` that trusts exactly it, so
 * keyless signing and verification (Ferry's and cosign's) run with no internet. `certClock` back-dates
 * issued certificates (for expiry tests). Unsigned JWTs serve as OIDC tokens: the mock Fulcio reads
 * `sub` and `iss` from the token without checking its signature.
 */
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from "@sigstore/mock";
import { TRUSTED_ROOT_MEDIA_TYPE } from "./trust.ts";

type Handler = ReturnType<typeof fulcioHandler>;

export interface TestSigstore {
  /** `http://127.0.0.1:PORT` serving Fulcio (`/api/v2/signingCert`) and Rekor (`/api/v1/log/entries`). */
  url: string;
  fulcioURL: string;
  rekorURL: string;
  /** trusted_root.json content trusting this Fulcio CA, CT log and Rekor. */
  trustedRoot: object;
  stop(): Promise<void>;
}

function spki(key: KeyObject): Buffer {
  return key.export({ format: "der", type: "spki" });
}

function ecKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

/**
 * Real Fulcio takes the OIDC token as a bearer header (what cosign sends) or in the body (what
 * @sigstore/sign sends); the mock reads only the body, so a header token is moved there.
 */
function withBearerToken(body: string, authorization: string | undefined): string {
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  if (!m?.[1]) return body;
  try {
    const doc = JSON.parse(body) as { credentials?: { oidcIdentityToken?: string } };
    if (doc.credentials?.oidcIdentityToken) return body;
    return JSON.stringify({ ...doc, credentials: { oidcIdentityToken: m[1] } });
  } catch {
    return body;
  }
}

/**
 * Real Rekor stores a dsse v0.0.1 entry not as proposed (envelope + verifiers) but as hashes and
 * signatures; verifiers check that stored form. The mock stores what it is sent, so the transformation
 * happens here.
 */
function canonicalDsse(body: string): string {
  try {
    const doc = JSON.parse(body) as {
      kind?: string;
      apiVersion?: string;
      spec?: { proposedContent?: { envelope: string; verifiers: string[] } };
    };
    const proposed = doc.spec?.proposedContent;
    if (doc.kind !== "dsse" || !proposed) return body;
    const envelope = JSON.parse(proposed.envelope) as { payload: string; signatures: Array<{ sig: string }> };
    const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
    return JSON.stringify({
      apiVersion: doc.apiVersion,
      kind: "dsse",
      spec: {
        envelopeHash: { algorithm: "sha256", value: sha(proposed.envelope) },
        payloadHash: { algorithm: "sha256", value: sha(Buffer.from(envelope.payload, "base64")) },
        signatures: envelope.signatures.map((sig, i) => ({
          signature: sig.sig,
          verifier: proposed.verifiers[i] ?? proposed.verifiers[0],
        })),
      },
    });
  } catch {
    return body;
  }
}

async function listen(handlers: Handler[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0];
      const h = handlers.find((x) => x.path === path);
      if (!h || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      let body = withBearerToken(Buffer.concat(chunks).toString("utf8"), req.headers.authorization);
      if (path === "/api/v1/log/entries") body = canonicalDsse(body);
      h.fn(body).then(
        (r) => {
          // Real Fulcio answers 200 (sigstore-go insists on it); the mock says 201.
          const status = path === "/api/v2/signingCert" && r.statusCode === 201 ? 200 : r.statusCode;
          const headers: Record<string, string> = { "Content-Type": r.contentType ?? "text/plain" };
          // Real Rekor names the new entry in ETag and Location; sigstore-go looks the entry up by ETag.
          if (path === "/api/v1/log/entries" && r.statusCode === 201) {
            const uuid = Object.keys(JSON.parse(String(r.response)) as object)[0] ?? "";
            headers.ETag = uuid;
            headers.Location = `/api/v1/log/entries/${uuid}`;
          }
          res.writeHead(status, headers);
          res.end(r.response);
        },
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return server;
}

/** Starts Fulcio + CT log + Rekor on one free 127.0.0.1 port. */
export async function startTestSigstore(opts: { certClock?: Date } = {}): Promise<TestSigstore> {
  const caKeys = ecKeyPair();
  const ctKeys = ecKeyPair();
  const rekorKeys = ecKeyPair();
  const ctLog = await initializeCTLog(ctKeys, opts.certClock);
  const ca = await initializeCA(caKeys, ctLog, opts.certClock);
  // Rekor's checkpoint origin is its host name; the port is known only after listening, so the handler
  // list is filled in after the server is up.
  const handlers: Handler[] = [fulcioHandler(ca)];
  const server = await listen(handlers);
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const tlog = await initializeTLog(url, rekorKeys);
  handlers.push(rekorHandler(tlog));
  const start = new Date(Date.now() - 24 * 3600_000).toISOString();
  const logKey = (key: KeyObject, base: string) => ({
    baseUrl: base,
    hashAlgorithm: "SHA2_256",
    publicKey: {
      rawBytes: spki(key).toString("base64"),
      keyDetails: "PKIX_ECDSA_P256_SHA_256",
      validFor: { start },
    },
    logId: { keyId: createHash("sha256").update(spki(key)).digest("base64") },
  });
  const trustedRoot = {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [logKey(rekorKeys.publicKey, url)],
    certificateAuthorities: [
      {
        subject: { organization: "sigstore.mock", commonName: "sigstore" },
        uri: url,
        certChain: {
          certificates: [
            {
              rawBytes: Buffer.from(
                ca.rootCertificate.buffer,
                ca.rootCertificate.byteOffset,
                ca.rootCertificate.byteLength,
              ).toString("base64"),
            },
          ],
        },
        validFor: { start },
      },
    ],
    ctlogs: [logKey(ctKeys.publicKey, url)],
    timestampAuthorities: [],
  };
  return {
    url,
    fulcioURL: url,
    rekorURL: url,
    trustedRoot,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An unsigned JWT with the given claims (enough for the mock Fulcio, which does not check signatures). */
export function testIdentityToken(claims: { iss: string; sub: string } & Record<string, unknown>): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "none", typ: "JWT" })}.${b64({ aud: "sigstore", iat: now, exp: now + 600, ...claims })}.`;
}
