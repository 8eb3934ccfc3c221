import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { runCli } from "../testing.ts";

let regs: SharedRegistries;
let dir: string;
const env = { HOME: "/nonexistent-home" };

function git(...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd: dir,
    encoding: "utf8",
  }).trim();
}

before(async () => {
  regs = await sharedRegistries();
  dir = await mkdtemp(join(tmpdir(), "ferry-cli-release-"));
  await mkdir(join(dir, "clusters"), { recursive: true });
  await writeFile(join(dir, "clusters/staging.yaml"), "s: 1\n");
  git("init", "-q", "-b", "main");
  git("remote", "add", "origin", "https://example.com/org/fleet.git");
  git("add", ".");
  git("commit", "-q", "-m", "one");
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await regs.stop();
});

test("release from the local checkout, then promote and rollback", async () => {
  const repo = `oci://${regs.open}/${uniqueRepo("cli-release")}`;
  const sha = git("rev-parse", "HEAD");
  const plan = await runCli(["release", repo, "--dry-run", "-o", "json"], { env, cwd: dir });
  assert.equal(plan.code, 0, plan.stderr);
  const p = (JSON.parse(plan.stdout) as { plan: { tag: string; moves: string[]; source: string } }).plan;
  assert.deepEqual(
    [p.tag, p.moves, p.source],
    [`main-${sha.slice(0, 8)}`, ["latest"], "https://example.com/org/fleet.git"],
  );

  const branch = await runCli(["release", repo], { env, cwd: dir });
  assert.equal(branch.code, 0, branch.stderr);
  assert.match(branch.stdout, new RegExp(`pushed .*:main-${sha.slice(0, 8)} .*@sha256:`));
  assert.match(branch.stdout, /moved .*:latest \(new\) -> sha256:/);

  for (const v of ["v1.0.0", "v1.1.0"]) {
    await writeFile(join(dir, "clusters/staging.yaml"), `${v}\n`);
    git("commit", "-q", "-am", v);
    git("tag", v);
    const r = await runCli(["release", repo], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`pushed .*:${v.replace(/\./g, "\\.")} `));
    assert.match(r.stdout, /moved .*:latest-stable/);
  }

  // GitHub Actions context wins over the checkout.
  const gh = await runCli(["release", repo, "--dry-run"], {
    env: {
      ...env,
      GITHUB_REF: "refs/tags/web/v2.0.0",
      GITHUB_SHA: sha,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "org/apps",
    },
    cwd: dir,
  });
  assert.match(
    gh.stdout,
    /kind\s+component\npath\s+components\/web\nartifact\s+.*\/web:v2\.0\.0\nmoves\s+latest-stable\nsource\s+https:\/\/github\.com\/org\/apps/,
  );

  const bad = await runCli(["release", repo, "--ref", "refs/tags/v1.0", "--sha", sha], { env, cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected .*vX\.Y\.Z/);

  const rb = await runCli(["rollback", repo], { env, cwd: dir });
  assert.equal(rb.code, 0, rb.stderr);
  assert.match(
    rb.stdout,
    /:latest-stable sha256:[0-9a-f]+ \(was v1\.1\.0\) -> sha256:[0-9a-f]+ \(v1\.0\.0\)/,
  );
  const none = await runCli(["rollback", repo], { env, cwd: dir });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /v1\.0\.0 is the lowest version.*--to/);

  const promote = await runCli(["promote", `${repo}:v1.1.0`, "--to", "latest-stable", "-o", "json"], {
    env,
    cwd: dir,
  });
  assert.equal(promote.code, 0, promote.stderr);
  const moved = JSON.parse(promote.stdout) as { version: string; moved: boolean; from: string; to: string };
  assert.equal(moved.version, "v1.1.0");
  assert.equal(moved.moved, true);
  assert.notEqual(moved.from, moved.to);
  const missing = await runCli(["promote", `${repo}:v3.0.0`], { env, cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /v3\.0\.0 does not exist/);
});

test("release commands document an example", async () => {
  for (const cmd of ["release", "promote", "rollback"]) {
    const r = await runCli([cmd, "--help"], { env, cwd: dir });
    assert.match(r.stdout, /Examples:\n/);
    assert.match(r.stdout, new RegExp(`ferry ${cmd} `));
  }
});
