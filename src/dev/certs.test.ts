import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateCerts, readPem } from "./certs.ts";

test("generateCerts makes a CA, a serving cert with the cluster SANs, client certs and an SA key pair", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-certs-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await generateCerts(dir, {
    serviceIP: "10.96.0.1",
    apiServerSANs: ["ferry.example"],
    identities: [{ file: "admin", user: "ferry-admin", groups: ["system:masters"] }],
  });
  const ca = new X509Certificate(await readFile(join(dir, "ca.crt")));
  assert.equal(ca.ca, true);

  const serving = new X509Certificate((await readPem(dir, "apiserver")).cert);
  assert.ok(serving.checkIssued(ca));
  assert.ok(serving.verify(ca.publicKey));
  for (const name of ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:10.96.0.1", "DNS:ferry.example"]) {
    assert.ok(serving.subjectAltName?.includes(name), `${name} in ${serving.subjectAltName}`);
  }
  assert.ok(serving.subjectAltName?.includes("DNS:kubernetes.default.svc.cluster.local"));
  assert.equal(serving.ca, false);

  const admin = new X509Certificate((await readPem(dir, "admin")).cert);
  assert.ok(admin.checkIssued(ca));
  assert.match(admin.subject, /O=system:masters/);
  assert.match(admin.subject, /CN=ferry-admin/);
  assert.ok(admin.keyUsage?.includes("1.3.6.1.5.5.7.3.2"), "clientAuth usage");

  assert.match(await readFile(join(dir, "sa.pub"), "utf8"), /BEGIN PUBLIC KEY/);
  for (const key of ["ca.key", "apiserver.key", "admin.key", "sa.key"]) {
    assert.equal((await stat(join(dir, key))).mode & 0o777, 0o600, key);
  }
});
