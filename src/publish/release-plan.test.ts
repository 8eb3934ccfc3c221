import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { OciClient } from "../oci/index.ts";
import { ReleaseContextError } from "./errors.ts";
import { releaseArtifact } from "./release.ts";
import { contextFromGit, contextFromGitHubEnv, planRelease } from "./release-plan.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";

test("planRelease: D2 tags from the ref", async (t) => {
  const cases = [
    {
      name: "main branch",
      ref: "refs/heads/main",
      want: {
        kind: "branch",
        repository: "ghcr.io/org/fleet",
        tag: "main-01234567",
        moves: ["latest"],
        path: ".",
        revision: `main@sha1:${SHA}`,
        diffTag: "latest",
      },
    },
    {
      name: "branch with a slash",
      ref: "refs/heads/feature/x",
      want: {
        kind: "branch",
        tag: "feature-x-01234567",
        moves: ["latest"],
        revision: `feature/x@sha1:${SHA}`,
      },
    },
    {
      name: "version tag",
      ref: "refs/tags/v1.2.3",
      want: {
        kind: "version",
        repository: "ghcr.io/org/fleet",
        tag: "v1.2.3",
        moves: ["latest-stable"],
        revision: `v1.2.3@sha1:${SHA}`,
      },
    },
    {
      name: "pre-release moves nothing",
      ref: "refs/tags/v2.0.0-rc.1",
      want: { kind: "version", tag: "v2.0.0-rc.1", moves: [] },
    },
    {
      name: "component tag",
      ref: "refs/tags/frontend/v1.0.4",
      want: {
        kind: "component",
        component: "frontend",
        repository: "ghcr.io/org/fleet/frontend",
        path: "components/frontend",
        tag: "v1.0.4",
        moves: ["latest-stable"],
        revision: `frontend/v1.0.4@sha1:${SHA}`,
      },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const plan = planRelease(
        { ref: c.ref, sha: SHA, sourceUrl: "https://github.com/org/fleet" },
        { repository: "oci://ghcr.io/org/fleet" },
      );
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(plan[k as keyof typeof plan], v, k);
      assert.equal(plan.source, "https://github.com/org/fleet");
    });
  }
});

test("planRelease: malformed refs are refused with the expected format", async (t) => {
  const cases = [
    { ref: "refs/tags/v1.2", sha: SHA },
    { ref: "refs/tags/1.2.3", sha: SHA },
    { ref: "refs/tags/release-7", sha: SHA },
    { ref: "refs/tags/a/b/v1.0.0", sha: SHA },
    { ref: "refs/tags/Front_End/v1.0.0", sha: SHA },
    { ref: "refs/tags/frontend/1.0.0", sha: SHA },
    { ref: "refs/pull/3/merge", sha: SHA },
    { ref: "refs/heads/main", sha: "abc" },
  ];
  for (const c of cases) {
    await t.test(c.ref, () => {
      assert.throws(
        () => planRelease(c, { repository: "ghcr.io/org/fleet" }),
        (err: unknown) => {
          assert.ok(err instanceof ReleaseContextError);
          if (c.sha === SHA) assert.match(err.message, /vX\.Y\.Z|expected/);
          return true;
        },
      );
    });
  }
});

test("contextFromGitHubEnv", async (t) => {
  const cases = [
    { name: "outside Actions", env: {}, want: undefined },
    {
      name: "push to main",
      env: {
        GITHUB_REF: "refs/heads/main",
        GITHUB_SHA: SHA,
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "org/fleet",
      },
      want: { ref: "refs/heads/main", sha: SHA, sourceUrl: "https://github.com/org/fleet" },
    },
    {
      name: "ref name and type only",
      env: { GITHUB_REF_NAME: "v1.0.0", GITHUB_REF_TYPE: "tag", GITHUB_SHA: SHA },
      want: { ref: "refs/tags/v1.0.0", sha: SHA, sourceUrl: undefined },
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(contextFromGitHubEnv(c.env), c.want));
});

test("contextFromGit reads branch, tag, commit and origin from a real checkout", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-release-git-"));
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: dir,
        encoding: "utf8",
      }).trim();
    git("init", "-q", "-b", "main");
    git("remote", "add", "origin", "https://example.com/org/fleet.git");
    await writeFile(join(dir, "a.yaml"), "a: 1\n");
    git("add", ".");
    git("commit", "-q", "-m", "one");
    const sha = git("rev-parse", "HEAD");
    assert.deepEqual(await contextFromGit(dir), {
      ref: "refs/heads/main",
      sha,
      sourceUrl: "https://example.com/org/fleet.git",
    });
    git("tag", "v0.1.0");
    assert.equal((await contextFromGit(dir)).ref, "refs/tags/v0.1.0");
    await assert.rejects(contextFromGit(tmpdir()), ReleaseContextError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("release of a component whose folder is missing names the folder and the flag", async () => {
  const plan = planRelease(
    { ref: "refs/tags/nothere/v1.0.0", sha: SHA },
    { repository: "127.0.0.1:1/org/apps" },
  );
  await assert.rejects(releaseArtifact(new OciClient(), plan, { cwd: tmpdir() }), (err: unknown) => {
    assert.ok(err instanceof ReleaseContextError);
    assert.match(err.message, /components\/nothere does not exist.*--components-dir/);
    return true;
  });
});
