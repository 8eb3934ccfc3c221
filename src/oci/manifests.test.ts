import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { UsageError } from "../errors/index.ts";
import { OciClient } from "./client.ts";
import { sha256Digest } from "./digest.ts";
import { DigestMismatchError, NotFoundError, UnsupportedMediaTypeError } from "./errors.ts";
import { emptyConfig, type ImageIndex, type ImageManifest, isIndex, MediaTypes } from "./media-types.ts";
import { fakeServer, type SharedRegistries, sharedRegistries, uniqueRepo } from "./testing.ts";

async function artifact(client: OciClient, repo: string, content: string): Promise<ImageManifest> {
  const layer = new TextEncoder().encode(content);
  const pushed = await client.pushBlob(repo, layer);
  await client.pushBlob(repo, emptyConfig.bytes);
  return {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: "application/vnd.ferry.test",
    config: emptyConfig.descriptor,
    layers: [{ mediaType: "application/vnd.ferry.test.layer", digest: pushed.digest, size: pushed.size }],
    annotations: { "org.opencontainers.image.revision": content },
  };
}

describe("manifests on the real registry", () => {
  let regs: SharedRegistries;
  const client = new OciClient();
  before(async () => {
    regs = await sharedRegistries();
  });
  after(async () => regs.stop());

  it("puts an OCI manifest by tag, gets, heads and resolves it", async () => {
    const repo = `${regs.open}/${uniqueRepo("manifest")}`;
    const m = await artifact(client, repo, "one");
    const put = await client.putManifest(`${repo}:v1`, m);
    assert.equal(put.mediaType, MediaTypes.ociManifest);
    assert.equal(put.reference.tag, "v1");
    const got = await client.getManifest(`${repo}:v1`);
    assert.equal(got.digest, put.digest);
    assert.equal(got.digest, sha256Digest(got.bytes));
    assert.equal(got.mediaType, MediaTypes.ociManifest);
    assert.deepEqual(got.manifest, m);
    assert.equal(isIndex(got.manifest), false);
    assert.equal(got.reference.digest, put.digest);
    const head = await client.headManifest(`${repo}:v1`);
    assert.deepEqual(head, { digest: put.digest, mediaType: MediaTypes.ociManifest, size: put.size });
    assert.equal(await client.resolve(`${repo}:v1`), put.digest);
    const byDigest = await client.getManifest(`${repo}@${put.digest}`);
    assert.deepEqual(Buffer.from(byDigest.bytes), Buffer.from(got.bytes));
  });

  it("keeps the exact bytes it was given (digest over bytes, not re-serialised JSON)", async () => {
    const repo = `${regs.open}/${uniqueRepo("bytes")}`;
    const m = await artifact(client, repo, "bytes");
    const bytes = new TextEncoder().encode(`${JSON.stringify(m, null, 2)}\n`);
    const put = await client.putManifest(`${repo}:pretty`, bytes);
    assert.equal(put.digest, sha256Digest(bytes));
    assert.equal(await client.resolve(`${repo}:pretty`), sha256Digest(bytes));
  });

  it("puts by digest and refuses a digest that does not match", async () => {
    const repo = `${regs.open}/${uniqueRepo("bydigest")}`;
    const m = await artifact(client, repo, "two");
    const bytes = new TextEncoder().encode(JSON.stringify(m));
    const digest = sha256Digest(bytes);
    const put = await client.putManifest(`${repo}@${digest}`, bytes);
    assert.equal(put.digest, digest);
    assert.equal((await client.getManifest(`${repo}@${digest}`)).digest, digest);
    const wrong = sha256Digest(randomBytes(4));
    await assert.rejects(client.putManifest(`${repo}@${wrong}`, bytes), DigestMismatchError);
  });

  it("puts and reads an OCI index", async () => {
    const repo = `${regs.open}/${uniqueRepo("index")}`;
    const a = await client.putManifest(`${repo}:a`, await artifact(client, repo, "a"));
    const b = await client.putManifest(`${repo}:b`, await artifact(client, repo, "b"));
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [
        {
          mediaType: a.mediaType,
          digest: a.digest,
          size: a.size,
          platform: { os: "linux", architecture: "amd64" },
        },
        {
          mediaType: b.mediaType,
          digest: b.digest,
          size: b.size,
          platform: { os: "linux", architecture: "arm64" },
        },
      ],
    };
    const put = await client.putManifest(`${repo}:multi`, index);
    const got = await client.getManifest(`${repo}:multi`);
    assert.equal(got.digest, put.digest);
    assert.equal(got.mediaType, MediaTypes.ociIndex);
    assert.ok(isIndex(got.manifest));
    assert.deepEqual(
      got.manifest.manifests.map((d) => d.digest),
      [a.digest, b.digest],
    );
  });

  it("reads a Docker schema 2 manifest", async () => {
    const repo = `${regs.open}/${uniqueRepo("docker")}`;
    const config = new TextEncoder().encode(
      '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}}',
    );
    const c = await client.pushBlob(repo, config);
    const l = await client.pushBlob(repo, randomBytes(64));
    const m = {
      schemaVersion: 2 as const,
      mediaType: MediaTypes.dockerManifest,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: c.digest, size: c.size },
      layers: [
        { mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: l.digest, size: l.size },
      ],
    };
    const put = await client.putManifest(`${repo}:docker`, m);
    const got = await client.getManifest(`${repo}:docker`);
    assert.equal(got.mediaType, MediaTypes.dockerManifest);
    assert.equal(got.digest, put.digest);
  });

  it("reads a Docker manifest list", async () => {
    const repo = `${regs.open}/${uniqueRepo("dockerlist")}`;
    const config = new TextEncoder().encode(
      '{"architecture":"arm64","os":"linux","rootfs":{"type":"layers"}}',
    );
    const c = await client.pushBlob(repo, config);
    const m = await client.putManifest(`${repo}:arm64`, {
      schemaVersion: 2,
      mediaType: MediaTypes.dockerManifest,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: c.digest, size: c.size },
      layers: [],
    });
    const list = {
      schemaVersion: 2 as const,
      mediaType: MediaTypes.dockerManifestList,
      manifests: [
        {
          mediaType: m.mediaType,
          digest: m.digest,
          size: m.size,
          platform: { os: "linux", architecture: "arm64" },
        },
      ],
    };
    const put = await client.putManifest(`${repo}:multi`, list);
    const got = await client.getManifest(`${repo}:multi`);
    assert.equal(got.mediaType, MediaTypes.dockerManifestList);
    assert.equal(got.digest, put.digest);
    assert.ok(isIndex(got.manifest));
  });

  it("deletes a manifest by tag (resolving it first) and then reports the tag missing", async () => {
    const repo = `${regs.open}/${uniqueRepo("delete")}`;
    const put = await client.putManifest(`${repo}:gone`, await artifact(client, repo, "gone"));
    assert.equal(await client.deleteManifest(`${repo}:gone`), put.digest);
    await assert.rejects(client.getManifest(`${repo}:gone`), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.kind, "tag");
      assert.equal(err.reference, `${repo}:gone`);
      return true;
    });
    assert.equal(await client.manifestExists(`${repo}@${put.digest}`), undefined);
    await assert.rejects(client.deleteManifest(`${repo}@${put.digest}`), NotFoundError);
  });

  it("names the missing tag", async () => {
    const repo = `${regs.open}/${uniqueRepo("nosuch")}`;
    await assert.rejects(client.getManifest(`${repo}:v9.9.9`), /tag .*nosuch-[0-9a-f]+:v9\.9\.9 not found/);
    await assert.rejects(client.headManifest(`${repo}:v9.9.9`), NotFoundError);
  });
});

