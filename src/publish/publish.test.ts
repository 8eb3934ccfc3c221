import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { OciClient, parseReference, type Reference } from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import { ImmutableTagError, NoPreviousVersionError, VersionNotFoundError } from "./errors.ts";
import {
  diffArtifact,
  findTagDigest,
  listArtifacts,
  planRelease,
  promoteArtifact,
  pullArtifact,
  pushArtifact,
  releaseArtifact,
  rollbackArtifact,
  tagArtifact,
} from "./index.ts";

let regs: SharedRegistries;
let client: OciClient;
const dirs: string[] = [];

before(async () => {
  regs = await sharedRegistries();
  client = new OciClient();
});
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  await regs.stop();
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ferry-publish-"));
  dirs.push(d);
  return d;
}

async function tree(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [name, body] of Object.entries(files)) {
    await mkdir(join(root, name, ".."), { recursive: true });
    await writeFile(join(root, name), body);
  }
  return root;
}

function repo(prefix: string): Reference {
  return parseReference(`${regs.open}/${uniqueRepo(prefix)}`);
}

const tagged = (r: Reference, tag: string): Reference => ({
  registry: r.registry,
  repository: r.repository,
  tag,
});
const meta = { source: "https://example.com/org/fleet", revision: "main@sha1:0123" };

