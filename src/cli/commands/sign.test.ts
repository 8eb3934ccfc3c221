import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { OciClient, staticCredentials } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { pushTestArtifact } from "../../sign/testing.ts";
import { startTestSigstore, type TestSigstore, testIdentityToken } from "../../sign/testing-sigstore.ts";
import { runCli } from "../testing.ts";

let regs: SharedRegistries;
let sigstore: TestSigstore;
let dir: string;
const client = new OciClient();
const env = { COSIGN_PASSWORD: "correct horse" };

before(async () => {
  regs = await sharedRegistries();
  sigstore = await startTestSigstore();
  dir = await mkdtemp(join(tmpdir(), "ferry-sign-cli-"));
  await writeFile(join(dir, "trusted_root.json"), JSON.stringify(sigstore.trustedRoot));
});
after(async () => {
  await sigstore.stop();
  await regs.stop();
  await rm(dir, { recursive: true, force: true });
});

test("generate-key-pair writes cosign.key (0600) and cosign.pub, and refuses to overwrite", async () => {
  const r = await runCli(["generate-key-pair", "--output-key-prefix", "gen"], { env, cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(await readFile(join(dir, "gen.key"), "utf8"), /ENCRYPTED SIGSTORE PRIVATE KEY/);
  assert.equal((await stat(join(dir, "gen.key"))).mode & 0o777, 0o600);
  const again = await runCli(["generate-key-pair", "--output-key-prefix", "gen"], { env, cwd: dir });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists; pass --force/);
});

test("sign --key and verify --key, both formats; wrong password and wrong key are clear errors", async () => {
  await runCli(["generate-key-pair"], { env, cwd: dir });
  await runCli(["generate-key-pair", "--output-key-prefix", "other"], { env, cwd: dir });
  for (const fmt of ["bundle", "legacy"]) {
    const art = await pushTestArtifact(client, regs.open, uniqueRepo(`cli-${fmt}`), "v1");
    const ref = `oci://${art.registry}/${art.repository}:v1`;
    const s = await runCli(["sign", "--key", "cosign.key", "--signature-format", fmt, ref], {
      env,
      cwd: dir,
    });
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`Signed .*@${art.digest}`));
    const v = await runCli(["verify", "--key", "cosign.pub", ref], { cwd: dir });
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, new RegExp(`Verified .*@${art.digest}\\n  signed by public key`));
    const bad = await runCli(["verify", "--key", "other.pub", ref], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /failed verification \(wrong-key\)/);
  }
  // Keys from environment variables, cosign's env:// syntax, for both halves.
  const envArt = await pushTestArtifact(client, regs.open, uniqueRepo("cli-env"), "v1");
  const envRef = `oci://${envArt.registry}/${envArt.repository}:v1`;
  const keyEnv = {
    ...env,
    SIGN_KEY: await readFile(join(dir, "cosign.key"), "utf8"),
    SIGN_PUB: await readFile(join(dir, "cosign.pub"), "utf8"),
  };
  assert.equal(
    (await runCli(["sign", "--key", "env://SIGN_KEY", envRef], { env: keyEnv, cwd: dir })).code,
    0,
  );
  const ev = await runCli(["verify", "--key", "env://SIGN_PUB", envRef], { env: keyEnv, cwd: dir });
  assert.equal(ev.code, 0, ev.stderr);
  const art = await pushTestArtifact(client, regs.open, uniqueRepo("cli-pw"), "v1");
  const wrong = await runCli(["sign", "--key", "cosign.key", `oci://${art.registry}/${art.repository}:v1`], {
    env: { COSIGN_PASSWORD: "nope" },
    cwd: dir,
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /wrong password/);
  assert.ok(!wrong.stderr.includes("correct horse"));
});

test("keyless sign with --identity-token file and verify with identity flags and --trusted-root", async () => {
  const art = await pushTestArtifact(client, regs.open, uniqueRepo("cli-keyless"), "v1");
  const ref = `oci://${art.registry}/${art.repository}@${art.digest}`;
  const subject = "https://github.com/acme/fleet/.github/workflows/release.yml@refs/heads/main";
  await writeFile(
    join(dir, "token.jwt"),
    testIdentityToken({ iss: "https://token.actions.githubusercontent.com", sub: subject }),
  );
  const s = await runCli(
    [
      "sign",
      "--identity-token",
      "token.jwt",
      "--fulcio-url",
      sigstore.fulcioURL,
      "--rekor-url",
      sigstore.rekorURL,
      "--trusted-root",
      "trusted_root.json",
      ref,
    ],
    { cwd: dir },
  );
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /Rekor log index \d+/);
  const issuer = [
    "--certificate-oidc-issuer",
    "https://token.actions.githubusercontent.com",
    "--trusted-root",
    "trusted_root.json",
  ];
  const ok = await runCli(["verify", ...issuer, "--certificate-identity", subject, ref], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    /signed by issuer https:\/\/token\.actions\.githubusercontent\.com, subject .*refs\/heads\/main/,
  );
  const prod = await runCli(
    ["verify", ...issuer, "--certificate-identity-regexp", "@refs/tags/v\\d+\\.\\d+\\.\\d+$", ref],
    { cwd: dir },
  );
  assert.equal(prod.code, 1);
  assert.match(prod.stderr, /identity-mismatch.*refs\/heads\/main/);
  const json = await runCli(["verify", ...issuer, "--certificate-identity", subject, "-o", "json", ref], {
    cwd: dir,
  });
  assert.equal((JSON.parse(json.stdout) as { digest: string }).digest, art.digest);
});

test("usage errors: no policy, half an identity, no token", async () => {
  const ref = `oci://${regs.open}/x/y:v1`;
  const cases: Array<[string[], RegExp]> = [
    [["verify", ref], /say what to trust/],
    [["verify", "--certificate-identity", "a", ref], /needs both/],
    [["sign", ref], /needs an OIDC identity token/],
    [["sign", "--key", "missing.key", ref], /cannot read key file/],
  ];
  for (const [argv, re] of cases) {
    const r = await runCli(argv, { cwd: dir });
    assert.notEqual(r.code, 0, argv.join(" "));
    assert.match(r.stderr, re, argv.join(" "));
  }
});

test("sign and verify on a registry behind basic auth, with --creds and with FERRY_REGISTRY_USER/PASSWORD", async () => {
  await runCli(["generate-key-pair", "--output-key-prefix", "auth", "--force"], { env, cwd: dir });
  const creds = `${regs.user}:${regs.password}`;
  const authed = new OciClient({ credentials: staticCredentials(creds) });
  const art = await pushTestArtifact(authed, regs.auth, uniqueRepo("cli-auth"), "v1");
  const ref = `oci://${art.registry}/${art.repository}:v1`;
  const s = await runCli(["sign", "--creds", creds, "--key", "auth.key", ref], { env, cwd: dir });
  assert.equal(s.code, 0, s.stderr);
  const v = await runCli(["verify", "--key", "auth.pub", ref], {
    env: { FERRY_REGISTRY_USER: regs.user, FERRY_REGISTRY_PASSWORD: regs.password },
    cwd: dir,
  });
  assert.equal(v.code, 0, v.stderr);
  const denied = await runCli(["verify", "--key", "auth.pub", ref], { cwd: dir });
  assert.equal(denied.code, 1);
  assert.doesNotMatch(denied.stderr, new RegExp(regs.password));
});
