import assert from "node:assert/strict";
import { test } from "node:test";
import { policyFromFluxVerify, VerifyConfigError } from "./flux.ts";
import { emptyTrustedRoot } from "./trust.ts";

const root = emptyTrustedRoot();

test("policyFromFluxVerify follows Flux: secretRef → every *.pub key; none → keyless identities", () => {
  const cases: Array<[string, Parameters<typeof policyFromFluxVerify>, unknown]> = [
    [
      "secret keys, sorted, identities ignored",
      [
        {
          provider: "cosign",
          secretRef: { name: "keys" },
          matchOIDCIdentity: [{ issuer: "x", subject: "y" }],
        },
        { secretData: { "b.pub": Buffer.from("B"), "a.pub": "A", "readme.txt": "no" } },
      ],
      { keys: ["A", "B"] },
    ],
    [
      "keyless with entries",
      [{ provider: "cosign", matchOIDCIdentity: [{ issuer: "^i$", subject: "^s$" }] }, { trustedRoot: root }],
      { identities: [{ issuer: "^i$", subject: "^s$" }], trustedRoot: root },
    ],
    [
      "keyless without entries accepts any identity",
      [{ provider: "cosign" }, { trustedRoot: root }],
      { identities: [{ issuer: ".*", subject: ".*" }], trustedRoot: root },
    ],
  ];
  for (const [name, args, want] of cases) assert.deepEqual(policyFromFluxVerify(...args), want, name);
});

test("policyFromFluxVerify refuses what Flux refuses, naming the fix", () => {
  const cases: Array<[Parameters<typeof policyFromFluxVerify>, RegExp]> = [
    [[{ provider: "notation" }], /provider "notation" is not supported/],
    [
      [{ provider: "cosign", secretRef: { name: "k" } }, { secretData: { "x.key": "K" } }],
      /Secret k has no \*\.pub/,
    ],
    [[{ provider: "cosign" }], /needs a Sigstore trusted root/],
  ];
  for (const [args, re] of cases) {
    assert.throws(
      () => policyFromFluxVerify(...args),
      (e: unknown) => e instanceof VerifyConfigError && re.test(e.message),
    );
  }
});