test("push then pull gives the same tree and the annotations", async () => {
  const src = await tree({ "apps/a.yaml": "a: 1\n", "README.md": "# hi\n" });
  const r = repo("pushpull");
  const pushed = await pushArtifact(client, tagged(r, "v1.0.0"), {
    path: src,
    ...meta,
    annotations: { team: "platform" },
  });
  assert.equal(pushed.pushed, true);
  assert.match(pushed.url, /@sha256:[0-9a-f]{64}$/);
  const out = join(await tempDir(), "out");
  const pulled = await pullArtifact(client, tagged(r, "v1.0.0"), { output: out });
  assert.equal(pulled.digest, pushed.digest);
  assert.equal(pulled.metadata.source, meta.source);
  assert.equal(pulled.metadata.revision, meta.revision);
  assert.equal(pulled.metadata.annotations.team, "platform");
  assert.match(pulled.metadata.created ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(await readFile(join(out, "apps/a.yaml"), "utf8"), "a: 1\n");
  const byDigest = join(await tempDir(), "out");
  await pullArtifact(client, { ...r, digest: pushed.digest }, { output: byDigest });
  assert.deepEqual((await readdir(byDigest)).sort(), ["README.md", "apps"]);
});

test("reproducible pushes of the same content give the same digest", async () => {
  const src = await tree({ "a.yaml": "a\n" });
  const r = repo("repro");
  const one = await pushArtifact(client, tagged(r, "one"), { path: src, ...meta, reproducible: true });
  const two = await pushArtifact(client, tagged(r, "two"), { path: src, ...meta, reproducible: true });
  assert.equal(one.digest, two.digest);
});

test("--diff-tag skips the push when the files are unchanged", async () => {
  const src = await tree({ "a.yaml": "a\n" });
  const r = repo("difftag");
  const first = await pushArtifact(client, tagged(r, "latest"), { path: src, ...meta });
  const same = await pushArtifact(client, tagged(r, "main-00000001"), {
    path: src,
    ...meta,
    diffTag: "latest",
  });
  assert.equal(same.pushed, false);
  assert.equal(same.outcome, "unchanged");
  assert.equal(same.digest, first.digest);
  assert.equal(await findTagDigest(client, r, "main-00000001"), undefined, "nothing pushed");
  await writeFile(join(src, "b.yaml"), "b\n");
  const changed = await pushArtifact(client, tagged(r, "main-00000002"), {
    path: src,
    ...meta,
    diffTag: "latest",
  });
  assert.equal(changed.pushed, true);
  const missing = await pushArtifact(client, tagged(r, "main-00000003"), {
    path: src,
    ...meta,
    diffTag: "nope",
  });
  assert.equal(missing.pushed, true, "a missing diff tag means push");
});

test("semver tags are immutable: same content is a no-op, different content refused unless forced", async () => {
  const src = await tree({ "a.yaml": "a\n" });
  const r = repo("semver");
  const v1 = await pushArtifact(client, tagged(r, "v1.0.0"), { path: src, ...meta });
  const again = await pushArtifact(client, tagged(r, "v1.0.0"), { path: src, ...meta });
  assert.deepEqual([again.pushed, again.outcome, again.digest], [false, "exists", v1.digest]);
  await writeFile(join(src, "a.yaml"), "changed\n");
  await assert.rejects(pushArtifact(client, tagged(r, "v1.0.0"), { path: src, ...meta }), ImmutableTagError);
  assert.equal(await findTagDigest(client, r, "v1.0.0"), v1.digest);
  const forced = await pushArtifact(client, tagged(r, "v1.0.0"), { path: src, ...meta, force: true });
  assert.equal(forced.pushed, true);
  assert.equal(forced.previousDigest, v1.digest);
  // Non-semver tags move freely.
  await pushArtifact(client, tagged(r, "latest"), { path: src, ...meta });
  await writeFile(join(src, "a.yaml"), "again\n");
  assert.equal((await pushArtifact(client, tagged(r, "latest"), { path: src, ...meta })).pushed, true);
});

test("tag, list (semver range, regex) and diff", async () => {
  const r = repo("list");
  const src = await tree({ "a.yaml": "1\n" });
  const digests: Record<string, string> = {};
  for (const v of ["v1.0.0", "v1.1.0", "v2.0.0"]) {
    await writeFile(join(src, "a.yaml"), `${v}\n`);
    digests[v] = (
      await pushArtifact(client, tagged(r, v), { path: src, ...meta, revision: `${v}@sha1:abc` })
    ).digest;
  }
  const t = await tagArtifact(client, tagged(r, "v1.1.0"), ["latest-stable", "v1.1.0"]);
  assert.deepEqual(
    t.tags.map((m) => [m.tag, m.from, m.moved]),
    [
      ["latest-stable", undefined, true],
      ["v1.1.0", digests["v1.1.0"], false],
    ],
  );
  await assert.rejects(tagArtifact(client, tagged(r, "v2.0.0"), ["v1.0.0"]), ImmutableTagError);

  const all = await listArtifacts(client, r);
  assert.deepEqual(
    all.map((a) => a.tag),
    ["latest-stable", "v1.0.0", "v1.1.0", "v2.0.0"],
  );
  assert.equal(all[0]?.digest, digests["v1.1.0"]);
  assert.equal(all[3]?.revision, "v2.0.0@sha1:abc");
  assert.equal(all[3]?.source, meta.source);
  assert.deepEqual(
    (await listArtifacts(client, r, { semver: "<2.0.0" })).map((a) => a.tag),
    ["v1.1.0", "v1.0.0"],
  );
  assert.deepEqual(
    (await listArtifacts(client, r, { filterRegex: "^latest" })).map((a) => a.tag),
    ["latest-stable"],
  );

  const d = await diffArtifact(client, tagged(r, "v2.0.0"), { path: src });
  assert.equal(d.equal, true);
  await writeFile(join(src, "b.yaml"), "b\n");
  await writeFile(join(src, "a.yaml"), "edited\n");
  const d2 = await diffArtifact(client, tagged(r, "v2.0.0"), { path: src });
  assert.deepEqual([d2.equal, d2.added, d2.removed, d2.modified], [false, ["b.yaml"], [], ["a.yaml"]]);
});

test("promote and rollback move latest-stable and report from where to where", async () => {
  const r = repo("promote");
  const src = await tree({ "a.yaml": "1\n" });
  const d: Record<string, string> = {};
  for (const v of ["v1.0.0", "v1.1.0", "v1.2.0"]) {
    await writeFile(join(src, "a.yaml"), `${v}\n`);
    d[v] = (await pushArtifact(client, tagged(r, v), { path: src, ...meta })).digest;
  }
  await assert.rejects(rollbackArtifact(client, r), NoPreviousVersionError, "no latest-stable yet");
  const verified: string[] = [];
  const p = await promoteArtifact(client, tagged(r, "v1.2.0"), {
    to: "latest-stable",
    verify: async (digest) => {
      verified.push(digest);
    },
  });
  assert.deepEqual([p.from, p.to, p.moved], [undefined, d["v1.2.0"], true]);
  assert.deepEqual(verified, [d["v1.2.0"]]);
  await assert.rejects(
    promoteArtifact(client, tagged(r, "v1.2.0"), {
      to: "latest-stable",
      verify: async () => Promise.reject(new Error("unsigned")),
    }),
    /unsigned/,
  );
  await assert.rejects(
    promoteArtifact(client, tagged(r, "v9.9.9"), { to: "latest-stable" }),
    VersionNotFoundError,
  );

  const rb = await rollbackArtifact(client, r);
  assert.deepEqual(
    [rb.previousVersion, rb.version, rb.from, rb.to],
    ["v1.2.0", "v1.1.0", d["v1.2.0"], d["v1.1.0"]],
  );
  const rb2 = await rollbackArtifact(client, r);
  assert.equal(rb2.version, "v1.0.0");
  await assert.rejects(rollbackArtifact(client, r), NoPreviousVersionError, "v1.0.0 is the lowest");
  const explicit = await rollbackArtifact(client, r, { to: "v1.2.0" });
  assert.equal(await findTagDigest(client, r, "latest-stable"), d["v1.2.0"]);
  assert.equal(explicit.to, d["v1.2.0"]);
  await assert.rejects(rollbackArtifact(client, r, { to: "v0.0.1" }), VersionNotFoundError);
});

test("release pushes the D2 tags for a branch, a version and a component", async () => {
  const r = repo("release");
  const name = `${r.registry}/${r.repository}`;
  const work = await tree({ "clusters/staging.yaml": "s\n", "components/frontend/base.yaml": "f\n" });
  const sha = "89abcdef0123456789abcdef0123456789abcdef";
  const branch = planRelease(
    { ref: "refs/heads/main", sha, sourceUrl: "https://github.com/org/fleet" },
    { repository: name },
  );
  const b = await releaseArtifact(client, branch, { cwd: work });
  assert.equal(b.push.pushed, true);
  assert.equal(await findTagDigest(client, r, "main-89abcdef"), b.push.digest);
  assert.equal(await findTagDigest(client, r, "latest"), b.push.digest);
  const again = await releaseArtifact(
    client,
    planRelease({ ref: "refs/heads/main", sha: "f".repeat(40) }, { repository: name }),
    { cwd: work },
  );
  assert.equal(again.push.pushed, false, "unchanged content is not pushed again");
  assert.deepEqual(again.moves, []);

  const v = await releaseArtifact(
    client,
    planRelease({ ref: "refs/tags/v1.0.0", sha }, { repository: name }),
    { cwd: work },
  );
  assert.equal(await findTagDigest(client, r, "latest-stable"), v.push.digest);

  const comp = planRelease({ ref: "refs/tags/frontend/v0.3.0", sha }, { repository: name });
  const c = await releaseArtifact(client, comp, { cwd: work });
  const compRepo = parseReference(`${name}/frontend`);
  assert.equal(await findTagDigest(client, compRepo, "v0.3.0"), c.push.digest);
  assert.equal(await findTagDigest(client, compRepo, "latest-stable"), c.push.digest);
  const out = join(await tempDir(), "out");
  await pullArtifact(client, tagged(compRepo, "v0.3.0"), { output: out });
  assert.deepEqual(await readdir(out), ["base.yaml"]);
});

test("list shows tags that are not Flux artifacts (e.g. signature indexes) with their digest only", async () => {
  const r = repo("list-mixed");
  const src = await tree({ "a.yaml": "a\n" });
  const pushed = await pushArtifact(client, tagged(r, "v1.0.0"), { path: src, ...meta });
  const index = {
    schemaVersion: 2 as const,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: pushed.digest, size: 1 }],
  };
  const put = await client.putManifest(tagged(r, "sha256-0000"), index);
  const rows = await listArtifacts(client, r);
  assert.deepEqual(
    rows.map((x) => [x.tag, x.digest, x.revision]),
    [
      ["sha256-0000", put.digest, undefined],
      ["v1.0.0", pushed.digest, meta.revision],
    ],
  );
  assert.deepEqual(
    (await listArtifacts(client, r, { semver: "*" })).map((x) => x.tag),
    ["v1.0.0"],
  );
});

