/**
 * One round trip — blob, manifest, tags, resolve, referrer, delete — run against the real registries with
 * every credential source, so each provider is held to the same contract.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { OciClient } from "./client.ts";
import type { CredentialProvider } from "./credentials.ts";
import { standardCredentials } from "./defaults.ts";
import { emptyConfig, type ImageManifest, MediaTypes } from "./media-types.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "./testing.ts";

describe("conformance: the same operations with every credential source", () => {
  let regs: SharedRegistries;
  let dir: string;
  before(async () => {
    regs = await sharedRegistries();
    dir = await mkdtemp(join(tmpdir(), "ferry-conformance-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await regs.stop();
  });

  const cases: Array<[string, () => Promise<{ registry: string; credentials: CredentialProvider }>]> = [
    ["anonymous, open registry", async () => ({ registry: regs.open, credentials: standardCredentials({}) })],
    [
      "--creds, htpasswd registry",
      async () => ({
        registry: regs.auth,
        credentials: standardCredentials({ creds: `${regs.user}:${regs.password}` }),
      }),
    ],
    [
      "FERRY_REGISTRY_USER/PASSWORD, htpasswd registry",
      async () => ({
        registry: regs.auth,
        credentials: standardCredentials({ envUser: regs.user, envPassword: regs.password }),
      }),
    ],
    [
      "docker config auths, htpasswd registry",
      async () => {
        const path = join(dir, `config-${randomBytes(4).toString("hex")}.json`);
        const auth = Buffer.from(`${regs.user}:${regs.password}`).toString("base64");
        await writeFile(path, JSON.stringify({ auths: { [`http://${regs.auth}`]: { auth } } }));
        return { registry: regs.auth, credentials: standardCredentials({ dockerConfig: path }) };
      },
    ],
  ];

  for (const [name, setup] of cases) {
    it(name, async () => {
      const { registry, credentials } = await setup();
      const client = new OciClient({ credentials });
      const repo = `${registry}/${uniqueRepo("conf")}`;
      const layer = randomBytes(2048);
      const l = await client.pushBlob(repo, layer);
      await client.pushBlob(repo, emptyConfig.bytes);
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        artifactType: "application/vnd.ferry.conformance",
        config: emptyConfig.descriptor,
        layers: [{ mediaType: "application/vnd.ferry.layer", digest: l.digest, size: l.size }],
      };
      const put = await client.putManifest(`${repo}:v1`, manifest);
      await client.putManifest(`${repo}:latest`, manifest);
      assert.deepEqual((await client.listTags(repo)).sort(), ["latest", "v1"]);
      assert.equal(await client.resolve(`${repo}:latest`), put.digest);
      const got = await client.getManifest(`${repo}:v1`);
      assert.deepEqual(
        Buffer.from(await client.getBlob(repo, (got.manifest as ImageManifest).layers[0]!.digest)),
        layer,
      );
      const ref = await client.pushReferrer(repo, {
        ...manifest,
        artifactType: "application/vnd.ferry.note",
        layers: [emptyConfig.descriptor],
        subject: { mediaType: put.mediaType, digest: put.digest, size: put.size },
      });
      assert.deepEqual(
        (await client.listReferrers(repo, put.digest)).referrers.map((d) => d.digest),
        [ref.digest],
      );
      await client.deleteManifest(`${repo}:v1`);
      assert.equal(await client.manifestExists(`${repo}:latest`), undefined);
    });
  }
});
