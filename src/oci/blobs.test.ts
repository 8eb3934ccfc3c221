import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startRegistry, type TestRegistry } from "../dev/registry.ts";
import { OciClient } from "./client.ts";
import { staticCredentials } from "./credentials.ts";
import { sha256Digest } from "./digest.ts";
import { ContentTooLargeError, DigestMismatchError, NotFoundError } from "./errors.ts";
import { fakeServer, type SharedRegistries, sharedRegistries, uniqueRepo } from "./testing.ts";

describe("blobs on the real registry", () => {
  let regs: SharedRegistries;
  let dir: string;
  // Small thresholds so the chunked path runs on small data.
  const client = new OciClient({ chunkThreshold: 64 * 1024, chunkSize: 16 * 1024 });
  before(async () => {
    regs = await sharedRegistries();
    dir = await mkdtemp(join(tmpdir(), "ferry-blobs-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await regs.stop();
  });

  const sizes: Array<[string, number, number]> = [
    ["empty blob, monolithic", 0, 0],
    ["small blob, monolithic", 1000, 0],
    ["at the threshold, monolithic", 64 * 1024, 0],
    ["over the threshold, chunked", 100 * 1024 + 7, 7],
  ];
  for (const [name, size, chunks] of sizes) {
    it(`pushes and reads back: ${name}`, async () => {
      const repo = `${regs.open}/${uniqueRepo("blob")}`;
      const data = randomBytes(size);
      const pushed = await client.pushBlob(repo, data);
      assert.deepEqual(pushed, { digest: sha256Digest(data), size, action: "uploaded", chunks });
      assert.deepEqual(await client.headBlob(repo, pushed.digest), { size });
      assert.deepEqual(Buffer.from(await client.getBlob(repo, pushed.digest)), data);
      const again = await client.pushBlob(repo, data);
      assert.equal(again.action, "exists");
    });
  }

  it("uploads a file in chunks and downloads it to a file", async () => {
    const repo = `${regs.open}/${uniqueRepo("file")}`;
    const data = randomBytes(200 * 1024);
    const src = join(dir, "src.bin");
    await writeFile(src, data);
    const pushed = await client.pushBlob(repo, { path: src });
    assert.equal(pushed.action, "uploaded");
    assert.equal(pushed.chunks, Math.ceil(data.length / (16 * 1024)));
    const dest = join(dir, "dest.bin");
    const got = await client.downloadBlob(repo, pushed.digest, dest);
    assert.deepEqual(got, { digest: sha256Digest(data), size: data.length });
    assert.deepEqual(await readFile(dest), data);
  });

  it("uploads a file monolithically when forced", async () => {
    const repo = `${regs.open}/${uniqueRepo("mono")}`;
    const data = randomBytes(100 * 1024);
    const src = join(dir, "mono.bin");
    await writeFile(src, data);
    const pushed = await client.pushBlob(repo, { path: src }, { chunked: false });
    assert.equal(pushed.chunks, 0);
    assert.deepEqual(Buffer.from(await client.getBlob(repo, pushed.digest)), data);
  });

  it("mounts a blob from another repository of the same registry", async () => {
    const from = uniqueRepo("mount-from");
    const to = uniqueRepo("mount-to");
    const data = randomBytes(512);
    await client.pushBlob(`${regs.open}/${from}`, data);
    const res = await client.pushBlob(`${regs.open}/${to}`, data, { mountFrom: from });
    assert.equal(res.action, "mounted");
    assert.deepEqual(Buffer.from(await client.getBlob(`${regs.open}/${to}`, res.digest)), data);
  });

  it("refuses a digest that does not match the bytes before sending anything", async () => {
    const repo = `${regs.open}/${uniqueRepo("baddigest")}`;
    await assert.rejects(
      client.pushBlob(repo, new Uint8Array([1]), { digest: sha256Digest(new Uint8Array([2])) }),
      DigestMismatchError,
    );
  });

  it("reports a missing blob as NotFoundError naming it", async () => {
    const repo = `${regs.open}/${uniqueRepo("missing")}`;
    const digest = sha256Digest(randomBytes(8));
    assert.equal(await client.headBlob(repo, digest), undefined);
    await assert.rejects(client.getBlob(repo, digest), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.kind, "blob");
      assert.match(
        err.message,
        new RegExp(`blob ${regs.open}/ferry-test/missing-[0-9a-f]+@${digest} not found`),
      );
      return true;
    });
  });

  it("enforces the size cap on download and leaves no file", async () => {
    const repo = `${regs.open}/${uniqueRepo("cap")}`;
    const data = randomBytes(4096);
    const { digest } = await client.pushBlob(repo, data);
    const dest = join(dir, "capped.bin");
    await assert.rejects(client.downloadBlob(repo, digest, dest, { maxBytes: 1000 }), ContentTooLargeError);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.includes("capped")),
      [],
    );
  });
});

