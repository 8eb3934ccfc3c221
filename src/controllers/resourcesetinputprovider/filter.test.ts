import assert from "node:assert/strict";
import { test } from "node:test";
import { compileTagFilter, filterTags } from "./filter.ts";

const tags = ["latest", "v1.0.0", "1.2.0", "v2.0.0-rc.1", "2.0.0", "v1.10.0", "main-abc", "1.2"];

test("tag filters select and order as flux-operator", () => {
  const cases: Array<{ name: string; filter: Parameters<typeof compileTagFilter>[0]; want: string[] }> = [
    {
      name: "no filter: descending text order",
      filter: undefined,
      want: ["v2.0.0-rc.1", "v1.10.0", "v1.0.0", "main-abc", "latest", "2.0.0", "1.2.0", "1.2"],
    },
    {
      name: "semver: versions only, highest first",
      filter: { semver: ">=1.0.0" },
      want: ["2.0.0", "v1.10.0", "1.2.0", "v1.0.0"],
    },
    { name: "semver with prereleases", filter: { semver: ">=2.0.0-0" }, want: ["2.0.0", "v2.0.0-rc.1"] },
    { name: "include regex", filter: { includeTag: "^v" }, want: ["v2.0.0-rc.1", "v1.10.0", "v1.0.0"] },
    {
      name: "exclude regex",
      filter: { excludeTag: "-" },
      want: ["v1.10.0", "v1.0.0", "latest", "2.0.0", "1.2.0", "1.2"],
    },
    { name: "limit", filter: { semver: "*", limit: 2 }, want: ["2.0.0", "v1.10.0"] },
    { name: "include and semver", filter: { includeTag: "^v", semver: "^1" }, want: ["v1.10.0", "v1.0.0"] },
  ];
  for (const c of cases) assert.deepEqual(filterTags(tags, compileTagFilter(c.filter)), c.want, c.name);
});

test("a default limit of 100", () => {
  const many = Array.from({ length: 150 }, (_, i) => `t${String(i).padStart(3, "0")}`);
  assert.equal(filterTags(many, compileTagFilter({})).length, 100);
});

test("invalid filters name the field", () => {
  assert.throws(() => compileTagFilter({ includeTag: "(" }), /invalid includeTag regex/);
  assert.throws(() => compileTagFilter({ excludeTag: "[" }), /invalid excludeTag regex/);
  assert.throws(() => compileTagFilter({ semver: "not a range" }), /invalid semver expression/);
});
