import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../errors/index.ts";
import {
  formatReference,
  InvalidReferenceError,
  isLoopback,
  parseReference,
  type Reference,
  registryBaseUrl,
} from "./reference.ts";

const hex = "a".repeat(64);

describe("parseReference", () => {
  const valid: Array<[string, Reference]> = [
    [
      "oci://ghcr.io/org/fleet:latest",
      { registry: "ghcr.io", repository: "org/fleet", tag: "latest", digest: undefined },
    ],
    [
      "ghcr.io/org/fleet:v1.2.3",
      { registry: "ghcr.io", repository: "org/fleet", tag: "v1.2.3", digest: undefined },
    ],
    [
      "oci://localhost:5000/a/b/c",
      { registry: "localhost:5000", repository: "a/b/c", tag: undefined, digest: undefined },
    ],
    ["localhost/x", { registry: "localhost", repository: "x", tag: undefined, digest: undefined }],
    [
      `127.0.0.1:5000/fleet@sha256:${hex}`,
      { registry: "127.0.0.1:5000", repository: "fleet", tag: undefined, digest: `sha256:${hex}` },
    ],
    [
      `oci://Registry.Example.COM/a_b/c-d.e__f:_tag@sha256:${hex}`,
      { registry: "registry.example.com", repository: "a_b/c-d.e__f", tag: "_tag", digest: `sha256:${hex}` },
    ],
    ["[::1]:5000/x:y", { registry: "[::1]:5000", repository: "x", tag: "y", digest: undefined }],
    ["host:443/x--y:1", { registry: "host:443", repository: "x--y", tag: "1", digest: undefined }],
  ];
  for (const [input, want] of valid) {
    it(`parses ${input}`, () => {
      assert.deepEqual(parseReference(input), want);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ["oci://ghcr.io", /the repository is missing/],
    ["oci://localhost:5000", /the repository is missing/],
    ["fleet:latest", /the registry host/],
    ["org/fleet:latest", /the registry host "org"/],
    ["oci://ghcr.io/Org/fleet", /the repository "Org\/fleet" must be lowercase/],
    ["oci://ghcr.io/org//fleet", /path component ""/],
    ["oci://ghcr.io/org/-fleet", /path component "-fleet"/],
    ["oci://ghcr.io/org/fleet:-bad", /the tag "-bad"/],
    [`oci://ghcr.io/org/fleet:${"t".repeat(129)}`, /the tag/],
    ["oci://ghcr.io/org/fleet@sha256:abc", /the digest "sha256:abc" must have 64 lowercase hex/],
    ["oci://ghcr.io/org/fleet@nodigest", /the digest "nodigest" is not of the form/],
    [`oci://ghcr.io/org/fleet@sha256:${"A".repeat(64)}`, /lowercase hex/],
    ["https://ghcr.io/org/fleet", /the scheme/],
    ["oci://ghcr.io:port/x", /the registry port "port"/],
    ["oci://gh_cr.io/x", /the registry host "gh_cr.io"/],
    ["oci://[::1/x", /unclosed/],
  ];
  for (const [input, want] of invalid) {
    it(`refuses ${input.slice(0, 60)}`, () => {
      assert.throws(
        () => parseReference(input),
        (err: unknown) => {
          assert.ok(err instanceof InvalidReferenceError);
          assert.ok(err instanceof UsageError);
          assert.equal(err.exitCode, 2);
          assert.match(err.message, want);
          assert.match(err.message, /expected oci:\/\/host/);
          return true;
        },
      );
    });
  }

  it("requires a tag or digest when asked", () => {
    assert.throws(
      () => parseReference("ghcr.io/x", { requireTagOrDigest: true }),
      /tag or digest is missing/,
    );
  });

  it("round-trips through formatReference", () => {
    for (const s of [
      "ghcr.io/a/b",
      "ghcr.io/a/b:t",
      `localhost:5000/a@sha256:${hex}`,
      `h.io/a:t@sha256:${hex}`,
    ]) {
      assert.equal(formatReference(parseReference(s)), s);
    }
  });
});

describe("registry scheme", () => {
  const cases: Array<[string, boolean, string]> = [
    ["localhost:5000", false, "http://localhost:5000"],
    ["localhost", false, "http://localhost"],
    ["127.0.0.1:5000", false, "http://127.0.0.1:5000"],
    ["127.1.2.3", false, "http://127.1.2.3"],
    ["[::1]:5000", false, "http://[::1]:5000"],
    ["ghcr.io", false, "https://ghcr.io"],
    ["128.0.0.1:5000", false, "https://128.0.0.1:5000"],
    ["registry.internal:5000", true, "http://registry.internal:5000"],
  ];
  it("maps Docker Hub names to its API host", () => {
    assert.equal(registryBaseUrl("docker.io"), "https://registry-1.docker.io");
    assert.equal(registryBaseUrl("index.docker.io"), "https://registry-1.docker.io");
  });
  for (const [host, insecure, want] of cases) {
    it(`${host}${insecure ? " (insecure)" : ""} → ${want}`, () => {
      assert.equal(registryBaseUrl(host, { insecure }), want);
      assert.equal(isLoopback(host), want.startsWith("http://") && !insecure);
    });
  }
});
