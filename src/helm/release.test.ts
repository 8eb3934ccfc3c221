/** Release records: encode/decode round trip, the Secret's shape, digests; unit tests of ignore and glob rules. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { defaultIgnoreRules } from "./ignore.ts";
import { globMatcher, pathMatch } from "./match.ts";
import {
  decodeRelease,
  encodeRelease,
  type Release,
  releaseFromSecret,
  releaseSecret,
  valuesDigest,
} from "./release.ts";

const rel: Release = {
  name: "demo",
  namespace: "apps",
  version: 3,
  info: { deleted: "0001-01-01T00:00:00Z", status: "deployed", description: "Upgrade complete" },
  chart: {
    metadata: { name: "demo", version: "1.0.0" },
    lock: null,
    templates: [],
    values: {},
    schema: null,
    files: [],
  },
  config: { a: 1 },
  manifest: "---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\n",
};

describe("release records", () => {
  it("round-trips through Helm's encoding, gzipped or not", () => {
    assert.deepEqual(decodeRelease(encodeRelease(rel)), rel);
    assert.deepEqual(decodeRelease(Buffer.from(JSON.stringify(rel)).toString("base64")), rel);
    assert.deepEqual(decodeRelease(gzipSync(JSON.stringify(rel)).toString("base64")), rel);
  });
  it("is stored in a Secret named, typed and labelled as Helm's driver does", () => {
    const s = releaseSecret(rel, "storage");
    assert.equal(s.metadata.name, "sh.helm.release.v1.demo.v3");
    assert.equal(s.metadata.namespace, "storage");
    assert.equal((s as { type?: string }).type, "helm.sh/release.v1");
    assert.deepEqual(s.metadata.labels, { name: "demo", owner: "helm", status: "deployed", version: "3" });
    assert.deepEqual(releaseFromSecret(s), rel);
  });
  it("names a bad record in the error", () => {
    assert.throws(
      () =>
        releaseFromSecret({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "x", namespace: "n" },
          data: { release: "bm90IGpzb24=" },
        }),
      /Helm release n\/x cannot be decoded/,
    );
  });
  it("digests values independently of key order", () => {
    assert.equal(valuesDigest({ a: 1, b: { c: 2, d: 3 } }), valuesDigest({ b: { d: 3, c: 2 }, a: 1 }));
    assert.notEqual(valuesDigest({ a: 1 }), valuesDigest({ a: 2 }));
  });
});

describe(".helmignore and Files.Glob patterns", () => {
  const rules = defaultIgnoreRules("# comment\n*.bak\n/secret/\ndocs/*.md\n");
  const cases: [string, boolean, boolean][] = [
    ["a.bak", false, true],
    ["dir/a.bak", false, true],
    ["secret", true, true],
    ["secret", false, false],
    ["docs/x.md", false, true],
    ["other/docs/x.md", false, false],
    ["templates/.hidden", false, true],
    ["templates/ok.yaml", false, false],
  ];
  for (const [path, dir, want] of cases) {
    it(`${path}${dir ? "/" : ""} ${want ? "is" : "is not"} ignored`, () =>
      assert.equal(rules.ignores(path, dir), want));
  }
  it("refuses ** in .helmignore", () => assert.throws(() => defaultIgnoreRules("**/x\n"), /uses \*\*/));
  it("path.Match semantics: * stops at /", () => {
    assert.equal(pathMatch("*.txt", "a.txt"), true);
    assert.equal(pathMatch("*.txt", "d/a.txt"), false);
    assert.equal(pathMatch("[a-c]?", "bz"), true);
    assert.equal(pathMatch("[", "x"), undefined);
  });
  it("glob semantics: ** crosses /, {a,b} alternatives", () => {
    assert.equal(globMatcher("files/**")("files/a/b.txt"), true);
    assert.equal(globMatcher("files/*")("files/a/b.txt"), false);
    assert.equal(globMatcher("files/*.{txt,conf}")("files/x.conf"), true);
    assert.equal(globMatcher("files/*.{txt,conf}")("files/x.json"), false);
  });
});
