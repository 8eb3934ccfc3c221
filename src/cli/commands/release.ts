/**
 * `ferry release`, `ferry promote`, `ferry rollback`: the D2 release flow. `release` reads the git or
 * GitHub Actions context (the only place the environment is read), plans the tags and pushes; `promote`
 * and `rollback` move a channel tag and print from which digest to which. Calls src/publish.
 */
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import { parseReference } from "../../oci/index.ts";
import type { PromoteResult, ReleasePlan } from "../../publish/index.ts";
import type { SignResult } from "../../sign/index.ts";
import { type CliContext, write } from "../context.ts";

import { collect, outputFormat, parseAnnotations, parseIgnorePaths } from "./publish-flags.ts";
import {
  addPublishSigningOptions,
  addRegistryOptions,
  describeSignResult,
  type PublishSignFlags,
  publishSignerFromFlags,
  type RegistryFlags,
  registryClient,
} from "./sign-flags.ts";
import {
  addPromoteVerifyOptions,
  type PromoteVerifyFlags,
  promoteVerifierFromFlags,
} from "./verify-flags.ts";

/** The publish library, loaded when a publish command runs (other commands do not pay for it). */
const lib = () => import("../../publish/index.ts");

interface ReleaseFlags extends RegistryFlags, PublishSignFlags {
  path: string;
  componentsDir: string;
  ref?: string;
  sha?: string;
  source?: string;
  annotations?: string[];
  ignorePaths?: string[];
  force?: boolean;
  dryRun?: boolean;
  output?: string;
}

