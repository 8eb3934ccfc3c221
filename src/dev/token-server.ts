/**
 * Test token service for the registry's bearer-token auth (the Docker token spec): an HTTP endpoint on
 * 127.0.0.1 that checks basic credentials and issues ES256 JWTs whose `x5c` header carries a self-signed
 * certificate (made with the openssl CLI) that the registry trusts through `rootcertbundle`. It grants the
 * requested scopes to known users (and `pull` to anonymous callers when asked). For tests only.
 */
import { execFile } from "node:child_process";
import { createPrivateKey, randomBytes, sign, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { FerryError } from "../errors/index.ts";

const run = promisify(execFile);

export interface TokenServerOptions {
  /** user → password */
  users: Record<string, string>;
  /** Grant `pull` to callers without credentials. Default false. */
  anonymousPull?: boolean;
  issuer?: string;
  service?: string;
  /** Token lifetime in seconds. Default 300. */
  expiresIn?: number;
  signal?: AbortSignal;
}

export interface TokenServer {
  /** `http://127.0.0.1:PORT/token` */
  realm: string;
  issuer: string;
  service: string;
  /** PEM file with the signing certificate, for the registry's `rootcertbundle`. */
  certPath: string;
  /** Scopes of every token issued so far, in order. */
  readonly issued: string[][];
  stop(): Promise<void>;
}

export class TokenServerError extends FerryError {
  override name = "TokenServerError";
  constructor(detail: string, cause?: unknown) {
    super(`test token server did not start (${detail}); check that the openssl CLI is installed`, { cause });
  }
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-token-"));
  const issuer = opts.issuer ?? "ferry-test-issuer";
  const service = opts.service ?? "ferry-test-registry";
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  try {
    await run(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        keyPath,
        "-out",
        certPath,
        "-days",
        "2",
        "-subj",
        "/CN=ferry-test-token-issuer",
      ],
      opts.signal ? { signal: opts.signal } : {},
    );
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new TokenServerError("openssl failed", err);
  }
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw.toString("base64");
  const issued: string[][] = [];

  const jwt = (subject: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((s) => {
      const [type, ...rest] = s.split(":");
      const actions = rest.pop() ?? "";
      return { type, name: rest.join(":"), actions: actions.split(",").filter(Boolean) };
    });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const header = b64({ typ: "JWT", alg: "ES256", x5c: [certDer] });
    const claims = b64({
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + (opts.expiresIn ?? 300),
      nbf: now - 1,
      iat: now,
      jti: randomBytes(8).toString("hex"),
      access,
    });
    const signature = sign("sha256", Buffer.from(`${header}.${claims}`), { key, dsaEncoding: "ieee-p1363" });
    return `${header}.${claims}.${signature.toString("base64url")}`;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/token" || url.searchParams.get("service") !== service) {
      res.writeHead(400);
      res.end();
      return;
    }
    const auth = req.headers.authorization;
    let subject = "";
    let scopes = url.searchParams
      .getAll("scope")
      .flatMap((s) => s.split(" "))
      .filter(Boolean);
    if (auth?.startsWith("Basic ")) {
      const decoded = Buffer.from(auth.slice(6), "base64").toString("utf8");
      const i = decoded.indexOf(":");
      const user = decoded.slice(0, i);
      if (i <= 0 || opts.users[user] === undefined || opts.users[user] !== decoded.slice(i + 1)) {
        res.writeHead(401, { "Content-Type": "application/json" });
        res.end('{"details":"invalid username or password"}');
        return;
      }
      subject = user;
    } else {
      scopes = opts.anonymousPull ? scopes.map((s) => s.replace(/:[^:]*$/, ":pull")) : [];
    }
    issued.push(scopes);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ token: jwt(subject, scopes), expires_in: opts.expiresIn ?? 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    issuer,
    service,
    certPath,
    issued,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
