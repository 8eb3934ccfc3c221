import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OciClient } from "./client.ts";
import { sha256Digest } from "./digest.ts";
import {
  type Descriptor,
  emptyConfig,
  type ImageIndex,
  type ImageManifest,
  MediaTypes,
} from "./media-types.ts";
import { fallbackTag } from "./referrers.ts";
import { fakeServer, type SharedRegistries, sharedRegistries, uniqueRepo } from "./testing.ts";

function referrer(subject: Descriptor, artifactType: string, note: string): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType,
    config: emptyConfig.descriptor,
    layers: [emptyConfig.descriptor],
    subject,
    annotations: { note },
  };
}

describe("referrers on the real registry (no referrers API: tag-schema fallback)", () => {
  let regs: SharedRegistries;
  const client = new OciClient();
  before(async () => {
    regs = await sharedRegistries();
  });
  after(async () => regs.stop());

  it("pushes referrers into the fallback index and lists them, filtered by artifact type", async () => {
    const repo = `${regs.open}/${uniqueRepo("referrers")}`;
    await client.pushBlob(repo, emptyConfig.bytes);
    const subjectManifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: emptyConfig.descriptor,
      layers: [],
    };
    const s = await client.putManifest(`${repo}:v1`, subjectManifest);
    const subject: Descriptor = { mediaType: s.mediaType, digest: s.digest, size: s.size };

    assert.deepEqual(await client.listReferrers(repo, s.digest), { referrers: [], via: "tag" });

    const sig = await client.pushReferrer(
      repo,
      referrer(subject, "application/vnd.dev.sigstore.bundle.v0.3+json", "sig"),
    );
    assert.equal(sig.via, "tag");
    const sbom = await client.pushReferrer(repo, referrer(subject, "application/spdx+json", "sbom"));
    // Pushing the same referrer again does not duplicate it.
    await client.pushReferrer(repo, referrer(subject, "application/spdx+json", "sbom"));

    const all = await client.listReferrers(repo, s.digest);
    assert.equal(all.via, "tag");
    assert.deepEqual(
      all.referrers.map((d) => [d.digest, d.artifactType, d.annotations?.note]),
      [
        [sig.digest, "application/vnd.dev.sigstore.bundle.v0.3+json", "sig"],
        [sbom.digest, "application/spdx+json", "sbom"],
      ],
    );
    const only = await client.listReferrers(repo, s.digest, { artifactType: "application/spdx+json" });
    assert.deepEqual(
      only.referrers.map((d) => d.digest),
      [sbom.digest],
    );
    const index = await client.getManifest(`${repo}:${fallbackTag(s.digest)}`);
    assert.equal(index.mediaType, MediaTypes.ociIndex);
    // The referrer manifests themselves are stored and readable by digest.
    assert.deepEqual((await client.getManifest(`${repo}@${sig.digest}`)).manifest.subject, subject);
  });
});

describe("referrers API (fake server: a registry that has it)", () => {
  it("lists through the API, filters client-side when the server did not, and pushes without a fallback tag", async () => {
    const subject = sha256Digest(new TextEncoder().encode("subject"));
    const listed: Descriptor[] = [
      {
        mediaType: MediaTypes.ociManifest,
        digest: sha256Digest(new Uint8Array([1])),
        size: 1,
        artifactType: "a/sig",
      },
      {
        mediaType: MediaTypes.ociManifest,
        digest: sha256Digest(new Uint8Array([2])),
        size: 2,
        artifactType: "a/sbom",
      },
    ];
    const requests: string[] = [];
    const srv = await fakeServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith(`/v2/r/referrers/${subject}`)) {
        const index: ImageIndex = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: listed };
        res.writeHead(200, { "Content-Type": MediaTypes.ociIndex });
        res.end(JSON.stringify(index));
        return;
      }
      if (req.method === "PUT" && req.url?.startsWith("/v2/r/manifests/sha256:")) {
        res.writeHead(201, { "OCI-Subject": subject });
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    });
    try {
      const client = new OciClient();
      const all = await client.listReferrers(`${srv.host}/r`, subject);
      assert.deepEqual(all, { referrers: listed, via: "api" });
      const filtered = await client.listReferrers(`${srv.host}/r`, subject, { artifactType: "a/sbom" });
      assert.deepEqual(filtered.referrers, [listed[1]]);
      assert.ok(requests.includes(`GET /v2/r/referrers/${subject}?artifactType=a%2Fsbom`));

      requests.length = 0;
      const pushed = await client.pushReferrer(
        `${srv.host}/r`,
        referrer({ mediaType: MediaTypes.ociManifest, digest: subject, size: 7 }, "a/sig", "x"),
      );
      assert.equal(pushed.via, "api");
      assert.equal(pushed.subjectRecorded, true);
      assert.deepEqual(requests, [`PUT /v2/r/manifests/${pushed.digest}`]);
    } finally {
      await srv.close();
    }
  });
});
