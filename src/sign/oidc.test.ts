import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SigningError } from "./errors.ts";
import { resolveIdentityToken } from "./oidc.ts";
import { testIdentityToken } from "./testing-sigstore.ts";

const jwt = testIdentityToken({ iss: "https://issuer.example", sub: "someone" });

test("an explicit token is used as is, or read from a file (relative to cwd)", async () => {
  assert.equal(await resolveIdentityToken({ identityToken: jwt }), jwt);
  const dir = await mkdtemp(join(tmpdir(), "ferry-oidc-"));
  try {
    await writeFile(join(dir, "t.jwt"), `${jwt}\n`);
    assert.equal(await resolveIdentityToken({ identityToken: "t.jwt", cwd: dir }), jwt);
    await writeFile(join(dir, "bad"), "not a token");
    await assert.rejects(resolveIdentityToken({ identityToken: "bad", cwd: dir }), /does not hold a JWT/);
    await assert.rejects(
      resolveIdentityToken({ identityToken: "missing", cwd: dir }),
      /neither a JWT nor a readable file/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("GitHub Actions: the request token goes as bearer, audience sigstore; failures say what to fix", async () => {
  let seen: { auth?: string; audience?: string | null } = {};
  let status = 200;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen = { auth: req.headers.authorization, audience: url.searchParams.get("audience") };
    res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify({ value: jwt }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
  try {
    const token = await resolveIdentityToken({ github: { requestUrl: base, requestToken: "rt-secret" } });
    assert.equal(token, jwt);
    assert.deepEqual(seen, { auth: "bearer rt-secret", audience: "sigstore" });
    status = 403;
    await assert.rejects(
      resolveIdentityToken({ github: { requestUrl: base, requestToken: "rt-secret" } }),
      (e: unknown) => {
        assert.ok(e instanceof SigningError);
        assert.match(e.message, /answered 403; give the workflow `permissions: id-token: write`/);
        assert.ok(!e.message.includes("rt-secret"));
        return true;
      },
    );
  } finally {
    server.close();
  }
});

test("no source at all names every way to provide one", async () => {
  await assert.rejects(resolveIdentityToken({}), /--identity-token .* GitHub Actions .* --key/);
});