async function runRelease(ctx: CliContext, url: string, f: ReleaseFlags): Promise<void> {
  const format = outputFormat(f.output);
  const repo = parseReference(url);
  if (repo.tag || repo.digest)
    throw new UsageError(`release needs a repository without tag or digest, got "${url}"`);
  if (Boolean(f.ref) !== Boolean(f.sha))
    throw new UsageError("--ref and --sha go together: pass both or neither");
  const gitCtx =
    f.ref && f.sha
      ? { ref: f.ref, sha: f.sha, sourceUrl: undefined }
      : ((await lib()).contextFromGitHubEnv(ctx.env) ??
        (await (await lib()).contextFromGit(ctx.cwd, ctx.signal)));
  if (f.source) gitCtx.sourceUrl = f.source;
  const plan = (await lib()).planRelease(gitCtx, {
    repository: `${repo.registry}/${repo.repository}`,
    path: f.path,
    componentsDir: f.componentsDir,
  });
  if (f.dryRun) {
    write(ctx.stdout, format === "json" ? JSON.stringify({ plan }, null, 2) : describePlan(plan));
    return;
  }
  const sign = await publishSignerFromFlags(ctx, f);
  const client = registryClient(ctx, f);
  let signed: SignResult | undefined;
  const res = await (await lib()).releaseArtifact(client, plan, {
    cwd: ctx.cwd,
    sign: sign
      ? async (pinned) => {
          signed = await sign(client, pinned);
        }
      : undefined,
    annotations: parseAnnotations(f.annotations),
    ignorePaths: parseIgnorePaths(f.ignorePaths),
    force: f.force,
    signal: ctx.signal,
  });
  if (format === "json") {
    write(
      ctx.stdout,
      JSON.stringify(
        {
          plan,
          pushed: res.push.pushed,
          digest: res.push.digest,
          url: `oci://${res.push.url}`,
          moves: res.moves,
          ...(signed ? { signature: { format: signed.format, manifest: signed.signatureManifest } } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  const lines = [
    ...(signed ? [describeSignResult(signed)] : []),
    res.push.pushed
      ? `pushed ${plan.repository}:${plan.tag} ${res.push.url}`
      : `unchanged ${plan.repository}:${plan.tag} (${res.push.outcome === "unchanged" ? `equals ${plan.diffTag}` : "already released"}) ${res.push.url}`,
    ...res.moves.map(
      (m) =>
        `moved ${plan.repository}:${m.tag} ${m.from ?? "(new)"} -> ${m.to}${m.moved ? "" : " (unchanged)"}`,
    ),
  ];
  write(ctx.stdout, lines.join("\n"));
}

function describePlan(p: ReleasePlan): string {
  return [
    `kind      ${p.kind}`,
    `path      ${p.path}`,
    `artifact  ${p.repository}:${p.tag}`,
    `moves     ${p.moves.join(", ") || "(none)"}`,
    `source    ${p.source}`,
    `revision  ${p.revision}`,
  ].join("\n");
}

function describeMove(r: PromoteResult & { previousVersion?: string | undefined }): string {
  const from = r.from ?? "(new)";
  const prev = r.previousVersion ? ` (was ${r.previousVersion})` : "";
  return `${r.repository}:${r.tag} ${from}${prev} -> ${r.to} (${r.version})${r.moved ? "" : " unchanged"}`;
}

async function runPromote(
  ctx: CliContext,
  url: string,
  f: RegistryFlags & PromoteVerifyFlags & { to: string; output?: string },
): Promise<void> {
  const format = outputFormat(f.output);
  const ref = parseReference(url);
  if (!ref.tag || ref.digest) throw new UsageError(`promote needs oci://host/repo:vX.Y.Z, got "${url}"`);
  const client = registryClient(ctx, f);
  const verify = await promoteVerifierFromFlags(ctx, f, client);
  const res = await (await lib()).promoteArtifact(client, ref, { to: f.to, signal: ctx.signal, verify });
  write(ctx.stdout, format === "json" ? JSON.stringify(res, null, 2) : describeMove(res));
}

async function runRollback(
  ctx: CliContext,
  url: string,
  f: RegistryFlags & { to?: string; tag: string; output?: string },
): Promise<void> {
  const format = outputFormat(f.output);
  const repo = parseReference(url);
  if (repo.tag || repo.digest)
    throw new UsageError(`rollback needs a repository without tag or digest, got "${url}"`);
  const res = await (await lib()).rollbackArtifact(registryClient(ctx, f), repo, {
    to: f.to,
    tag: f.tag,
    signal: ctx.signal,
  });
  write(ctx.stdout, format === "json" ? JSON.stringify(res, null, 2) : describeMove(res));
}

export function registerReleaseCommands(program: Command, ctx: CliContext): void {
  addPublishSigningOptions(
    addRegistryOptions(
      program
        .command("release")
        .description(
          "push the D2 tags for the current git ref: BRANCH-<sha8> + latest, vX.Y.Z + latest-stable, or COMPONENT/vX.Y.Z",
        )
        .argument("<url>", "oci://host/repo (components go to oci://host/repo/COMPONENT)")
        .option("-f, --path <dir>", "folder to pack for branch and vX.Y.Z releases", ".")
        .option("--components-dir <dir>", "folder with one sub-folder per component", "components")
        .option(
          "--ref <ref>",
          "git ref to release (refs/heads/B, refs/tags/vX.Y.Z); default GITHUB_REF or the local checkout",
        )
        .option("--sha <sha>", "commit SHA with --ref; default GITHUB_SHA or HEAD")
        .option(
          "--source <url>",
          "source URL; default $GITHUB_SERVER_URL/$GITHUB_REPOSITORY or the origin remote",
        )
        .option("-a, --annotations <key=value>", "extra OCI annotation (repeatable)", collect)
        .option(
          "--ignore-paths <patterns>",
          "paths to leave out, gitignore syntax (default: flux's list)",
          collect,
        )
        .option("--force", "overwrite an existing version tag that holds different content")
        .option("--dry-run", "print the plan, push nothing")
        .option("-o, --output <format>", "text or json"),
    ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  # in GitHub Actions, on a push to main or a tag v1.2.3\n  ferry release oci://ghcr.io/org/fleet\n  # component repository, tag frontend/v1.2.3 pushes components/frontend to oci://ghcr.io/org/apps/frontend\n  ferry release oci://ghcr.io/org/apps --ref refs/tags/frontend/v1.2.3 --sha $(git rev-parse HEAD) --dry-run",
    )
    .action((url: string, f: ReleaseFlags) => runRelease(ctx, url, f));

  addPromoteVerifyOptions(
    addRegistryOptions(
      program
        .command("promote")
        .description("move a channel tag to an existing version and print from which digest to which")
        .argument("<url>", "oci://host/repo:vX.Y.Z")
        .option("--to <tag>", "channel tag to move", "latest-stable")
        .option("-o, --output <format>", "text or json"),
    ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry fleet preview oci://ghcr.io/org/apps/frontend:v1.2.3 --tag latest-stable   # what it would change, per cluster, first\n  ferry promote oci://ghcr.io/org/apps/frontend:v1.2.3 --to latest-stable --verify-key cosign.pub\n  ferry promote oci://ghcr.io/org/fleet:v1.2.3 --certificate-oidc-issuer https://token.actions.githubusercontent.com \\\n    --certificate-identity-regexp '^https://github\\.com/org/fleet/\\.github/workflows/release\\.yml@refs/tags/v\\d+\\.\\d+\\.\\d+$'",
    )
    .action((url: string, f: RegistryFlags & PromoteVerifyFlags & { to: string; output?: string }) =>
      runPromote(ctx, url, f),
    );

  addRegistryOptions(
    program
      .command("rollback")
      .description("move a channel tag back to the previous version (or --to a given one)")
      .argument("<url>", "oci://host/repo")
      .option("--to <version>", "version to go back to (default: the highest below the current one)")
      .option("--tag <tag>", "channel tag to move", "latest-stable")
      .option("-o, --output <format>", "text or json"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry rollback oci://ghcr.io/org/apps/frontend\n  ferry rollback oci://ghcr.io/org/apps/frontend --to v1.2.2",
    )
    .action((url: string, f: RegistryFlags & { to?: string; tag: string; output?: string }) =>
      runRollback(ctx, url, f),
    );
}
