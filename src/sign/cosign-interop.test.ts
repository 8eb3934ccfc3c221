/**
 * Interop with the real cosign (built from its Go module by scripts/tools.sh): signatures made by either
 * tool verify with the other, for key pairs in both storage formats and for keyless signatures against a
 * private Sigstore on 127.0.0.1 (cosign pointed at the same trusted_root.json).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "../cli/testing.ts";
import { toolPath } from "../dev/tools.ts";
import { OciClient } from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import { parseTrustedRoot, signArtifact, verifyArtifact } from "./index.ts";
import { pushTestArtifact } from "./testing.ts";
import { startTestSigstore, type TestSigstore, testIdentityToken } from "./testing-sigstore.ts";

const PASSWORD = "interop";
const ISSUER = "https://token.actions.githubusercontent.com";
const SUBJECT = "https://github.com/acme/fleet/.github/workflows/release.yml@refs/tags/v1.2.3";

let regs: SharedRegistries;
let sigstore: TestSigstore;
let dir: string;
let cosignBin: string;
const client = new OciClient();

before(async () => {
  cosignBin = toolPath("cosign");
  regs = await sharedRegistries();
  sigstore = await startTestSigstore();
  dir = await mkdtemp(join(tmpdir(), "ferry-cosign-interop-"));
  await writeFile(join(dir, "trusted_root.json"), JSON.stringify(sigstore.trustedRoot));
});
after(async () => {
  await sigstore.stop();
  await regs.stop();
  await rm(dir, { recursive: true, force: true });
});

function cosign(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cosignBin,
      args,
      {
        cwd: dir,
        // A private HOME: no TUF cache or Docker credentials of the machine leak in.
        env: { PATH: process.env.PATH, HOME: dir, COSIGN_PASSWORD: PASSWORD, COSIGN_YES: "true" },
        timeout: 120_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function art(name: string) {
  const a = await pushTestArtifact(client, regs.open, uniqueRepo(name), "v1");
  return { ...a, ref: `${a.registry}/${a.repository}@${a.digest}` };
}

test("cosign generate-key-pair → ferry signs with cosign.key; ferry generate-key-pair → cosign signs with it", async () => {
  const r = await cosign(["generate-key-pair", "--output-key-prefix", "from-cosign"]);
  assert.equal(r.code, 0, r.stderr);
  const g = await runCli(["generate-key-pair", "--output-key-prefix", "from-ferry"], {
    cwd: dir,
    env: { COSIGN_PASSWORD: PASSWORD },
  });
  assert.equal(g.code, 0, g.stderr);
  const a = await art("interop-keys");
  const s1 = await runCli(["sign", "--key", "from-cosign.key", a.ref], {
    cwd: dir,
    env: { COSIGN_PASSWORD: PASSWORD },
  });
  assert.equal(s1.code, 0, s1.stderr);
  const s2 = await cosign([
    "sign",
    "--key",
    "from-ferry.key",
    "--tlog-upload=false",
    "--use-signing-config=false",
    "--allow-http-registry",
    a.ref,
  ]);
  assert.equal(s2.code, 0, s2.stderr);
  for (const pub of ["from-cosign.pub", "from-ferry.pub"]) {
    const v = await runCli(["verify", "--key", pub, a.ref], { cwd: dir });
    assert.equal(v.code, 0, `${pub}: ${v.stderr}`);
  }
});

for (const format of ["bundle", "legacy"] as const) {
  test(`key pair, ${format}: ferry signs → cosign verify --key; cosign signs → ferry verify --key`, async () => {
    await runCli(["generate-key-pair", "--output-key-prefix", `k-${format}`, "--force"], {
      cwd: dir,
      env: { COSIGN_PASSWORD: PASSWORD },
    });
    const byFerry = await art(`interop-ferry-${format}`);
    const s = await runCli(["sign", "--key", `k-${format}.key`, "--signature-format", format, byFerry.ref], {
      cwd: dir,
      env: { COSIGN_PASSWORD: PASSWORD },
    });
    assert.equal(s.code, 0, s.stderr);
    const cv = await cosign([
      "verify",
      "--key",
      `k-${format}.pub`,
      "--insecure-ignore-tlog",
      "--allow-http-registry",
      byFerry.ref,
    ]);
    assert.equal(cv.code, 0, `cosign verify: ${cv.stderr}`);
    assert.match(cv.stdout, new RegExp(byFerry.digest.slice(7)));

    const byCosign = await art(`interop-cosign-${format}`);
    const cs = await cosign([
      "sign",
      "--key",
      `k-${format}.key`,
      "--tlog-upload=false",
      "--use-signing-config=false",
      `--new-bundle-format=${format === "bundle"}`,
      "--allow-http-registry",
      byCosign.ref,
    ]);
    assert.equal(cs.code, 0, `cosign sign: ${cs.stderr}`);
    const fv = await runCli(["verify", "--key", `k-${format}.pub`, "-o", "json", byCosign.ref], { cwd: dir });
    assert.equal(fv.code, 0, fv.stderr);
    assert.equal((JSON.parse(fv.stdout) as { format: string }).format, format);
  });
}

for (const format of ["bundle", "legacy"] as const) {
  test(`keyless, ${format}: ferry signs on the private Sigstore → cosign verify with --trusted-root`, async () => {
    const a = await art(`interop-keyless-${format}`);
    await signArtifact({
      client,
      reference: a,
      format,
      material: {
        kind: "keyless",
        fulcioURL: sigstore.fulcioURL,
        identityToken: async () => testIdentityToken({ iss: ISSUER, sub: SUBJECT }),
      },
      rekorURL: sigstore.rekorURL,
    });
    const ok = await verifyArtifact({
      client,
      reference: a,
      policy: {
        identities: [{ issuer: ISSUER, subject: SUBJECT }],
        trustedRoot: parseTrustedRoot(sigstore.trustedRoot, "t"),
      },
    });
    assert.equal(ok.format, format);
    const identity = [
      "--certificate-oidc-issuer",
      ISSUER,
      "--trusted-root",
      "trusted_root.json",
      "--allow-http-registry",
    ];
    const cv = await cosign(["verify", ...identity, "--certificate-identity", SUBJECT, a.ref]);
    assert.equal(cv.code, 0, `cosign verify: ${cv.stderr}`);
    const refused = await cosign([
      "verify",
      ...identity,
      "--certificate-identity-regexp",
      "@refs/heads/main$",
      a.ref,
    ]);
    assert.notEqual(refused.code, 0, "cosign must refuse a mismatching identity too");
  });
}

for (const format of ["bundle", "legacy"] as const) {
  test(`keyless, ${format}: cosign signs on the private Sigstore → ferry verify with the same trusted root`, async () => {
    const a = await art(`interop-cosign-keyless-${format}`);
    await writeFile(join(dir, `token-${format}.jwt`), testIdentityToken({ iss: ISSUER, sub: SUBJECT }));
    const cs = await cosign([
      "sign",
      "--identity-token",
      `token-${format}.jwt`,
      "--fulcio-url",
      sigstore.fulcioURL,
      "--rekor-url",
      sigstore.rekorURL,
      "--use-signing-config=false",
      `--new-bundle-format=${format === "bundle"}`,
      "--allow-http-registry",
      a.ref,
    ]);
    assert.equal(cs.code, 0, `cosign sign: ${cs.stderr}`);
    const v = await runCli(
      [
        "verify",
        "--certificate-oidc-issuer",
        ISSUER,
        "--certificate-identity",
        SUBJECT,
        "--trusted-root",
        "trusted_root.json",
        "-o",
        "json",
        a.ref,
      ],
      { cwd: dir },
    );
    assert.equal(v.code, 0, v.stderr);
    assert.equal((JSON.parse(v.stdout) as { format: string }).format, format);
  });
}

test("signatures by both tools on one artifact coexist (shared .sig image, shared referrers index)", async () => {
  for (const k of ["co-a", "co-b"]) {
    const g = await runCli(["generate-key-pair", "--output-key-prefix", k, "--force"], {
      cwd: dir,
      env: { COSIGN_PASSWORD: PASSWORD },
    });
    assert.equal(g.code, 0, g.stderr);
  }
  const a = await art("interop-coexist");
  for (const legacy of [true, false]) {
    const cs = await cosign([
      "sign",
      "--key",
      "co-a.key",
      "--tlog-upload=false",
      "--use-signing-config=false",
      `--new-bundle-format=${!legacy}`,
      "--allow-http-registry",
      a.ref,
    ]);
    assert.equal(cs.code, 0, cs.stderr);
    const fs = await runCli(
      ["sign", "--key", "co-b.key", "--signature-format", legacy ? "legacy" : "bundle", a.ref],
      { cwd: dir, env: { COSIGN_PASSWORD: PASSWORD } },
    );
    assert.equal(fs.code, 0, fs.stderr);
  }
  for (const pub of ["co-a.pub", "co-b.pub"]) {
    const fv = await runCli(["verify", "--key", pub, a.ref], { cwd: dir });
    assert.equal(fv.code, 0, `ferry verify ${pub}: ${fv.stderr}`);
    for (const bundle of [true, false]) {
      const cv = await cosign([
        "verify",
        "--key",
        pub,
        "--insecure-ignore-tlog",
        `--new-bundle-format=${bundle}`,
        "--allow-http-registry",
        a.ref,
      ]);
      assert.equal(cv.code, 0, `cosign verify ${pub} (bundle=${bundle}): ${cv.stderr}`);
    }
  }
});

for (const format of ["bundle", "legacy"] as const) {
  test(`key pair with a Rekor entry, ${format}: each tool verifies the other's log entry against the trusted root`, async () => {
    await runCli(["generate-key-pair", "--output-key-prefix", `tlog-${format}`, "--force"], {
      cwd: dir,
      env: { COSIGN_PASSWORD: PASSWORD },
    });
    const a = await art(`interop-key-tlog-${format}`);
    const s = await runCli(
      [
        "sign",
        "--key",
        `tlog-${format}.key`,
        "--rekor-url",
        sigstore.rekorURL,
        "--signature-format",
        format,
        a.ref,
      ],
      { cwd: dir, env: { COSIGN_PASSWORD: PASSWORD } },
    );
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /Rekor log index \d+/);
    const fv = await runCli(
      ["verify", "--key", `tlog-${format}.pub`, "--trusted-root", "trusted_root.json", a.ref],
      {
        cwd: dir,
      },
    );
    assert.equal(fv.code, 0, fv.stderr);
    const cv = await cosign([
      "verify",
      "--key",
      `tlog-${format}.pub`,
      "--trusted-root",
      "trusted_root.json",
      "--allow-http-registry",
      a.ref,
    ]);
    assert.equal(cv.code, 0, `cosign verify (with tlog): ${cv.stderr}`);

    const b = await art(`interop-cosign-key-tlog-${format}`);
    const cs = await cosign([
      "sign",
      "--key",
      `tlog-${format}.key`,
      "--rekor-url",
      sigstore.rekorURL,
      "--use-signing-config=false",
      `--new-bundle-format=${format === "bundle"}`,
      "--allow-http-registry",
      b.ref,
    ]);
    assert.equal(cs.code, 0, `cosign sign (with tlog): ${cs.stderr}`);
    const fv2 = await runCli(
      ["verify", "--key", `tlog-${format}.pub`, "--trusted-root", "trusted_root.json", b.ref],
      {
        cwd: dir,
      },
    );
    assert.equal(fv2.code, 0, fv2.stderr);
  });
}
