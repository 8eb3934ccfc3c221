import assert from "node:assert/strict";
import { test } from "node:test";
import {
  compare,
  InvalidConstraintError,
  maxSatisfying,
  parseConstraint,
  parseLenient,
  parseVersion,
  satisfies,
  sortTagsDescending,
} from "./index.ts";

test("parseVersion follows Flux's tag rule: strict semver with an optional v", () => {
  const ok = [
    "1.2.3",
    "v1.2.3",
    "0.0.0",
    "1.2.3-rc.1",
    "1.2.3-rc.1+build.5",
    "10.20.30",
    "1.0.0-alpha-a.b-c",
  ];
  const bad = [
    "1.2",
    "v1",
    "01.2.3",
    "1.02.3",
    "1.2.3-01",
    "latest",
    "latest-stable",
    "main-abc12345",
    "1.2.3.4",
    "",
  ];
  for (const t of ok) assert.ok(parseVersion(t), t);
  for (const t of bad) assert.equal(parseVersion(t), undefined, t);
});

test("parseLenient accepts partial versions like Masterminds NewVersion", () => {
  assert.deepEqual(
    { ...parseLenient("v1.2"), original: "" },
    { major: 1, minor: 2, patch: 0, prerelease: "", metadata: "", original: "" },
  );
  assert.throws(() => parseLenient("1.2.3-01"), /leading zeros/);
  assert.throws(() => parseLenient("one"), /not a semantic version/);
});

test("compare orders releases, pre-releases and ignores build metadata", () => {
  const order = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
  ];
  for (let i = 0; i + 1 < order.length; i++) {
    const a = parseLenient(order[i]!);
    const b = parseLenient(order[i + 1]!);
    assert.equal(compare(a, b), -1, `${order[i]} < ${order[i + 1]}`);
    assert.equal(compare(b, a), 1);
  }
  assert.equal(compare(parseLenient("1.0.0+a"), parseLenient("1.0.0+b")), 0);
});

// [constraint, version, expected] — semantics of Masterminds/semver v3 Check.
const cases: Array<[string, string, boolean]> = [
  ["1.2.3", "1.2.3", true],
  ["=1.2.3", "1.2.4", false],
  ["!=1.2.3", "1.2.4", true],
  ["!=1.2.3", "1.2.3", false],
  ["!=1.2.x", "1.2.7", false],
  ["!=1.2.x", "1.3.0", true],
  [">1.2.3", "1.2.4", true],
  [">1.2.3", "1.2.3", false],
  [">1.2", "1.2.9", false],
  [">1.2", "1.3.0", true],
  [">1", "1.9.9", false],
  [">1", "2.0.0", true],
  ["<1.2.3", "1.2.2", true],
  ["<1.2.3", "1.2.3", false],
  [">=1.2.3", "1.2.3", true],
  ["=>1.2.3", "1.2.2", false],
  ["<=1.2.3", "1.2.3", true],
  ["=<1.2.3", "1.2.4", false],
  ["<=1.2", "1.2.9", true],
  ["<=1.2", "1.3.0", false],
  ["<=1", "1.9.0", true],
  ["<=1", "2.0.0", false],
  ["~1.2.3", "1.2.9", true],
  ["~1.2.3", "1.3.0", false],
  ["~1.2.3", "1.2.2", false],
  ["~1", "1.9.0", true],
  ["~1", "2.0.0", false],
  ["~>1.2", "1.2.5", true],
  ["~1.x", "1.5.0", true],
  ["~0.0.0", "5.0.0", true],
  ["^1.2.3", "1.9.9", true],
  ["^1.2.3", "2.0.0", false],
  ["^1.2.3", "1.2.2", false],
  ["^0.2.3", "0.2.9", true],
  ["^0.2.3", "0.3.0", false],
  ["^0.0.3", "0.0.3", true],
  ["^0.0.3", "0.0.4", false],
  ["^0.0", "0.0.9", true],
  ["^0.0", "0.1.0", false],
  ["^0", "0.9.0", true],
  ["^0", "1.0.0", false],
  ["1.2.x", "1.2.7", true],
  ["1.2.x", "1.3.0", false],
  ["1.x", "1.9.0", true],
  ["*", "9.9.9", true],
  ["x", "0.0.1", true],
  [">=1.0.0 <2.0.0", "1.5.0", true],
  [">=1.0.0, <2.0.0", "2.0.0", false],
  [">= 1.0.0 , < 2.0.0", "1.0.0", true],
  ["<1.0.0 || >=3.0.0", "0.9.0", true],
  ["<1.0.0 || >=3.0.0", "2.0.0", false],
  ["<1.0.0 || >=3.0.0", "3.1.0", true],
  ["1.2 - 1.4.5", "1.4.5", true],
  ["1.2 - 1.4.5", "1.4.6", false],
  ["1.2 - 1.4.5", "1.2.0", true],
  // Pre-releases match only conditions that name a pre-release.
  [">=1.0.0", "1.5.0-rc.1", false],
  [">=1.0.0-0", "1.5.0-rc.1", true],
  [">=1.0.0-rc.1", "1.0.0-rc.2", true],
  [">=1.0.0-rc.1", "1.0.0-beta", false],
  ["^1.0.0-0", "1.2.0-alpha", true],
  ["*", "1.0.0-rc.1", false],
  ["1.0.0-rc.1", "1.0.0-rc.1", true],
  // v-prefixed constraints.
  [">=v1.0.0", "1.0.0", true],
];

test("constraints match Masterminds/semver v3 semantics", () => {
  for (const [c, v, want] of cases) {
    assert.equal(parseConstraint(c).check(parseLenient(v)), want, `${JSON.stringify(c)} vs ${v}`);
  }
});

test("invalid constraints throw a usage error naming the bad part", () => {
  for (const c of ["", ">=abc", "1.2.3 ||| 2", "~>", ">=1.0.0 <<2"]) {
    assert.throws(() => parseConstraint(c), InvalidConstraintError, c);
  }
  assert.throws(() => parseConstraint(">=foo"), /semver constraint ">=foo" is not valid at ">=foo"/);
});

test("satisfies and maxSatisfying read tags the way source-controller does", () => {
  const tags = [
    "latest",
    "latest-stable",
    "v1.0.0",
    "v1.1.0",
    "1.2.0-rc.1",
    "v2.0.0",
    "main-0123abcd",
    "1.1",
  ];
  assert.equal(satisfies("latest", "*"), false);
  assert.equal(satisfies("v1.1.0", "~1.1"), true);
  assert.equal(maxSatisfying(tags, ">=1.0.0 <2.0.0")?.tag, "v1.1.0");
  // Every condition must name a pre-release for a pre-release to match.
  assert.equal(maxSatisfying(tags, ">=1.0.0-0 <2.0.0")?.tag, "v1.1.0");
  assert.equal(maxSatisfying(tags, ">=1.0.0-0 <2.0.0-0")?.tag, "1.2.0-rc.1");
  assert.equal(maxSatisfying(tags, "*")?.tag, "v2.0.0");
  assert.equal(maxSatisfying(tags, ">3"), undefined);
  assert.deepEqual(
    sortTagsDescending(tags).map((t) => t.tag),
    ["v2.0.0", "1.2.0-rc.1", "v1.1.0", "v1.0.0"],
  );
});
