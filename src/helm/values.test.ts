/** Unit tests of Helm's values rules (chartutil's coalesce) on in-memory charts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Chart } from "./chart.ts";
import { processDependencies } from "./dependencies.ts";
import { coalesceValues, mergeMaps } from "./values.ts";

function chart(
  name: string,
  values: Record<string, unknown>,
  deps: Chart[] = [],
  extra: Partial<Chart["metadata"]> = {},
): Chart {
  const c: Chart = {
    metadata: { apiVersion: "v2", name, version: "1.0.0", ...extra },
    values,
    templates: [],
    files: [],
    dependencies: deps,
  };
  for (const d of deps) d.parent = c;
  return c;
}

describe("coalesceValues", () => {
  const cases: {
    name: string;
    defaults: Record<string, unknown>;
    user: Record<string, unknown>;
    want: Record<string, unknown>;
  }[] = [
    { name: "user values win", defaults: { a: 1, b: 2 }, user: { a: 9 }, want: { a: 9, b: 2 } },
    {
      name: "tables merge key by key",
      defaults: { t: { x: 1, y: 2 } },
      user: { t: { y: 3 } },
      want: { t: { x: 1, y: 3 } },
    },
    {
      name: "null deletes a default",
      defaults: { a: 1, t: { x: 1, y: 2 } },
      user: { a: null, t: { y: null } },
      want: { t: { x: 1 } },
    },
    {
      name: "a scalar does not replace a table default",
      defaults: { t: { x: 1 } },
      user: { t: "s" },
      want: { t: "s" },
    },
    { name: "lists are replaced, not merged", defaults: { l: [1, 2] }, user: { l: [3] }, want: { l: [3] } },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(coalesceValues(chart("c", c.defaults), c.user), c.want));
  }

  it("subchart values live under its name and see the parent's globals", () => {
    const sub = chart("sub", { port: 80, global: { region: "sub", only: "sub" } });
    const parent = chart("parent", { global: { region: "parent" }, sub: { port: 81 } }, [sub]);
    const v = coalesceValues(parent, { global: { extra: true } });
    assert.deepEqual(v, {
      global: { region: "parent", extra: true },
      sub: { port: 81, global: { region: "parent", extra: true, only: "sub" } },
    });
  });

  it("does not modify the chart or the user values", () => {
    const c = chart("c", { t: { x: 1 } });
    const user = { t: { y: 2 } };
    coalesceValues(c, user);
    assert.deepEqual(c.values, { t: { x: 1 } });
    assert.deepEqual(user, { t: { y: 2 } });
  });
});

describe("processDependencies", () => {
  const deps = () => [
    chart("a", { enabled: true }),
    chart("b", {}),
    chart("lib", { exports: { data: { fromLib: 1 } } }, [], { type: "library" }),
  ];
  const parent = (values: Record<string, unknown>) =>
    chart("p", values, deps(), {
      dependencies: [
        { name: "a", version: "1.0.0", condition: "a.enabled" },
        { name: "b", version: "^1", tags: ["extra"], alias: "bee" },
        { name: "lib", version: "1.0.0", "import-values": ["data"] },
      ],
    });
  const names = (c: Chart) => c.dependencies.map((d) => d.metadata.name).sort();

  it("keeps enabled subcharts, renames aliases and imports values", () => {
    const c = processDependencies(parent({}), {});
    assert.deepEqual(names(c), ["a", "bee", "lib"]);
    assert.equal(c.values.fromLib, 1);
  });
  it("drops a subchart whose condition is false", () => {
    assert.deepEqual(names(processDependencies(parent({}), { a: { enabled: false } })), ["bee", "lib"]);
  });
  it("drops a subchart whose only tag is false", () => {
    assert.deepEqual(names(processDependencies(parent({ tags: { extra: false } }), {})), ["a", "lib"]);
  });
  it("leaves the loaded chart untouched", () => {
    const p = parent({});
    processDependencies(p, { a: { enabled: false } });
    assert.deepEqual(names(p), ["a", "b", "lib"]);
  });
});

describe("mergeMaps", () => {
  it("merges maps deeply and lets the second win, null included", () => {
    assert.deepEqual(mergeMaps({ a: { b: 1, c: 2 }, d: 1 }, { a: { b: 3 }, d: null }), {
      a: { b: 3, c: 2 },
      d: null,
    });
  });
});
