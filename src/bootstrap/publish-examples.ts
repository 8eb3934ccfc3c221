/**
 * Publishes Ferry's example fleet (`examples/`) to a registry as D2's CI does: the fleet artifact tagged
 * `main-<sha8>` and moved to `latest` (staging) plus `v1.0.0` moved to `latest-stable` (production); each
 * component as `components/<name>:v1.0.0` plus `latest` and `latest-stable`; every digest signed with a
 * cosign key. `examples/` is never edited: it is copied to a temp folder where the example registry host
 * (`registry.example.com/ferry`) is rewritten to the target repository prefix.
 */

import type { KeyObject } from "node:crypto";
import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OciClient, parseReference } from "../oci/index.ts";
import { pushArtifact, tagArtifact } from "../publish/index.ts";
import { signArtifact } from "../sign/index.ts";

/** The registry prefix the example files name. */
export const EXAMPLE_PREFIX = "registry.example.com/ferry";

export interface PublishExamplesOptions {
  /** `host:port/prefix` the artifacts go to, e.g. `127.0.0.1:5000/ferry`. */
  prefix: string;
  /** Cosign private key (decrypted) that signs every artifact. */
  privateKey: KeyObject;
  /** The examples folder (default: this checkout's `examples/`). */
  examplesDir?: string;
  signal: AbortSignal;
}

export interface PublishedExamples {
  /** Temp copy of `examples/` with the registry rewritten (instance files are read from here); caller removes. */
  dir: string;
  /** `host/prefix/fleet@sha256:…` per tag published. */
  artifacts: Array<{ repository: string; tags: string[]; digest: string }>;
}

export function defaultExamplesDir(): string {
  return fileURLToPath(new URL("../../examples", import.meta.url));
}

async function rewrite(dir: string, from: string, to: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.ya?ml$/.test(e.name)) continue;
    const p = join(e.parentPath, e.name);
    const text = await readFile(p, "utf8");
    if (text.includes(from)) await writeFile(p, text.split(from).join(to));
  }
}

/** sha256 over the files of a folder (sorted paths and contents), for the `main-<sha8>` tag. */
async function contentHash(dir: string): Promise<string> {
  const h = createHash("sha256");
  const files = (await readdir(dir, { withFileTypes: true, recursive: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const f of files)
    h.update(f.slice(dir.length))
      .update("\0")
      .update(await readFile(f));
  return h.digest("hex");
}

export async function publishExamples(opts: PublishExamplesOptions): Promise<PublishedExamples> {
  const { signal } = opts;
  const dir = await mkdtemp(join(tmpdir(), "ferry-examples-"));
  try {
    await cp(opts.examplesDir ?? defaultExamplesDir(), dir, { recursive: true });
    await rewrite(dir, EXAMPLE_PREFIX, opts.prefix);
    const client = new OciClient({});
    const material = { kind: "key" as const, privateKey: opts.privateKey };
    const artifacts: PublishedExamples["artifacts"] = [];
    const publish = async (path: string, repo: string, first: string, more: string[]) => {
      const ref = parseReference(`${opts.prefix}/${repo}:${first}`);
      const pushed = await pushArtifact(client, ref, {
        path,
        source: "https://github.com/ferry/examples",
        revision: `${first}@sha1:${(await contentHash(path)).slice(0, 40)}`,
        reproducible: true,
        force: true,
        signal,
      });
      const digest = pushed.digest;
      await tagArtifact(client, ref, more, { force: true, signal });
      await signArtifact({
        client,
        reference: { registry: ref.registry, repository: ref.repository, digest },
        material,
        signal,
      });
      artifacts.push({ repository: `${ref.registry}/${ref.repository}`, tags: [first, ...more], digest });
    };
    const fleet = join(dir, "fleet");
    const sha8 = (await contentHash(fleet)).slice(0, 8);
    await publish(fleet, "fleet", `main-${sha8}`, ["latest"]);
    await publish(fleet, "fleet", "v1.0.0", ["latest-stable"]);
    for (const c of (await readdir(join(dir, "components"), { withFileTypes: true })).filter((e) =>
      e.isDirectory(),
    )) {
      await publish(join(dir, "components", c.name), `components/${c.name}`, "v1.0.0", [
        "latest",
        "latest-stable",
      ]);
    }
    return { dir, artifacts };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
