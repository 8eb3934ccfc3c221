import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { REPRODUCIBLE_CREATED } from "./format.ts";
import {
  artifactAnnotations,
  configBlob,
  configDescriptor,
  FLUX_CONFIG_BLOB_DIGEST,
  layerDescriptor,
  manifestBytes,
} from "./manifest.ts";

const sha = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

test("config blob is flux's constant config", () => {
  assert.equal(sha(configBlob()), FLUX_CONFIG_BLOB_DIGEST);
  assert.equal(configBlob().length, 115);
});

test("manifest bytes equal flux's for the same layer and annotations", () => {
  // Recorded from `flux push artifact --reproducible -a 'k=v&<x>' --source https://x/y
  // --revision main@sha1:abc` (flux v2.9.5): its manifest digest.
  const annotations = artifactAnnotations({
    created: REPRODUCIBLE_CREATED,
    source: "https://x/y",
    revision: "main@sha1:abc",
    annotations: { k: "v&<x>" },
  });
  const bytes = manifestBytes(
    configDescriptor(configBlob(), FLUX_CONFIG_BLOB_DIGEST),
    layerDescriptor(183, "sha256:3e5242750409664a388e9f345adcb80146692756a1821d02200120991999923a"),
    annotations,
  );
  assert.equal(sha(bytes), "sha256:a1927269c165bef614243d63f2b2fa64f259584ff4aa104652130145aa7bcd97");
});

test("annotations: the three OpenContainers keys are always there, extra keys may override them", () => {
  const cases = [
    {
      in: { created: "2026-01-01T00:00:00Z" },
      out: {
        "org.opencontainers.image.created": "2026-01-01T00:00:00Z",
        "org.opencontainers.image.source": "",
        "org.opencontainers.image.revision": "",
      },
    },
    {
      in: {
        created: "2026-01-01T00:00:00Z",
        source: "s",
        revision: "r",
        annotations: { "org.opencontainers.image.source": "o", a: "b" },
      },
      out: {
        "org.opencontainers.image.created": "2026-01-01T00:00:00Z",
        "org.opencontainers.image.source": "o",
        "org.opencontainers.image.revision": "r",
        a: "b",
      },
    },
  ];
  for (const c of cases) assert.deepEqual(artifactAnnotations(c.in), c.out);
});
