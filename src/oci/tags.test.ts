import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OciClient } from "./client.ts";
import { NotFoundError, RegistryError } from "./errors.ts";
import { MediaTypes } from "./media-types.ts";
import { nextLink } from "./tags.ts";
import { fakeServer, type SharedRegistries, sharedRegistries, uniqueRepo } from "./testing.ts";

describe("nextLink", () => {
  const cases: Array<[string | null, string | undefined]> = [
    ['</v2/a/tags/list?last=b&n=2>; rel="next"', "/v2/a/tags/list?last=b&n=2"],
    ["<https://r.io/v2/a/tags/list?n=2&last=b>; rel=next", "https://r.io/v2/a/tags/list?n=2&last=b"],
    ['</x>; rel="prev", </y>; rel="next"', "/y"],
    ['</x>; rel="prev"', undefined],
    [null, undefined],
  ];
  for (const [header, want] of cases) it(String(header), () => assert.equal(nextLink(header), want));
});

describe("tags on the real registry", () => {
  let regs: SharedRegistries;
  before(async () => {
    regs = await sharedRegistries();
  });
  after(async () => regs.stop());

  it("lists every tag, also when asked for pages of 2", async () => {
    const client = new OciClient();
    const repo = `${regs.open}/${uniqueRepo("tags")}`;
    const index = { schemaVersion: 2 as const, mediaType: MediaTypes.ociIndex, manifests: [] };
    const tags = ["v1.0.0", "v1.1.0", "v2.0.0", "latest", "main-abc12345"];
    for (const t of tags) await client.putManifest(`${repo}:${t}`, index);
    // Distribution 2.8 ignores `n` on tags/list (pagination arrived in 3.0): one page comes back either way.
    assert.deepEqual((await client.listTags(repo, { pageSize: 2 })).sort(), [...tags].sort());
    assert.deepEqual((await client.listTags(repo)).sort(), [...tags].sort());
  });

  it("moves a tag to another manifest, reporting where it pointed before", async () => {
    const client = new OciClient();
    const repo = `${regs.open}/${uniqueRepo("retag")}`;
    const v1 = await client.putManifest(`${repo}:v1.0.0`, {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [],
      annotations: { v: "1" },
    });
    const v2 = await client.putManifest(`${repo}:v2.0.0`, {
      schemaVersion: 2,
      mediaType: MediaTypes.ociIndex,
      manifests: [],
      annotations: { v: "2" },
    });
    assert.deepEqual(await client.tag(`${repo}:v1.0.0`, "latest-stable"), {
      digest: v1.digest,
      mediaType: MediaTypes.ociIndex,
      previous: undefined,
      tag: "latest-stable",
    });
    const moved = await client.tag(`${repo}:v2.0.0`, "latest-stable");
    assert.equal(moved.previous, v1.digest);
    assert.equal(moved.digest, v2.digest);
    assert.equal(await client.resolve(`${repo}:latest-stable`), v2.digest);
    const again = await client.tag(`${repo}@${v2.digest}`, "latest-stable");
    assert.equal(again.previous, again.digest);
  });

  it("reports a repository that does not exist", async () => {
    const repo = `${regs.open}/${uniqueRepo("norepo")}`;
    await assert.rejects(new OciClient().listTags(repo), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.kind, "repository");
      return true;
    });
  });
});

describe("tag pagination (fake server: registries that page with n= and Link)", () => {
  it("follows Link headers until the last page", async () => {
    const all = ["a", "b", "c", "d", "e"];
    const seen: string[] = [];
    const srv = await fakeServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      seen.push(url.search);
      const n = Number(url.searchParams.get("n") ?? 100);
      const last = url.searchParams.get("last");
      const start = last ? all.indexOf(last) + 1 : 0;
      const page = all.slice(start, start + n);
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (start + n < all.length) headers.Link = `</v2/p/q/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"`;
      res.writeHead(200, headers);
      res.end(JSON.stringify({ name: "p/q", tags: page }));
    });
    try {
      assert.deepEqual(await new OciClient().listTags(`${srv.host}/p/q`, { pageSize: 2 }), all);
      assert.deepEqual(seen, ["?n=2", "?n=2&last=b", "?n=2&last=d"]);
    } finally {
      await srv.close();
    }
  });

  it("fails clearly when a proxy answers with HTML instead of JSON", async () => {
    const srv = await fakeServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<html>login page</html>");
    });
    try {
      await assert.rejects(new OciClient().listTags(`${srv.host}/p/q`), (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.match(err.message, /list tags of .*p\/q failed .* INVALID_JSON/);
        return true;
      });
    } finally {
      await srv.close();
    }
  });
});