describe("manifest integrity (fake server: a registry that serves other bytes)", () => {
  it("fails with DigestMismatchError when the bytes do not hash to the requested digest", async () => {
    const real = new TextEncoder().encode(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
    );
    const served = new TextEncoder().encode(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[ ]}',
    );
    const srv = await fakeServer((_req, res) => {
      res.writeHead(200, {
        "Content-Type": MediaTypes.ociIndex,
        "Docker-Content-Digest": sha256Digest(real),
      });
      res.end(served);
    });
    try {
      const client = new OciClient();
      await assert.rejects(client.getManifest(`${srv.host}/x@${sha256Digest(real)}`), DigestMismatchError);
      await assert.rejects(client.getManifest(`${srv.host}/x:tag`), DigestMismatchError);
    } finally {
      await srv.close();
    }
  });

  it("refuses a manifest of a media type it did not ask for (Docker schema 1)", async () => {
    const body = new TextEncoder().encode('{"schemaVersion":1,"name":"x","tag":"old","fsLayers":[]}');
    const srv = await fakeServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/vnd.docker.distribution.manifest.v1+prettyjws" });
      res.end(body);
    });
    try {
      await assert.rejects(new OciClient().getManifest(`${srv.host}/x:old`), (err: unknown) => {
        assert.ok(err instanceof UnsupportedMediaTypeError);
        assert.equal(err.mediaType, "application/vnd.docker.distribution.manifest.v1+prettyjws");
        return true;
      });
    } finally {
      await srv.close();
    }
  });

  it("verifies sha512 digests and refuses algorithms it cannot verify", async () => {
    const body = new TextEncoder().encode(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
    );
    const sha512 = `sha512:${createHash("sha512").update(body).digest("hex")}`;
    const srv = await fakeServer((_req, res) => {
      res.writeHead(200, { "Content-Type": MediaTypes.ociIndex });
      res.end(body);
    });
    try {
      const client = new OciClient();
      assert.equal((await client.getManifest(`${srv.host}/x@${sha512}`)).digest, sha512);
      const other = `sha512:${"0".repeat(128)}`;
      await assert.rejects(client.getManifest(`${srv.host}/x@${other}`), DigestMismatchError);
      await assert.rejects(client.getManifest(`${srv.host}/x@blake3:${"0".repeat(64)}`), (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, /algorithm "blake3", which cannot be verified/);
        return true;
      });
    } finally {
      await srv.close();
    }
  });
});
