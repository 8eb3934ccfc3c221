/**
 * `ferry push|pull|tag artifact`, `ferry list artifacts`, `ferry diff artifact`: the Flux artifact
 * commands, with flux's flag names. Parses flags, calls src/publish, prints.
 */
import type { Command } from "commander";
import { UsageError } from "../../errors/index.ts";
import { parseReference } from "../../oci/index.ts";
import { type CliContext, write } from "../context.ts";

import { collect, outputFormat, parseAnnotations, parseIgnorePaths, positiveInt } from "./publish-flags.ts";
import {
  abs,
  addPublishSigningOptions,
  addRegistryOptions,
  describeSignResult,
  type PublishSignFlags,
  publishSignerFromFlags,
  type RegistryFlags,
  registryClient,
} from "./sign-flags.ts";

/** The publish library, loaded when a publish command runs (other commands do not pay for it). */
const lib = () => import("../../publish/index.ts");

interface PushFlags extends RegistryFlags, PublishSignFlags {
  path: string;
  source: string;
  revision: string;
  diffTag?: string;
  annotations?: string[];
  ignorePaths?: string[];
  sourceignore: boolean;
  reproducible?: boolean;
  force?: boolean;
  output?: string;
}

async function runPush(ctx: CliContext, url: string, f: PushFlags): Promise<void> {
  const format = outputFormat(f.output);
  const target = parseReference(url);
  if (!target.tag || target.digest) throw new UsageError(`push needs oci://host/repo:TAG, got "${url}"`);
  // Resolved before the push: a bad key or a missing token fails before anything is uploaded.
  const sign = await publishSignerFromFlags(ctx, f);
  const client = registryClient(ctx, f);
  const res = await (await lib()).pushArtifact(client, target, {
    path: abs(ctx, f.path),
    source: f.source,
    revision: f.revision,
    annotations: parseAnnotations(f.annotations),
    ignorePaths: parseIgnorePaths(f.ignorePaths),
    sourceIgnore: f.sourceignore,
    reproducible: f.reproducible,
    diffTag: f.diffTag,
    force: f.force,
    signal: ctx.signal,
  });
  const signed =
    sign && res.pushed
      ? await sign(client, { registry: target.registry, repository: target.repository, digest: res.digest })
      : undefined;
  if (signed && format !== "json") write(ctx.stderr, describeSignResult(signed));
  if (format === "json") {
    write(
      ctx.stdout,
      JSON.stringify(
        {
          url: `oci://${res.url}`,
          repository: res.repository,
          tag: res.tag,
          digest: res.digest,
          pushed: res.pushed,
          outcome: res.outcome,
          ...(signed ? { signature: { format: signed.format, manifest: signed.signatureManifest } } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  if (res.outcome === "unchanged")
    write(ctx.stderr, `content equals ${res.repository}:${f.diffTag}, nothing pushed`);
  if (res.outcome === "exists")
    write(ctx.stderr, `${res.repository}:${res.tag} already holds this content, nothing pushed`);
  write(ctx.stdout, res.url);
}

async function runPull(
  ctx: CliContext,
  url: string,
  f: RegistryFlags & { output: string; replace?: boolean; maxBytes?: number; maxFiles?: number },
): Promise<void> {
  const ref = parseReference(url, { requireTagOrDigest: true });
  const res = await (await lib()).pullArtifact(registryClient(ctx, f), ref, {
    output: abs(ctx, f.output),
    replace: f.replace,
    maxBytes: f.maxBytes,
    maxFiles: f.maxFiles,
    signal: ctx.signal,
  });
  if (res.metadata.source) write(ctx.stderr, `source ${res.metadata.source}`);
  if (res.metadata.revision) write(ctx.stderr, `revision ${res.metadata.revision}`);
  write(ctx.stderr, `digest ${res.url}`);
  write(ctx.stdout, `extracted ${res.files} files (${res.bytes} bytes) to ${res.output}`);
}

async function runTag(
  ctx: CliContext,
  url: string,
  f: RegistryFlags & { tag: string[]; force?: boolean; output?: string },
): Promise<void> {
  const format = outputFormat(f.output);
  const ref = parseReference(url, { requireTagOrDigest: true });
  for (const t of f.tag) parseReference(`${ref.registry}/${ref.repository}:${t}`);
  const res = await (await lib()).tagArtifact(registryClient(ctx, f), ref, f.tag, {
    force: f.force,
    signal: ctx.signal,
  });
  if (format === "json") {
    write(ctx.stdout, JSON.stringify(res, null, 2));
    return;
  }
  for (const m of res.tags) {
    write(
      ctx.stdout,
      `${res.repository}:${m.tag} ${m.from ?? "(new)"} -> ${m.to}${m.moved ? "" : " (unchanged)"}`,
    );
  }
}

async function runList(
  ctx: CliContext,
  url: string,
  f: RegistryFlags & { semver?: string; filterRegex?: string; output?: string },
): Promise<void> {
  const format = outputFormat(f.output);
  const repo = parseReference(url);
  if (repo.tag || repo.digest)
    throw new UsageError(`list needs a repository without tag or digest, got "${url}"`);
  const rows = await (await lib()).listArtifacts(registryClient(ctx, f), repo, {
    semver: f.semver,
    filterRegex: f.filterRegex,
    signal: ctx.signal,
  });
  if (format === "json") {
    write(ctx.stdout, JSON.stringify(rows, null, 2));
    return;
  }
  const table = [["ARTIFACT", "DIGEST", "SOURCE", "REVISION", "CREATED"]];
  for (const r of rows) {
    table.push([
      `${repo.registry}/${repo.repository}:${r.tag}`,
      r.digest,
      r.source ?? "",
      r.revision ?? "",
      r.created ?? "",
    ]);
  }
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length))) ?? [];
  write(
    ctx.stdout,
    table
      .map((row) =>
        row
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd(),
      )
      .join("\n"),
  );
}

async function runDiff(
  ctx: CliContext,
  url: string,
  f: RegistryFlags & { path: string; ignorePaths?: string[]; sourceignore: boolean; output?: string },
): Promise<void> {
  const format = outputFormat(f.output);
  const ref = parseReference(url, { requireTagOrDigest: true });
  const res = await (await lib()).diffArtifact(registryClient(ctx, f), ref, {
    path: abs(ctx, f.path),
    ignorePaths: parseIgnorePaths(f.ignorePaths),
    sourceIgnore: f.sourceignore,
    signal: ctx.signal,
  });
  if (!res.equal) ctx.exitCode = 1;
  if (format === "json") {
    write(ctx.stdout, JSON.stringify(res, null, 2));
    return;
  }
  if (res.equal) {
    write(ctx.stdout, `no changes: ${f.path} matches ${res.repository}@${res.digest}`);
    return;
  }
  const lines = [
    ...res.added.map((p) => `added     ${p}`),
    ...res.removed.map((p) => `removed   ${p}`),
    ...res.modified.map((p) => `modified  ${p}`),
    `${res.added.length} added, ${res.removed.length} removed, ${res.modified.length} modified (local ${f.path} vs ${res.repository}@${res.digest})`,
  ];
  write(ctx.stdout, lines.join("\n"));
}

function ignoreOptions(cmd: Command): Command {
  return cmd
    .option(
      "--ignore-paths <patterns>",
      "paths to leave out, gitignore syntax, comma-separated or repeated (default: flux's list)",
      collect,
    )
    .option("--no-sourceignore", "do not read the .sourceignore file at the root of --path");
}

export function registerArtifactCommands(program: Command, ctx: CliContext): void {
  const push =
    program.commands.find((c) => c.name() === "push") ??
    program.command("push").description("push artifacts to an OCI registry");
  addPublishSigningOptions(
    addRegistryOptions(
      ignoreOptions(
        push
          .command("artifact")
          .description("pack a folder or file as a Flux artifact and push it; prints REPO@sha256:…")
          .argument("<url>", "oci://host/repo:TAG")
          .requiredOption("-f, --path <path>", "folder or single file to pack")
          .requiredOption(
            "--source <url>",
            "source address, e.g. the Git URL (org.opencontainers.image.source)",
          )
          .requiredOption(
            "--revision <rev>",
            "source revision, e.g. main@sha1:<sha> (org.opencontainers.image.revision)",
          )
          .option("--diff-tag <tag>", "push nothing when the files equal the artifact at this tag")
          .option("-a, --annotations <key=value>", "extra OCI annotation (repeatable)", collect)
          .option(
            "--reproducible",
            "set created to 1970-01-01T00:00:00Z so the same content gives the same digest",
          )
          .option("--force", "overwrite an existing semver tag that holds different content")
          .option("-o, --output <format>", "text or json"),
      ),
    ),
  )
    .addHelpText(
      "after",
      '\nExamples:\n  ferry push artifact oci://ghcr.io/org/fleet:main-$(git rev-parse --short=8 HEAD) \\\n    --path . --source "$(git config --get remote.origin.url)" \\\n    --revision "main@sha1:$(git rev-parse HEAD)" --diff-tag latest --output json\n  COSIGN_PASSWORD=… ferry push artifact oci://ghcr.io/org/fleet:v1.2.3 --path . --source … --revision … --sign --key cosign.key',
    )
    .action((url: string, f: PushFlags) => runPush(ctx, url, f));

  const pull =
    program.commands.find((c) => c.name() === "pull") ??
    program.command("pull").description("pull artifacts from an OCI registry");
  addRegistryOptions(
    pull
      .command("artifact")
      .description("download a Flux artifact and extract it into a folder (atomically)")
      .argument("<url>", "oci://host/repo:TAG or oci://host/repo@sha256:…")
      .requiredOption(
        "-o, --output <dir>",
        "folder to extract into (created; must be empty unless --replace)",
      )
      .option("--replace", "replace the content of a non-empty output folder")
      .option(
        "--max-bytes <n>",
        "refuse archives that unpack to more bytes (default 1 GiB)",
        positiveInt("--max-bytes"),
      )
      .option(
        "--max-files <n>",
        "refuse archives with more entries (default 100000)",
        positiveInt("--max-files"),
      ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry pull artifact oci://ghcr.io/org/fleet:latest --output ./fleet",
    )
    .action((url: string, f: RegistryFlags & { output: string; replace?: boolean }) => runPull(ctx, url, f));

  const tag =
    program.commands.find((c) => c.name() === "tag") ?? program.command("tag").description("tag artifacts");
  addRegistryOptions(
    tag
      .command("artifact")
      .description("point more tags at an artifact")
      .argument("<url>", "oci://host/repo:TAG or oci://host/repo@sha256:…")
      .requiredOption("--tag <tag>", "tag to add or move (repeatable)", collect)
      .option("--force", "move a semver tag that points at another artifact")
      .option("-o, --output <format>", "text or json"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry tag artifact oci://ghcr.io/org/apps/frontend:v1.2.3 --tag latest-stable",
    )
    .action((url: string, f: RegistryFlags & { tag: string[]; force?: boolean; output?: string }) =>
      runTag(ctx, url, f),
    );

  const list =
    program.commands.find((c) => c.name() === "list") ??
    program.command("list").description("list artifacts");
  addRegistryOptions(
    list
      .command("artifacts")
      .description("list the tags of a repository with digest, source, revision and created")
      .argument("<url>", "oci://host/repo")
      .option("--semver <range>", "only tags satisfying this semver range (highest first)")
      .option("--filter-regex <re>", "only tags matching this regular expression")
      .option("-o, --output <format>", "text or json"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  ferry list artifacts oci://ghcr.io/org/apps/frontend --semver '>=1.0.0'\n  ferry list artifacts oci://ghcr.io/org/fleet --filter-regex '^main-'",
    )
    .action((url: string, f: RegistryFlags & { semver?: string; filterRegex?: string; output?: string }) =>
      runList(ctx, url, f),
    );

  const diff =
    program.commands.find((c) => c.name() === "diff") ??
    program.command("diff").description("compare with artifacts");
  addRegistryOptions(
    ignoreOptions(
      diff
        .command("artifact")
        .description("compare a local folder with an artifact, file by file; exit 1 when they differ")
        .argument("<url>", "oci://host/repo:TAG or oci://host/repo@sha256:…")
        .requiredOption("-f, --path <path>", "local folder or file")
        .option("-o, --output <format>", "text or json"),
    ),
  )
    .addHelpText("after", "\nExamples:\n  ferry diff artifact oci://ghcr.io/org/fleet:latest --path .")
    .action(
      (
        url: string,
        f: RegistryFlags & { path: string; ignorePaths?: string[]; sourceignore: boolean; output?: string },
      ) => runDiff(ctx, url, f),
    );
}
