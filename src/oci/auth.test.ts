import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { mergeScopes, parseChallenge } from "./auth.ts";
import { OciClient } from "./client.ts";
import { envCredentials, staticCredentials } from "./credentials.ts";
import { AuthenticationError } from "./errors.ts";
import { fakeServer, type SharedRegistries, sharedRegistries, uniqueRepo } from "./testing.ts";

describe("parseChallenge", () => {
  const cases: Array<[string, ReturnType<typeof parseChallenge>]> = [
    [
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"',
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.example.com/token",
          service: "registry.example.com",
          scope: "repository:a/b:pull",
        },
      },
    ],
    ['Basic realm="Registry Realm"', { scheme: "basic", params: { realm: "Registry Realm" } }],
    [
      'Bearer realm="https://x/t", scope="repository:a:pull,push repository:b:pull",error="insufficient_scope"',
      {
        scheme: "bearer",
        params: {
          realm: "https://x/t",
          scope: "repository:a:pull,push repository:b:pull",
          error: "insufficient_scope",
        },
      },
    ],
    [
      "Bearer realm=https://x/t,service=x",
      { scheme: "bearer", params: { realm: "https://x/t", service: "x" } },
    ],
  ];
  for (const [header, want] of cases) {
    it(header.slice(0, 50), () => assert.deepEqual(parseChallenge(header), want));
  }
  it("returns undefined without a header", () => assert.equal(parseChallenge(null), undefined));
});

describe("mergeScopes", () => {
  it("merges actions per resource and sorts", () => {
    assert.deepEqual(mergeScopes(["repository:a:pull"], "repository:a:push repository:b:pull"), [
      "repository:a:pull,push",
      "repository:b:pull",
    ]);
  });
});

describe("basic auth on the real registry (htpasswd)", () => {
  let regs: SharedRegistries;
  before(async () => {
    regs = await sharedRegistries();
  });
  after(async () => regs.stop());

  it("pushes and reads with the right password", async () => {
    const client = new OciClient({ credentials: staticCredentials(`${regs.user}:${regs.password}`) });
    const repo = `${regs.auth}/${uniqueRepo("basic")}`;
    const data = randomBytes(100);
    const { digest } = await client.pushBlob(repo, data);
    assert.deepEqual(Buffer.from(await client.getBlob(repo, digest)), data);
  });

  it("works with env-style credentials", async () => {
    const client = new OciClient({
      credentials: envCredentials({
        username: regs.user,
        password: regs.password,
        source: "FERRY_REGISTRY_USER",
      }),
    });
    assert.deepEqual(
      await client.listTags(`${regs.auth}/${uniqueRepo("env")}`).catch((e: Error) => e.name),
      "NotFoundError",
    );
  });

  it("refuses a wrong password with a clear error that never shows the password", async () => {
    const wrong = `not-${regs.password}`;
    const client = new OciClient({ credentials: staticCredentials(`${regs.user}:${wrong}`) });
    await assert.rejects(
      client.pushBlob(`${regs.auth}/${uniqueRepo("wrong")}`, randomBytes(10)),
      (err: unknown) => {
        assert.ok(err instanceof AuthenticationError);
        assert.equal(err.status, 401);
        assert.equal(err.credentialSource, "--creds");
        assert.match(err.message, new RegExp(`registry ${regs.auth} rejected the credentials`));
        assert.match(err.message, /credentials came from --creds/);
        assert.ok(!err.message.includes(wrong));
        assert.ok(!JSON.stringify(err).includes(wrong));
        return true;
      },
    );
  });

  it("says how to log in when no credentials were given", async () => {
    await assert.rejects(
      new OciClient().getManifest(`${regs.auth}/${uniqueRepo("anon")}:x`),
      (err: unknown) => {
        assert.ok(err instanceof AuthenticationError);
        assert.match(err.message, /requires authentication/);
        assert.match(err.message, /docker login/);
        assert.match(err.message, /--creds user:password/);
        return true;
      },
    );
  });
});

interface TokenServerState {
  tokenRequests: string[][];
  issued: Map<string, string>;
}

