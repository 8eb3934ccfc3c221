import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { UsageError } from "../errors/index.ts";
import { CredentialHelperError, credentialHelperGet } from "./credential-helper.ts";
import { anonymous, chainCredentials, envCredentials, staticCredentials } from "./credentials.ts";
import { dockerConfigPath, standardCredentials } from "./defaults.ts";
import { dockerConfigCredentials, normalizeAuthKey } from "./docker-config.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("credential providers", () => {
  let dir: string;
  let helperPath: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-creds-"));
    const bin = join(dir, "bin");
    await mkdir(bin);
    // A fake credential helper speaking the docker-credential protocol: host on stdin, JSON on stdout.
    await writeFile(
      join(bin, "docker-credential-test"),
      `#!/bin/sh
[ "$1" = get ] || exit 2
read -r host
case "$host" in
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"hub-user","Secret":"hub-secret"}' "$host" ;;
  helper.example.com) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$host" ;;
  token.example.com) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-123"}' "$host" ;;
  broken.example.com) echo "keychain locked" >&2; exit 3 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
    );
    await chmod(join(bin, "docker-credential-test"), 0o755);
    helperPath = `${bin}${delimiter}${process.env.PATH ?? ""}`;
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it("parses --creds user:password, keeping colons in the password", async () => {
    assert.deepEqual(await staticCredentials("bob:pa:ss").get("x.io", {}), {
      username: "bob",
      password: "pa:ss",
      source: "--creds",
    });
    assert.throws(() => staticCredentials("nopassword"), UsageError);
    assert.throws(() => staticCredentials(":pw"), /user name is missing/);
  });

  it("env credentials apply when both are set, optionally to one registry", async () => {
    assert.equal(await envCredentials({ username: undefined, password: "p" }).get("x.io", {}), undefined);
    const scoped = envCredentials({ username: "u", password: "p", registry: "a.io" });
    assert.equal(await scoped.get("b.io", {}), undefined);
    assert.equal((await scoped.get("a.io", {}))?.username, "u");
  });

  it("chain asks providers in order", async () => {
    const chain = chainCredentials(
      anonymous,
      envCredentials({ username: "env", password: "p", registry: "a.io" }),
      staticCredentials("static:p"),
    );
    assert.equal((await chain.get("a.io", {}))?.username, "env");
    assert.equal((await chain.get("b.io", {}))?.username, "static");
  });

  it("normalises auths keys", () => {
    assert.equal(normalizeAuthKey("https://index.docker.io/v1/"), "index.docker.io");
    assert.equal(normalizeAuthKey("http://LOCALHOST:5000"), "localhost:5000");
    assert.equal(normalizeAuthKey("ghcr.io"), "ghcr.io");
  });

  it("reads every form of a docker config file", async () => {
    const path = join(dir, "config.json");
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          "https://auth.example.com/v1/": { auth: b64("alice:pw:with:colons") },
          "plain.example.com": { username: "carol", password: "pw3" },
          "id.example.com": { identitytoken: "refresh-abc" },
          "https://index.docker.io/v1/": { auth: b64("hub:pw") },
          "empty.example.com": {},
        },
        credHelpers: {
          "helper.example.com": "test",
          "token.example.com": "test",
          "broken.example.com": "test",
        },
      }),
    );
    const p = dockerConfigCredentials({ path, helperPath });
    const get = (host: string) => p.get(host, {});
    assert.deepEqual(await get("auth.example.com"), {
      username: "alice",
      password: "pw:with:colons",
      source: `docker config ${path} (auths "https://auth.example.com/v1/")`,
    });
    assert.equal((await get("plain.example.com"))?.password, "pw3");
    assert.equal((await get("id.example.com"))?.identityToken, "refresh-abc");
    assert.equal((await get("docker.io"))?.username, "hub");
    assert.equal(await get("empty.example.com"), undefined);
    assert.equal(await get("other.example.com"), undefined);
    assert.deepEqual(await get("helper.example.com"), {
      username: "helper-user",
      password: "helper-secret",
      source: "credential helper docker-credential-test",
    });
    assert.deepEqual(await get("token.example.com"), {
      identityToken: "refresh-123",
      source: "credential helper docker-credential-test",
    });
    await assert.rejects(get("broken.example.com"), (err: unknown) => {
      assert.ok(err instanceof CredentialHelperError);
      assert.match(
        err.message,
        /docker-credential-test failed for registry broken\.example\.com \(exit code 3\)/,
      );
      return true;
    });
  });

  it("uses credsStore for every registry, falling back to auths when the store has nothing", async () => {
    const path = join(dir, "store.json");
    await writeFile(
      path,
      JSON.stringify({ credsStore: "test", auths: { "fallback.example.com": { auth: b64("fb:pw") } } }),
    );
    const p = dockerConfigCredentials({ path, helperPath });
    assert.equal((await p.get("helper.example.com", {}))?.username, "helper-user");
    assert.equal((await p.get("docker.io", {}))?.username, "hub-user");
    assert.equal((await p.get("fallback.example.com", {}))?.username, "fb");
    assert.equal(await p.get("nothing.example.com", {}), undefined);
  });

  it("treats a missing config as no credentials and a malformed one as an error naming the file", async () => {
    assert.equal(
      await dockerConfigCredentials({ path: join(dir, "absent.json") }).get("x.io", {}),
      undefined,
    );
    const bad = join(dir, "bad.json");
    await writeFile(bad, "{not json");
    await assert.rejects(
      dockerConfigCredentials({ path: bad }).get("x.io", {}),
      (err: unknown) => err instanceof UsageError && err.message.includes(bad),
    );
    const badAuth = join(dir, "badauth.json");
    await writeFile(badAuth, JSON.stringify({ auths: { "x.io": { auth: b64("nocolon") } } }));
    await assert.rejects(
      dockerConfigCredentials({ path: badAuth }).get("x.io", {}),
      /does not decode to user:password/,
    );
  });

  it("reports a helper that is not installed", async () => {
    await assert.rejects(credentialHelperGet("nonexistent-ferry", "x.io", { path: dir }), (err: unknown) => {
      assert.ok(err instanceof CredentialHelperError);
      assert.match(err.message, /docker-credential-nonexistent-ferry not found on PATH/);
      return true;
    });
  });

  it("standard order: --creds, then env, then docker config, then anonymous", async () => {
    const path = join(dir, "std.json");
    await writeFile(path, JSON.stringify({ auths: { "d.io": { auth: b64("docker:pw") } } }));
    const all = { creds: "flag:pw", envUser: "env", envPassword: "pw", dockerConfig: path };
    assert.equal((await standardCredentials(all).get("d.io", {}))?.source, "--creds");
    const noFlag = { ...all, creds: undefined };
    assert.equal((await standardCredentials(noFlag).get("d.io", {}))?.username, "env");
    const onlyDocker = { dockerConfig: path };
    assert.equal((await standardCredentials(onlyDocker).get("d.io", {}))?.username, "docker");
    assert.equal(await standardCredentials(onlyDocker).get("other.io", {}), undefined);
    assert.equal(await standardCredentials({}).get("d.io", {}), undefined);
  });

  it("resolves the docker config path from DOCKER_CONFIG or the home folder", () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: "/etc/dc" }, "/home/u"), "/etc/dc/config.json");
    assert.equal(dockerConfigPath({}, "/home/u"), "/home/u/.docker/config.json");
  });
});
