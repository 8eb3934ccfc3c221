import assert from "node:assert/strict";
import { test } from "node:test";
import { unifiedDiff } from "./unified.ts";

const lines = (n: number, f = (i: number) => `line ${i}`) =>
  `${Array.from({ length: n }, (_, i) => f(i + 1)).join("\n")}\n`;

test("unified diffs: hunks, context, labels", async (t) => {
  const cases: Array<{ name: string; from: string; to: string; want: string }> = [
    { name: "equal texts give nothing", from: "a\nb\n", to: "a\nb\n", want: "" },
    {
      name: "one changed line in the middle, three lines of context",
      from: lines(9),
      to: lines(9, (i) => (i === 5 ? "line five" : `line ${i}`)),
      want: [
        "--- a",
        "+++ b",
        "@@ -2,7 +2,7 @@",
        " line 2",
        " line 3",
        " line 4",
        "-line 5",
        "+line five",
        " line 6",
        " line 7",
        " line 8",
        "",
      ].join("\n"),
    },
    {
      name: "far apart changes make two hunks",
      from: lines(20),
      to: lines(20, (i) => (i === 2 || i === 18 ? `new ${i}` : `line ${i}`)),
      want: [
        "--- a",
        "+++ b",
        "@@ -1,5 +1,5 @@",
        " line 1",
        "-line 2",
        "+new 2",
        " line 3",
        " line 4",
        " line 5",
        "@@ -15,6 +15,6 @@",
        " line 15",
        " line 16",
        " line 17",
        "-line 18",
        "+new 18",
        " line 19",
        " line 20",
        "",
      ].join("\n"),
    },
    {
      name: "added lines at the end",
      from: "a\n",
      to: "a\nb\nc\n",
      want: ["--- a", "+++ b", "@@ -1 +1,3 @@", " a", "+b", "+c", ""].join("\n"),
    },
    {
      name: "from empty",
      from: "",
      to: "x\n",
      want: ["--- a", "+++ b", "@@ -0,0 +1 @@", "+x", ""].join("\n"),
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(unifiedDiff(c.from, c.to), c.want));
  }
});

test("unified diff labels and the fallback past the table limit", () => {
  const d = unifiedDiff("a\nb\n", "a\nc\n", { fromLabel: "live x", toLabel: "desired x", maxCells: 1 });
  assert.equal(d, ["--- live x", "+++ desired x", "@@ -1,2 +1,2 @@", "-a", "-b", "+a", "+c", ""].join("\n"));
});
