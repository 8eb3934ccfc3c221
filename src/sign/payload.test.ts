import assert from "node:assert/strict";
import { test } from "node:test";
import { signedDigests, signStatement, simpleSigningPayload } from "./payload.ts";

const D = `sha256:${"a".repeat(64)}`;

test("the simple-signing payload is byte-identical to cosign's; the statement has cosign's fields", () => {
  assert.equal(
    simpleSigningPayload("127.0.0.1:5000/x/y", D).toString(),
    `{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/x/y"},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature"},"optional":null}`,
  );
  assert.deepEqual(JSON.parse(signStatement(D).toString()), {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ digest: { sha256: "a".repeat(64) } }],
    predicateType: "https://sigstore.dev/cosign/sign/v1",
    predicate: {},
  });
});

test("signedDigests reads both payload shapes and says why it cannot", () => {
  const cases: Array<[string, string | Buffer, string[] | RegExp]> = [
    ["simple signing", simpleSigningPayload("r/x", D), [D]],
    ["in-toto statement", signStatement(D, { k: "v" }), [D]],
    [
      "in-toto, several subjects and algorithms",
      JSON.stringify({
        _type: "https://in-toto.io/Statement/v0.1",
        subject: [{ digest: { sha256: "b", sha512: "c" } }, { digest: { sha256: "d" } }],
      }),
      ["sha256:b", "sha512:c", "sha256:d"],
    ],
    ["not JSON", "{", /not JSON/],
    ["wrong simple-signing type", JSON.stringify({ critical: { type: "x", image: {} } }), /has type "x"/],
    [
      "no digest",
      JSON.stringify({ critical: { type: "cosign container image signature" } }),
      /no docker-manifest-digest/,
    ],
    ["statement without subject", JSON.stringify({ _type: "https://in-toto.io/Statement/v1" }), /no subject/],
    ["something else", JSON.stringify({ hello: 1 }), /neither/],
  ];
  for (const [name, payload, want] of cases) {
    const got = signedDigests(Buffer.from(payload));
    if (want instanceof RegExp) {
      assert.ok("problem" in got, name);
      assert.match(got.problem, want, name);
    } else assert.deepEqual(got, { digests: want }, name);
  }
});
