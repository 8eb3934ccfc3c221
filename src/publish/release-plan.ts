/**
 * Release planning: from a git ref and commit (GitHub Actions env or the local git checkout) to the D2
 * tags to push. Pure functions plus the context readers; no registry access.
 *
 * - branch `B` at commit S: push `<B>-<S[0:8]>` and move `latest` (fleet repository);
 * - tag `vX.Y.Z`: push `vX.Y.Z` and move `latest-stable` (pre-releases move nothing);
 * - tag `COMPONENT/vX.Y.Z` (component repository): push `components/COMPONENT` to `REPO/COMPONENT` as
 *   `vX.Y.Z` and move `latest-stable`.
 */
import { execFile } from "node:child_process";
import { posix } from "node:path";
import { parseVersion } from "../semver/index.ts";
import { ReleaseContextError } from "./errors.ts";

export interface GitContext {
  /** Full ref: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/tags/frontend/v1.2.3`. */
  ref: string;
  /** Full commit SHA. */
  sha: string;
  /** Repository URL for `org.opencontainers.image.source`, when known. */
  sourceUrl?: string | undefined;
}

export interface ReleasePlan {
  kind: "branch" | "version" | "component";
  /** Folder to pack, relative to the working directory. */
  path: string;
  /** `host/repo` or `host/repo/COMPONENT` (no scheme). */
  repository: string;
  tag: string;
  /** Channel tags moved to the pushed artifact. */
  moves: string[];
  /** Tag to compare with before pushing (branch pushes skip unchanged content). */
  diffTag?: string | undefined;
  source: string;
  revision: string;
  component?: string | undefined;
}

export interface PlanOptions {
  /** Target repository, `host/repo` (an `oci://` prefix is accepted). */
  repository: string;
  /** Folder with the fleet content for branch and version releases. Default ".". */
  path?: string | undefined;
  /** Folder holding one sub-folder per component. Default "components". */
  componentsDir?: string | undefined;
}

const EXPECTED =
  "expected a branch, a tag vX.Y.Z, or a component tag COMPONENT/vX.Y.Z (e.g. v1.2.3, frontend/v1.2.3)";
const componentName = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const strictVersion = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** A branch name as a tag prefix: characters OCI tags do not allow become `-`. */
export function branchTagPrefix(branch: string): string {
  return branch.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[.-]+/, "");
}

function checkVersion(ref: string, version: string): boolean {
  if (!strictVersion.test(version) || !parseVersion(version)) {
    throw new ReleaseContextError(ref, `"${version}" is not a release version; ${EXPECTED}`);
  }
  return (parseVersion(version)?.prerelease ?? "") === "";
}

export function planRelease(ctx: GitContext, opts: PlanOptions): ReleasePlan {
  const repository = opts.repository.replace(/^oci:\/\//, "").replace(/\/+$/, "");
  const path = opts.path ?? ".";
  const source = ctx.sourceUrl ?? "";
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(ctx.sha)) {
    throw new ReleaseContextError(ctx.ref, `commit "${ctx.sha}" is not a full hexadecimal SHA`);
  }
  if (ctx.ref.startsWith("refs/heads/")) {
    const branch = ctx.ref.slice("refs/heads/".length);
    const prefix = branchTagPrefix(branch);
    if (!prefix) throw new ReleaseContextError(ctx.ref, `branch "${branch}" gives no usable tag prefix`);
    const tag = `${prefix.slice(0, 119)}-${ctx.sha.slice(0, 8)}`;
    return {
      kind: "branch",
      path,
      repository,
      tag,
      moves: ["latest"],
      diffTag: "latest",
      source,
      revision: `${branch}@sha1:${ctx.sha}`,
    };
  }
  if (!ctx.ref.startsWith("refs/tags/"))
    throw new ReleaseContextError(ctx.ref, `unsupported ref; ${EXPECTED}`);
  const name = ctx.ref.slice("refs/tags/".length);
  const parts = name.split("/");
  if (parts.length === 1) {
    const stable = checkVersion(ctx.ref, name);
    return {
      kind: "version",
      path,
      repository,
      tag: name,
      moves: stable ? ["latest-stable"] : [],
      source,
      revision: `${name}@sha1:${ctx.sha}`,
    };
  }
  const [component, version] = parts as [string, string];
  if (parts.length !== 2 || !componentName.test(component)) {
    throw new ReleaseContextError(ctx.ref, `"${name}" is not a release tag; ${EXPECTED}`);
  }
  const stable = checkVersion(ctx.ref, version);
  return {
    kind: "component",
    component,
    path: posix.join(opts.componentsDir ?? "components", component),
    repository: `${repository}/${component}`,
    tag: version,
    moves: stable ? ["latest-stable"] : [],
    source,
    revision: `${name}@sha1:${ctx.sha}`,
  };
}

/** The context GitHub Actions gives a workflow, or undefined outside Actions. */
export function contextFromGitHubEnv(
  env: Readonly<Record<string, string | undefined>>,
): GitContext | undefined {
  if (!env.GITHUB_SHA || (!env.GITHUB_REF && !env.GITHUB_REF_NAME)) return undefined;
  let ref = env.GITHUB_REF ?? "";
  if (!ref && env.GITHUB_REF_NAME) {
    ref = `${env.GITHUB_REF_TYPE === "tag" ? "refs/tags/" : "refs/heads/"}${env.GITHUB_REF_NAME}`;
  }
  const sourceUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
      : undefined;
  return { ref, sha: env.GITHUB_SHA, sourceUrl };
}

function git(args: string[], cwd: string, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, signal, encoding: "utf8" }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim()),
    );
  });
}

/**
 * The context of a local checkout: a tag pointing at HEAD wins over the branch (a release tag that
 * looks like a version first), then the current branch; the source is the `origin` remote URL.
 */
export async function contextFromGit(cwd: string, signal?: AbortSignal): Promise<GitContext> {
  const sha = await git(["rev-parse", "HEAD"], cwd, signal);
  if (!sha)
    throw new ReleaseContextError(
      "",
      `${cwd} is not a git checkout with a commit; run in your repository or set GITHUB_REF and GITHUB_SHA`,
    );
  const tags = ((await git(["tag", "--points-at", "HEAD"], cwd, signal)) ?? "").split("\n").filter(Boolean);
  const releaseTag = tags.find((t) => /(^|\/)v\d+\.\d+\.\d+/.test(t)) ?? tags[0];
  const branch = await git(["symbolic-ref", "--short", "-q", "HEAD"], cwd, signal);
  const sourceUrl = (await git(["config", "--get", "remote.origin.url"], cwd, signal)) || undefined;
  if (releaseTag) return { ref: `refs/tags/${releaseTag}`, sha, sourceUrl };
  if (branch) return { ref: `refs/heads/${branch}`, sha, sourceUrl };
  throw new ReleaseContextError(
    "HEAD",
    "HEAD is detached and has no tag; check out a branch or tag a release",
  );
}