test("an aborted push or pull stops with the abort reason and leaves nothing", async () => {
  const r = repo("abort");
  const src = await tree({ "a.yaml": "a\n" });
  const ac = new AbortController();
  ac.abort(new Error("stop now"));
  await assert.rejects(
    pushArtifact(client, tagged(r, "v1.0.0"), { path: src, ...meta, signal: ac.signal }),
    /stop now|abort/i,
  );
  assert.equal(await findTagDigest(client, r, "v1.0.0"), undefined);
  await pushArtifact(client, tagged(r, "v1.0.0"), { path: src, ...meta });
  const parent = await tempDir();
  await assert.rejects(
    pullArtifact(client, tagged(r, "v1.0.0"), { output: join(parent, "out"), signal: ac.signal }),
    /stop now|abort/i,
  );
  assert.deepEqual(await readdir(parent), []);
});

test("push over a tag that holds something else than a Flux artifact", async () => {
  const r = repo("push-over-index");
  const src = await tree({ "a.yaml": "a\n" });
  const base = await pushArtifact(client, tagged(r, "base"), { path: src, ...meta });
  const index = {
    schemaVersion: 2 as const,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: base.digest, size: 1 }],
  };
  for (const t of ["v2.0.0", "latest"]) await client.putManifest(tagged(r, t), index);
  await assert.rejects(pushArtifact(client, tagged(r, "v2.0.0"), { path: src, ...meta }), ImmutableTagError);
  const over = await pushArtifact(client, tagged(r, "latest"), { path: src, ...meta });
  assert.equal(over.pushed, true);
  await client.putManifest(tagged(r, "latest"), index);
  const diffed = await pushArtifact(client, tagged(r, "main-1"), { path: src, ...meta, diffTag: "latest" });
  assert.equal(diffed.pushed, true, "an index at the diff tag counts as different");
});
