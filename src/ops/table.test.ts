import assert from "node:assert/strict";
import { test } from "node:test";
import { formatSummaries, formatTable } from "./table.ts";

test("formatTable pads every column to its width, tab-separated, trailing blanks trimmed", () => {
  assert.equal(
    formatTable(
      ["Name", "Ready", "Message"],
      [
        ["a", "True", ""],
        ["long-name", "False", "x"],
      ],
    ),
    "NAME     \tREADY\tMESSAGE\na        \tTrue\nlong-name\tFalse\tx\n",
  );
});

test("formatSummaries: namespace first with -A, kind/name for get all, one-line messages", () => {
  const row = {
    kind: "ResourceSet",
    namespace: "apps",
    name: "tenants",
    revision: "sha256:1",
    suspended: true,
    ready: "False",
    message: "build failed:\n  line 2",
  };
  const cases: Array<{ opts: { allNamespaces?: boolean; withKind?: boolean }; want: string[] }> = [
    { opts: {}, want: ["tenants", "sha256:1", "True", "False", "build failed: line 2"] },
    {
      opts: { allNamespaces: true },
      want: ["apps", "tenants", "sha256:1", "True", "False", "build failed: line 2"],
    },
    {
      opts: { withKind: true },
      want: ["resourceset/tenants", "sha256:1", "True", "False", "build failed: line 2"],
    },
  ];
  for (const c of cases) {
    const lines = formatSummaries([row], c.opts).trimEnd().split("\n");
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines[1]?.split("\t").map((s) => s.trim()),
      c.want,
    );
    assert.equal(lines[0]?.startsWith(c.opts.allNamespaces ? "NAMESPACE" : "NAME"), true);
  }
});