/** A registry that answers with a Bearer challenge and a token endpoint on the same server (fake). */
async function tokenRegistry(user: string, password: string) {
  const state: TokenServerState = { tokenRequests: [], issued: new Map() };
  const srv = await fakeServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/token") {
      const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "Content-Type": "application/json" });
        res.end('{"details":"bad credentials"}');
        return;
      }
      assert.equal(url.searchParams.get("service"), "fake-registry");
      const scopes = url.searchParams.getAll("scope");
      state.tokenRequests.push(scopes);
      const token = `tok-${randomBytes(6).toString("hex")}`;
      state.issued.set(token, scopes.join(" "));
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const m = /^\/v2\/(.+)\/(tags\/list|manifests\/.+)$/.exec(url.pathname);
    const repo = m?.[1] ?? "";
    const action = req.method === "PUT" ? "pull,push" : "pull";
    const needed = `repository:${repo}:${action}`;
    const auth = req.headers.authorization ?? "";
    const granted = auth.startsWith("Bearer ") ? state.issued.get(auth.slice(7)) : undefined;
    const ok = granted
      ?.split(" ")
      .some((s) => s === needed || (action === "pull" && s === `repository:${repo}:pull,push`));
    if (!ok) {
      res.writeHead(401, {
        "WWW-Authenticate": `Bearer realm="http://${req.headers.host}/token",service="fake-registry",scope="${needed}"`,
        "Content-Type": "application/json",
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (m?.[2] === "tags/list") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ name: repo, tags: ["v1"] }));
      return;
    }
    res.writeHead(201, { "Docker-Content-Digest": "sha256:0" });
    res.end();
  });
  return { srv, state };
}

describe("bearer token flow (fake token server)", () => {
  it("gets a token for the challenged scope, caches it, and re-challenges for a new scope", async () => {
    const { srv, state } = await tokenRegistry("robot", "s3cret");
    try {
      const client = new OciClient({ credentials: staticCredentials("robot:s3cret") });
      assert.deepEqual(await client.listTags(`${srv.host}/team/app`), ["v1"]);
      assert.deepEqual(await client.listTags(`${srv.host}/team/app`), ["v1"]);
      assert.deepEqual(
        state.tokenRequests,
        [["repository:team/app:pull"]],
        "token cached for the same scope",
      );
      // A push needs a wider scope: a new token for pull,push (fetched up front, the realm is known).
      await client.putManifest(`${srv.host}/team/app:v2`, {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [],
      });
      assert.equal(state.tokenRequests.length, 2);
      assert.deepEqual(state.tokenRequests[1], ["repository:team/app:pull,push"]);
      // Another repository: another scope, another token.
      await client.listTags(`${srv.host}/team/other`);
      assert.deepEqual(state.tokenRequests[2], ["repository:team/other:pull"]);
      // The server forgets its tokens (revoked/expired early): the 401 re-challenges, one fresh token.
      state.issued.clear();
      assert.deepEqual(await client.listTags(`${srv.host}/team/app`), ["v1"]);
      assert.deepEqual(state.tokenRequests[3], ["repository:team/app:pull"]);
      assert.equal(state.tokenRequests.length, 4);
    } finally {
      await srv.close();
    }
  });

  it("fails with AuthenticationError when the token endpoint refuses the credentials", async () => {
    const { srv } = await tokenRegistry("robot", "s3cret");
    try {
      const client = new OciClient({ credentials: staticCredentials("robot:wrong-pass") });
      await assert.rejects(client.listTags(`${srv.host}/team/app`), (err: unknown) => {
        assert.ok(err instanceof AuthenticationError);
        assert.match(err.message, /token request refused/);
        assert.ok(!err.message.includes("wrong-pass"));
        return true;
      });
    } finally {
      await srv.close();
    }
  });

  it("fetches one token for many parallel requests on one scope", async () => {
    const { srv, state } = await tokenRegistry("robot", "s3cret");
    try {
      const client = new OciClient({ credentials: staticCredentials("robot:s3cret") });
      await client.listTags(`${srv.host}/team/warm`); // learn the realm
      const results = await Promise.all(
        Array.from({ length: 8 }, () => client.listTags(`${srv.host}/team/par`)),
      );
      assert.equal(results.length, 8);
      assert.equal(state.tokenRequests.filter((s) => s[0] === "repository:team/par:pull").length, 1);
    } finally {
      await srv.close();
    }
  });

  it("exchanges an identity token (refresh_token grant) from the docker config or a helper", async () => {
    const forms: URLSearchParams[] = [];
    const srv = await fakeServer((req, res, body) => {
      if (req.url === "/oauth2/token") {
        assert.equal(req.method, "POST");
        forms.push(new URLSearchParams(body.toString()));
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ access_token: "access-1", expires_in: 60 }));
        return;
      }
      if (req.headers.authorization !== "Bearer access-1") {
        res.writeHead(401, {
          "WWW-Authenticate": `Bearer realm="http://${req.headers.host}/oauth2/token",service="svc",scope="repository:a:pull"`,
        });
        res.end();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ name: "a", tags: ["t"] }));
    });
    try {
      const client = new OciClient({
        credentials: { name: "test", get: async () => ({ identityToken: "refresh-xyz", source: "test" }) },
      });
      assert.deepEqual(await client.listTags(`${srv.host}/a`), ["t"]);
      assert.equal(forms.length, 1);
      assert.equal(forms[0]!.get("grant_type"), "refresh_token");
      assert.equal(forms[0]!.get("refresh_token"), "refresh-xyz");
      assert.equal(forms[0]!.get("service"), "svc");
      assert.equal(forms[0]!.get("scope"), "repository:a:pull");
    } finally {
      await srv.close();
    }
  });
});