describe("corrupted blob in the registry's storage", () => {
  let reg: TestRegistry;
  let dir: string;
  before(async () => {
    reg = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), "ferry-corrupt-"));
  });
  after(async () => {
    await reg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("fails with DigestMismatchError, discards the bytes and leaves no file", async () => {
    const client = new OciClient();
    const repo = `${reg.host}/${uniqueRepo("corrupt")}`;
    const data = randomBytes(10_000);
    const { digest } = await client.pushBlob(repo, data);
    const hex = digest.slice("sha256:".length);
    const stored = join(reg.storageDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
    await writeFile(stored, randomBytes(data.length));

    const dest = join(dir, "artifact.tgz");
    await assert.rejects(client.downloadBlob(repo, digest, dest), (err: unknown) => {
      assert.ok(err instanceof DigestMismatchError);
      assert.equal(err.expected, digest);
      assert.notEqual(err.actual, digest);
      assert.match(err.message, /discarded/);
      return true;
    });
    assert.deepEqual(await readdir(dir), []);
    await assert.rejects(client.getBlob(repo, digest), DigestMismatchError);

    const { stream } = await client.openBlob(repo, digest);
    await assert.rejects(async () => {
      for await (const _ of stream) {
        // consume
      }
    }, DigestMismatchError);
  });
});

describe("blob redirects (fake: a registry that serves blobs from separate storage)", () => {
  it("follows the redirect, verifies the bytes, and does not send the registry credentials to the storage", async () => {
    const data = randomBytes(1000);
    const digest = sha256Digest(data);
    const storageAuth: Array<string | undefined> = [];
    const storage = await fakeServer((req, res) => {
      storageAuth.push(req.headers.authorization);
      res.writeHead(200, { "Content-Length": String(data.length) });
      res.end(data);
    });
    const registry = await fakeServer((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="r"' });
        res.end();
        return;
      }
      res.writeHead(307, { Location: `${storage.url}/blobs/${digest}?signature=abc` });
      res.end();
    });
    try {
      const client = new OciClient({ credentials: staticCredentials("u:secret") });
      assert.deepEqual(Buffer.from(await client.getBlob(`${registry.host}/r`, digest)), data);
      assert.deepEqual(storageAuth, [undefined]);
    } finally {
      await registry.close();
      await storage.close();
    }
  });
});

describe("interrupted download (fake: the connection drops mid-body)", () => {
  it("starts over, verifies, and leaves only the finished file", async () => {
    const data = randomBytes(256 * 1024);
    const digest = sha256Digest(data);
    let calls = 0;
    const srv = await fakeServer((req, res) => {
      calls++;
      res.writeHead(200, { "Content-Length": String(data.length) });
      if (calls === 1) {
        res.write(data.subarray(0, 1000), () => req.socket.destroy());
        return;
      }
      res.end(data);
    });
    const dir = await mkdtemp(join(tmpdir(), "ferry-resume-"));
    try {
      const client = new OciClient({ retry: { baseDelayMs: 1, maxDelayMs: 10 } });
      const dest = join(dir, "blob.bin");
      assert.deepEqual(await client.downloadBlob(`${srv.host}/r`, digest, dest), {
        digest,
        size: data.length,
      });
      assert.equal(calls, 2);
      assert.deepEqual(await readFile(dest), data);
      assert.deepEqual(await readdir(dir), ["blob.bin"]);
    } finally {
      await srv.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
