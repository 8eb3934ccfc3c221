import assert from "node:assert/strict";
import { test } from "node:test";
import { dockerConfigJson, registryHost, subsetEqual } from "./bootstrap.ts";

test("subsetEqual compares only what was sent", () => {
  const cases: Array<[unknown, unknown, boolean]> = [
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: { b: [1, 2] } }, { a: { b: [1, 2], c: 3 } }, true],
    [{ a: [1] }, { a: [1, 2] }, false],
    [{ a: "1" }, { a: 1 }, false],
    [{ a: { b: 1 } }, { a: null }, false],
    [{ a: 1 }, undefined, false],
  ];
  for (const [want, have, eq] of cases)
    assert.equal(subsetEqual(want, have), eq, JSON.stringify([want, have]));
});

test("dockerConfigJson and registryHost", () => {
  assert.equal(registryHost("oci://127.0.0.1:5000/ferry/fleet"), "127.0.0.1:5000");
  const cfg = JSON.parse(dockerConfigJson("ghcr.io", "u", "p:w")) as {
    auths: Record<string, { auth: string }>;
  };
  assert.equal(Buffer.from(cfg.auths["ghcr.io"]!.auth, "base64").toString(), "u:p:w");
});
