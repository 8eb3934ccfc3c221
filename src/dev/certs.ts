/**
 * The PKI of a local cluster, made with the `openssl` CLI: one CA, the API server's serving certificate, one
 * client certificate per identity (admin, controller manager, scheduler, kwok) and the service-account
 * signing key pair. Keys are ECDSA P-256; everything is written into one folder, private keys mode 0600.
 */
import { execFile } from "node:child_process";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { FerryError } from "../errors/index.ts";

const run = promisify(execFile);

export class CertificateError extends FerryError {
  override name = "CertificateError";
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super(`generating ${file} with openssl failed; check that the openssl CLI (3.0 or later) is installed`, {
      cause,
    });
    this.file = file;
  }
}

/** A client identity: becomes the certificate's CN (user) and O (groups). */
export interface Identity {
  file: string;
  user: string;
  groups: string[];
}

export interface CertsOptions {
  /** Extra subject alternative names of the API server certificate (IPs or DNS names). */
  apiServerSANs?: string[];
  /** First IP of the service range: the in-cluster `kubernetes` Service address. */
  serviceIP: string;
  identities: Identity[];
  signal?: AbortSignal;
}

export interface Pem {
  cert: string;
  key: string;
}

const CONFIG = (sans: string[]) => `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[serving]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${sans.join(",")}
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
`;

function san(name: string): string {
  return /^[0-9.]+$/.test(name) || name.includes(":") ? `IP:${name}` : `DNS:${name}`;
}

/** Writes ca.{crt,key}, apiserver.{crt,key}, <identity>.{crt,key} and sa.{key,pub} into `dir`. */
export async function generateCerts(dir: string, opts: CertsOptions): Promise<void> {
  const signal = opts.signal;
  const names = [
    "localhost",
    "127.0.0.1",
    opts.serviceIP,
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    ...(opts.apiServerSANs ?? []),
  ];
  const cnf = join(dir, "openssl.cnf");
  await writeFile(cnf, CONFIG([...new Set(names)].map(san)));
  const openssl = async (file: string, args: string[]) => {
    try {
      await run("openssl", args, { cwd: dir, signal });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new CertificateError(join(dir, file), err);
    }
  };
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc", "-days", "3650"];
  const req = (base: string, subject: string, ext: string, ca: boolean) =>
    openssl(`${base}.crt`, [
      "req",
      "-x509",
      "-new",
      ...newKey,
      "-keyout",
      `${base}.key`,
      "-out",
      `${base}.crt`,
      "-subj",
      subject,
      "-config",
      cnf,
      "-extensions",
      ext,
      ...(ca ? [] : ["-CA", "ca.crt", "-CAkey", "ca.key"]),
    ]);
  await req("ca", "/CN=ferry-dev-ca", "ca", true);
  await req("apiserver", "/CN=kube-apiserver", "serving", false);
  for (const id of opts.identities) {
    const subject = `${id.groups.map((g) => `/O=${g}`).join("")}/CN=${id.user}`;
    await req(id.file, subject, "client", false);
  }
  await openssl("sa.key", [
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    "sa.key",
  ]);
  await openssl("sa.pub", ["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
  for (const f of ["ca", "apiserver", "sa", ...opts.identities.map((i) => i.file)]) {
    await chmod(join(dir, `${f}.key`), 0o600);
  }
}

/** Reads `<base>.crt` and `<base>.key` from `dir`. */
export async function readPem(dir: string, base: string): Promise<Pem> {
  const [cert, key] = await Promise.all([
    readFile(join(dir, `${base}.crt`), "utf8"),
    readFile(join(dir, `${base}.key`), "utf8"),
  ]);
  return { cert, key };
}
