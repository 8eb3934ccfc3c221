/**
 * Signing in the publish flow: `push artifact --sign` and `release --sign` sign what was pushed (and only
 * when something was), `promote` refuses a version that does not verify against the given policy.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { OciClient } from "../../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { startTestSigstore, type TestSigstore, testIdentityToken } from "../../sign/testing-sigstore.ts";
import { runCli } from "../testing.ts";

let regs: SharedRegistries;
let sigstore: TestSigstore;
let dir: string;
const client = new OciClient();
const env = { HOME: "/nonexistent-home", COSIGN_PASSWORD: "pw" };
const ISSUER = "https://token.actions.githubusercontent.com";
const WORKFLOW = "https://github.com/acme/fleet/.github/workflows/release.yml";

before(async () => {
  regs = await sharedRegistries();
  sigstore = await startTestSigstore();
  dir = await mkdtemp(join(tmpdir(), "ferry-publish-sign-"));
  await mkdir(join(dir, "content"));
  await writeFile(join(dir, "content/app.yaml"), "a: 1\n");
  await writeFile(join(dir, "trusted_root.json"), JSON.stringify(sigstore.trustedRoot));
  for (const k of ["cosign", "other"]) {
    const r = await runCli(["generate-key-pair", "--output-key-prefix", k], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
  }
});
after(async () => {
  await sigstore.stop();
  await regs.stop();
  await rm(dir, { recursive: true, force: true });
});

const meta = [
  "--path",
  "content",
  "--source",
  "https://example.com/acme/fleet.git",
  "--revision",
  "main@sha1:0123",
];

async function referrerCount(repo: string, digest: string): Promise<number> {
  const [registry, ...rest] = repo.replace("oci://", "").split("/");
  const { referrers } = await client.listReferrers(
    { registry: registry ?? "", repository: rest.join("/") },
    digest,
  );
  return referrers.length;
}

test("push artifact --sign signs what was pushed, and nothing when nothing was pushed", async () => {
  const repo = `oci://${regs.open}/${uniqueRepo("push-sign")}`;
  const first = await runCli(
    ["push", "artifact", `${repo}:main-1`, ...meta, "--sign", "--key", "cosign.key", "-o", "json"],
    {
      env,
      cwd: dir,
    },
  );
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout) as { digest: string; pushed: boolean; signature?: { format: string } };
  assert.equal(out.pushed, true);
  assert.equal(out.signature?.format, "bundle");
  const v = await runCli(["verify", "--key", "cosign.pub", `${repo}:main-1`], { cwd: dir });
  assert.equal(v.code, 0, v.stderr);

  // Same files under --diff-tag: nothing pushed, so nothing signed.
  const again = await runCli(
    ["push", "artifact", `${repo}:main-2`, ...meta, "--diff-tag", "main-1", "--sign", "--key", "cosign.key"],
    { env, cwd: dir },
  );
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /Signed/);
  assert.equal(await referrerCount(repo, out.digest), 1);

  const stray = await runCli(["push", "artifact", `${repo}:main-3`, ...meta, "--key", "cosign.key"], {
    env,
    cwd: dir,
  });
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /without --sign/);
});

test("a bad key fails push artifact --sign before anything is pushed", async () => {
  const repo = `oci://${regs.open}/${uniqueRepo("push-badkey")}`;
  const r = await runCli(["push", "artifact", `${repo}:v1.0.0`, ...meta, "--sign", "--key", "cosign.key"], {
    env: { ...env, COSIGN_PASSWORD: "wrong" },
    cwd: dir,
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /wrong password/);
  const [registry, ...rest] = repo.replace("oci://", "").split("/");
  assert.equal(
    await client.manifestExists({ registry: registry ?? "", repository: rest.join("/"), tag: "v1.0.0" }),
    undefined,
  );
});

test("release --sign (keyless) signs before latest-stable moves; promote verifies against the policy", async () => {
  const repo = `oci://${regs.open}/${uniqueRepo("release-sign")}`;
  const keyless = ["--fulcio-url", sigstore.fulcioURL, "--rekor-url", sigstore.rekorURL];
  const release = async (tag: string, ref: string) => {
    await writeFile(join(dir, "content/app.yaml"), `v: ${tag}\n`);
    await writeFile(join(dir, "token.jwt"), testIdentityToken({ iss: ISSUER, sub: `${WORKFLOW}@${ref}` }));
    const r = await runCli(
      [
        "release",
        repo,
        "--path",
        "content",
        "--ref",
        `refs/tags/${tag}`,
        "--sha",
        "0".repeat(40),
        "--sign",
        "--identity-token",
        "token.jwt",
        ...keyless,
      ],
      { env, cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Signed .*@sha256:.*Rekor log index/m);
  };
  await release("v1.0.0", "refs/tags/v1.0.0");
  // A version signed from a branch workflow run (the staging identity).
  await release("v1.1.0", "refs/heads/main");
  const production = [
    "--certificate-oidc-issuer",
    ISSUER,
    "--certificate-identity-regexp",
    `^${WORKFLOW}@refs/tags/v\\d+\\.\\d+\\.\\d+$`,
    "--trusted-root",
    "trusted_root.json",
  ];
  const ok = await runCli(["promote", `${repo}:v1.0.0`, ...production], { env, cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /Verified .*\n {2}signed by issuer .*, subject .*refs\/tags\/v1\.0\.0/);

  const refused = await runCli(["promote", `${repo}:v1.1.0`, ...production], { env, cwd: dir });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /identity-mismatch.*refs\/heads\/main/);
  const v = await runCli(
    [
      "verify",
      `${repo}:latest-stable`,
      "--certificate-oidc-issuer",
      ISSUER,
      "--certificate-identity",
      `${WORKFLOW}@refs/tags/v1.0.0`,
      "--trusted-root",
      "trusted_root.json",
    ],
    { cwd: dir },
  );
  assert.equal(v.code, 0, `latest-stable must still be v1.0.0: ${v.stderr}`);

  const skipped = await runCli(["promote", `${repo}:v1.1.0`, "--skip-verify", "-o", "json"], {
    env,
    cwd: dir,
  });
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.equal((JSON.parse(skipped.stdout) as { moved: boolean }).moved, true);
});

test("promote --verify-key: the right key moves the tag, another key refuses it", async () => {
  const repo = `oci://${regs.open}/${uniqueRepo("promote-key")}`;
  const r = await runCli(["push", "artifact", `${repo}:v2.0.0`, ...meta, "--sign", "--key", "cosign.key"], {
    env,
    cwd: dir,
  });
  assert.equal(r.code, 0, r.stderr);
  const bad = await runCli(["promote", `${repo}:v2.0.0`, "--verify-key", "other.pub"], { env, cwd: dir });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /wrong-key/);
  const good = await runCli(["promote", `${repo}:v2.0.0`, "--verify-key", "cosign.pub"], { env, cwd: dir });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /latest-stable \(new\) -> sha256:/);
});
