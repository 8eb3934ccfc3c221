/**
 * The bearer-token flow against the real distribution registry in token-auth mode: the registry issues the
 * `WWW-Authenticate: Bearer` challenges and verifies the JWTs; the token service is the test one from
 * src/dev/token-server.ts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startRegistry, type TestRegistry } from "../dev/registry.ts";
import { startTokenServer, type TokenServer } from "../dev/token-server.ts";
import { OciClient } from "./client.ts";
import { staticCredentials } from "./credentials.ts";
import { AuthenticationError } from "./errors.ts";
import { emptyConfig, MediaTypes } from "./media-types.ts";
import { uniqueRepo } from "./testing.ts";

describe("bearer tokens on the real registry (token auth)", () => {
  let tokens: TokenServer;
  let reg: TestRegistry;
  const password = randomBytes(8).toString("hex");
  before(async () => {
    tokens = await startTokenServer({ users: { robot: password }, anonymousPull: true });
    reg = await startRegistry({ token: tokens });
  });
  after(async () => {
    await reg?.stop();
    await tokens?.stop();
  });

  it("challenges, gets scoped tokens, caches them, and pushes and pulls", async () => {
    const client = new OciClient({ credentials: staticCredentials(`robot:${password}`) });
    const name = uniqueRepo("bearer");
    const repo = `${reg.host}/${name}`;
    const data = randomBytes(3000);
    const start = tokens.issued.length;
    const { digest } = await client.pushBlob(repo, data);
    await client.pushBlob(repo, emptyConfig.bytes);
    await client.putManifest(`${repo}:v1`, {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: emptyConfig.descriptor,
      layers: [{ mediaType: "application/octet-stream", digest, size: data.length }],
    });
    assert.deepEqual(await client.listTags(repo), ["v1"]);
    assert.deepEqual(Buffer.from(await client.getBlob(repo, digest)), data);
    // One token per scope set, reused afterwards.
    assert.deepEqual(tokens.issued.slice(start), [
      [`repository:${name}:pull`],
      [`repository:${name}:pull,push`],
    ]);
  });

  it("pulls anonymously where the token service allows it, and cannot push", async () => {
    const owner = new OciClient({ credentials: staticCredentials(`robot:${password}`) });
    const repo = `${reg.host}/${uniqueRepo("anon")}`;
    const { digest } = await owner.pushBlob(repo, randomBytes(10));
    const anon = new OciClient();
    assert.equal((await anon.getBlob(repo, digest)).length, 10);
    await assert.rejects(anon.pushBlob(repo, randomBytes(10)), (err: unknown) => {
      assert.ok(err instanceof AuthenticationError);
      assert.equal(err.credentialSource, "none");
      return true;
    });
  });

  it("refuses a wrong password at the token service with a clear error", async () => {
    const client = new OciClient({ credentials: staticCredentials("robot:not-the-password") });
    await assert.rejects(client.listTags(`${reg.host}/${uniqueRepo("wrong")}`), (err: unknown) => {
      assert.ok(err instanceof AuthenticationError);
      assert.match(
        err.message,
        new RegExp(`registry ${reg.host} rejected the credentials .*token request refused`),
      );
      assert.ok(!err.message.includes("not-the-password"));
      return true;
    });
  });

  it("mounts across repositories with one token for both scopes", async () => {
    const client = new OciClient({ credentials: staticCredentials(`robot:${password}`) });
    const from = uniqueRepo("mount-src");
    const to = uniqueRepo("mount-dst");
    const data = randomBytes(500);
    await client.pushBlob(`${reg.host}/${from}`, data);
    const start = tokens.issued.length;
    const res = await client.pushBlob(`${reg.host}/${to}`, data, { mountFrom: from });
    assert.equal(res.action, "mounted");
    assert.ok(
      tokens.issued
        .slice(start)
        .some((s) => s.includes(`repository:${from}:pull`) && s.includes(`repository:${to}:pull,push`)),
    );
  });
});
