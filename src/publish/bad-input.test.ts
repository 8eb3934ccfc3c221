import assert from "node:assert/strict";
import { access, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gzipSync } from "node:zlib";
import { type Header, pack } from "tar-stream";
import {
  ArchiveTooLargeError,
  artifactAnnotations,
  configBlob,
  configDescriptor,
  FLUX_CONFIG_BLOB_DIGEST,
  layerDescriptor,
  manifestBytes,
  UnsafeArchiveEntryError,
} from "../artifact/index.ts";
import { freePort, startRegistry, type TestRegistry } from "../dev/registry.ts";
import {
  AuthenticationError,
  DigestMismatchError,
  NotFoundError,
  OciClient,
  parseReference,
  RegistryUnreachableError,
  sha256Digest,
  staticCredentials,
} from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import { findTagDigest, pullArtifact, pushArtifact } from "./index.ts";

let regs: SharedRegistries;
let own: TestRegistry;
const dirs: string[] = [];
const meta = { source: "https://example.com/org/fleet", revision: "main@sha1:0123" };

before(async () => {
  regs = await sharedRegistries();
  own = await startRegistry();
});
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  await own.stop();
  await regs.stop();
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ferry-publish-bad-"));
  dirs.push(d);
  return d;
}

async function source(): Promise<string> {
  const d = await tempDir();
  await writeFile(join(d, "a.yaml"), "a: 1\n");
  return d;
}

/** Asserts `parent` holds nothing: no output folder, no temporary leftovers. */
async function assertEmpty(parent: string): Promise<void> {
  assert.deepEqual(await readdir(parent), []);
}

async function craftLayer(
  entries: Array<{ header: Partial<Header> & { name: string }; body?: string }>,
): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    await new Promise<void>((res, rej) => p.entry(e.header, e.body ?? "", (err) => (err ? rej(err) : res())));
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** Pushes a hand-made layer as a Flux artifact, bypassing Ferry's builder. */
async function pushRawLayer(client: OciClient, ref: string, layer: Buffer): Promise<void> {
  const r = parseReference(ref);
  const digest = sha256Digest(layer);
  await client.pushBlob(r, layer, { digest });
  await client.pushBlob(r, configBlob(), { digest: FLUX_CONFIG_BLOB_DIGEST });
  const ann = artifactAnnotations({ created: "2026-01-01T00:00:00Z", ...meta });
  await client.putManifest(
    r,
    manifestBytes(
      configDescriptor(configBlob(), FLUX_CONFIG_BLOB_DIGEST),
      layerDescriptor(layer.length, digest),
      ann,
    ),
  );
}

test("unreachable registry", async () => {
  const port = await freePort();
  const client = new OciClient({ retry: { maxAttempts: 1 } });
  const parent = await tempDir();
  await assert.rejects(
    pullArtifact(client, parseReference(`127.0.0.1:${port}/x/y:v1`), { output: join(parent, "out") }),
    (err: unknown) => err instanceof RegistryUnreachableError && err.message.includes(`127.0.0.1:${port}`),
  );
  await assert.rejects(
    pushArtifact(client, parseReference(`127.0.0.1:${port}/x/y:v1`), { path: await source(), ...meta }),
    RegistryUnreachableError,
  );
  await assertEmpty(parent);
});

test("wrong password is an AuthenticationError that names the credential source, not the secret", async () => {
  const wrong = new OciClient({ credentials: staticCredentials(`${regs.user}:not-the-password`) });
  const ref = parseReference(`${regs.auth}/${uniqueRepo("badauth")}:v1.0.0`);
  await assert.rejects(pushArtifact(wrong, ref, { path: await source(), ...meta }), (err: unknown) => {
    assert.ok(err instanceof AuthenticationError);
    assert.match(err.message, /--creds/);
    assert.ok(!err.message.includes("not-the-password"));
    return true;
  });
  const right = new OciClient({ credentials: staticCredentials(`${regs.user}:${regs.password}`) });
  assert.equal(await findTagDigest(right, ref, "v1.0.0"), undefined, "nothing was tagged");
  const ok = await pushArtifact(right, ref, { path: await source(), ...meta });
  assert.equal(ok.pushed, true);
});

test("missing tag", async () => {
  const client = new OciClient();
  const parent = await tempDir();
  const ref = parseReference(`${regs.open}/${uniqueRepo("missing")}:v0.0.0`);
  await assert.rejects(pullArtifact(client, ref, { output: join(parent, "out") }), NotFoundError);
  await assertEmpty(parent);
});

test("corrupted blob: the digest mismatch is an error and nothing is extracted", async () => {
  const client = new OciClient();
  const ref = parseReference(`${own.host}/${uniqueRepo("corrupt")}:v1`);
  const pushed = await pushArtifact(client, ref, { path: await source(), ...meta });
  const hex = pushed.layer.digest.slice("sha256:".length);
  const data = join(own.storageDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
  await access(data);
  const gz = await craftLayer([{ header: { name: "a.yaml" }, body: "evil: 1\n" }]);
  await writeFile(data, gz);
  const parent = await tempDir();
  await assert.rejects(pullArtifact(client, ref, { output: join(parent, "out") }), DigestMismatchError);
  await assertEmpty(parent);
});

test("path-traversal tarball is refused and nothing is written, inside or outside", async (t) => {
  const client = new OciClient();
  const cases = [
    {
      name: "dot-dot",
      entries: [
        { header: { name: "ok.yaml" }, body: "ok" },
        { header: { name: "../escaped.txt" }, body: "x" },
      ],
    },
    { name: "absolute", entries: [{ header: { name: "/tmp/ferry-escaped.txt" }, body: "x" }] },
    {
      name: "symlink out",
      entries: [{ header: { name: "l", type: "symlink" as const, linkname: "../../.." } }],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const ref = `${regs.open}/${uniqueRepo("traversal")}:v1`;
      await pushRawLayer(client, ref, await craftLayer(c.entries));
      const parent = await tempDir();
      await assert.rejects(
        pullArtifact(client, parseReference(ref), { output: join(parent, "sub", "out") }),
        UnsafeArchiveEntryError,
      );
      assert.deepEqual(await readdir(parent), ["sub"]);
      await assertEmpty(join(parent, "sub"));
    });
  }
});

test("oversized tarball is refused at the cap", async () => {
  const client = new OciClient();
  const src = await tempDir();
  await writeFile(join(src, "big.bin"), Buffer.alloc(2 * 1024 * 1024, 7));
  const ref = parseReference(`${regs.open}/${uniqueRepo("oversized")}:v1`);
  await pushArtifact(client, ref, { path: src, ...meta });
  const parent = await tempDir();
  await assert.rejects(
    pullArtifact(client, ref, { output: join(parent, "out"), maxBytes: 1024 * 1024 }),
    ArchiveTooLargeError,
  );
  await assertEmpty(parent);
  await assert.rejects(
    pullArtifact(client, ref, { output: join(parent, "out"), maxFiles: 0 }),
    ArchiveTooLargeError,
  );
  await assertEmpty(parent);
});
