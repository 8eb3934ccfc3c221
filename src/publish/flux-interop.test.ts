/**
 * Interop with the real flux CLI (built from fluxcd/flux2 by scripts/tools/30-flux.sh): artifacts pushed
 * by Ferry are pulled by `flux pull artifact` with an identical tree and the reverse; the tarballs both
 * build from one tree are compared byte for byte (uncompressed) and by layer digest (compressed).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { buildTarball, diffTrees, isEmptyDiff, sourceTree } from "../artifact/index.ts";
import { toolPath } from "../dev/tools.ts";
import { OciClient, parseReference } from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import { getArtifactManifest, pullArtifact, pushArtifact } from "./index.ts";

const run = promisify(execFile);
let regs: SharedRegistries;
let flux: string;
let fluxHome: string;
const dirs: string[] = [];
const client = new OciClient();

before(async () => {
  flux = toolPath("flux");
  regs = await sharedRegistries();
  fluxHome = await tempDir();
});
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  await regs.stop();
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ferry-flux-interop-"));
  dirs.push(d);
  return d;
}

async function runFlux(...args: string[]): Promise<string> {
  // A private HOME: flux must not pick up the machine's docker or kube config.
  const { stdout } = await run(flux, args, {
    env: { PATH: process.env.PATH ?? "", HOME: fluxHome },
    maxBuffer: 16 << 20,
  });
  return stdout;
}

/** A fleet-like tree with the awkward cases: executable, empty file and folder, long and non-ASCII names. */
async function fleetTree(): Promise<string> {
  const root = await tempDir();
  const files: Record<string, string> = {
    "clusters/staging/flux-system/flux-instance.yaml":
      "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\n",
    "clusters/production/kustomization.yaml": "resources:\n  - ../../tenants\n",
    "tenants/apps.yaml": "kind: ResourceSet\n".repeat(200),
    "scripts/check.sh": "#!/bin/sh\nexit 0\n",
    "empty.txt": "",
    [`deep/${"nested-folder-name/".repeat(6)}values.yaml`]: "x: 1\n",
    "docs/résumé.md": "é\n",
  };
  for (const [name, body] of Object.entries(files)) {
    await mkdir(join(root, name, ".."), { recursive: true });
    await writeFile(join(root, name), body, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
  }
  await mkdir(join(root, "empty-dir"));
  return root;
}

async function assertSameTree(a: string, b: string): Promise<void> {
  const d = diffTrees(await sourceTree(a, { ignorePaths: [] }), await sourceTree(b, { ignorePaths: [] }));
  assert.ok(isEmptyDiff(d), `trees differ: ${JSON.stringify(d)}`);
}

test("an artifact pushed by Ferry is pulled by flux with an identical tree", async () => {
  const src = await fleetTree();
  const ref = `${regs.open}/${uniqueRepo("ferry-to-flux")}:v1.0.0`;
  const pushed = await pushArtifact(client, parseReference(ref), {
    path: src,
    source: "https://example.com/org/fleet",
    revision: "v1.0.0@sha1:0123456789abcdef0123456789abcdef01234567",
  });
  const out = await tempDir();
  await runFlux("pull", "artifact", `oci://${ref}`, "--output", out, "--insecure-registry");
  await assertSameTree(src, out);
  const listed = await runFlux(
    "list",
    "artifacts",
    `oci://${ref.slice(0, ref.lastIndexOf(":"))}`,
    "--insecure-registry",
  );
  const row = listed.split("\n").find((l) => l.startsWith(ref));
  assert.ok(row, listed);
  assert.deepEqual(
    row
      .split("\t")
      .map((c) => c.trim())
      .slice(1, 4),
    [pushed.digest, "https://example.com/org/fleet", "v1.0.0@sha1:0123456789abcdef0123456789abcdef01234567"],
  );
});

test("an artifact pushed by flux is pulled by Ferry with an identical tree", async () => {
  const src = await fleetTree();
  const ref = `${regs.open}/${uniqueRepo("flux-to-ferry")}:v1.0.0`;
  await runFlux(
    "push",
    "artifact",
    `oci://${ref}`,
    "--path",
    src,
    "--source",
    "https://example.com/org/fleet",
    "--revision",
    "v1.0.0@sha1:abc",
    "--annotations",
    "team=platform",
    "--insecure-registry",
  );
  const out = join(await tempDir(), "out");
  const pulled = await pullArtifact(client, parseReference(ref), { output: out });
  await assertSameTree(src, out);
  assert.equal(pulled.metadata.revision, "v1.0.0@sha1:abc");
  assert.equal(pulled.metadata.annotations.team, "platform");
  // The same files: Ferry's diff-tag check sees no change and pushes nothing.
  const again = await pushArtifact(client, parseReference(ref.replace(/:v1\.0\.0$/, ":main-1")), {
    path: src,
    source: "s",
    revision: "r",
    diffTag: "v1.0.0",
  });
  assert.equal(again.pushed, false);
});

test("tarballs: the uncompressed tar equals flux's byte for byte; the gzip layer digest differs", async () => {
  const src = await fleetTree();
  const work = await tempDir();
  await runFlux("build", "artifact", "--path", src, "--output", join(work, "flux.tgz"));
  const ours = await buildTarball(src, join(work, "ferry.tgz"));
  const fluxGz = await readFile(join(work, "flux.tgz"));
  const fluxTar = gunzipSync(fluxGz);
  const sha = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
  assert.equal(ours.diffId, sha(fluxTar), "uncompressed tar streams are identical");
  assert.ok(gunzipSync(await readFile(join(work, "ferry.tgz"))).equals(fluxTar));
  // Recorded in docs/publish.md: Go's compress/flate and zlib produce different deflate streams.
  assert.notEqual(
    ours.digest,
    sha(fluxGz),
    "if this ever matches, update docs/publish.md: layer digests are equal",
  );
});

test("reproducible pushes: the manifests differ only in the layer descriptor", async () => {
  const src = await fleetTree();
  const base = `${regs.open}/${uniqueRepo("repro-cmp")}`;
  const revision = "main@sha1:0123";
  await runFlux(
    "push",
    "artifact",
    `oci://${base}:flux`,
    "--path",
    src,
    "--source",
    "s",
    "--revision",
    revision,
    "--reproducible",
    "--insecure-registry",
  );
  await pushArtifact(client, parseReference(`${base}:ferry`), {
    path: src,
    source: "s",
    revision,
    reproducible: true,
  });
  const a = await getArtifactManifest(client, parseReference(`${base}:flux`));
  const b = await getArtifactManifest(client, parseReference(`${base}:ferry`));
  assert.deepEqual(b.manifest.config, a.manifest.config);
  assert.deepEqual(b.manifest.annotations, a.manifest.annotations);
  assert.equal(b.mediaType, a.mediaType);
  assert.equal(b.manifest.layers[0]?.mediaType, a.manifest.layers[0]?.mediaType);
});
