import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { END_OF_ARCHIVE, encodeHeader } from "./tar-header.ts";

// sha256 of the archive Go 1.26's archive/tar writes for these entries (zero times, as fluxcd/pkg/tar
// sanitizes them): a root ".", a small file, a 161-byte ASCII name (USTAR prefix split) and a non-ASCII
// name (PAX "path" record). Recorded once from a Go program; see docs/publish.md.
const GO_ARCHIVE_SHA256 = "d0434b5024234d8673f1e6feb1a1d2e640441c1a23e1eef88e382f1c7596e9d2";

test("headers are byte-identical to Go's archive/tar", () => {
  const long = `${"dirdirdirdir/".repeat(12)}f.txt`;
  const archive = Buffer.concat([
    encodeHeader({ name: ".", type: "dir", mode: 0o755, size: 0 }),
    encodeHeader({ name: "a.txt", type: "file", mode: 0o644, size: 3 }),
    Buffer.concat([Buffer.from("hi\n"), Buffer.alloc(509)]),
    encodeHeader({ name: long, type: "file", mode: 0o644, size: 0 }),
    encodeHeader({ name: "ünï.txt", type: "file", mode: 0o644, size: 0 }),
    END_OF_ARCHIVE,
  ]);
  assert.equal(createHash("sha256").update(archive).digest("hex"), GO_ARCHIVE_SHA256);
});

test("header fields", async (t) => {
  const cases = [
    {
      name: "plain ASCII name is one USTAR block",
      entry: "a/b.yaml",
      blocks: 1,
      nameField: "a/b.yaml",
      prefix: "",
    },
    {
      name: "long ASCII name splits into prefix",
      entry: `${"p".repeat(120)}/x.yaml`,
      blocks: 1,
      nameField: "x.yaml",
      prefix: "p".repeat(120),
    },
    {
      name: "unsplittable name uses PAX",
      entry: "q".repeat(150),
      blocks: 3,
      nameField: "q".repeat(100),
      prefix: "",
    },
    { name: "non-ASCII name uses PAX", entry: "café.yaml", blocks: 3, nameField: "caf.yaml", prefix: "" },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const h = encodeHeader({ name: c.entry, type: "file", mode: 0o644, size: 10 });
      assert.equal(h.length, c.blocks * 512);
      const main = h.subarray(h.length - 512);
      assert.equal(main.subarray(0, 100).toString("latin1").replace(/\0+$/, ""), c.nameField);
      assert.equal(main.subarray(345, 500).toString("latin1").replace(/\0+$/, ""), c.prefix);
      assert.equal(main.subarray(124, 136).toString("latin1"), "00000000012\0");
      assert.equal(main.subarray(257, 265).toString("latin1"), "ustar\x0000");
      if (c.blocks === 3) {
        const record = h.subarray(512, 1024).toString("utf8").replace(/\0+$/, "");
        assert.match(record, new RegExp(`^\\d+ path=${c.entry}\\n$`));
        assert.equal(Number(record.split(" ")[0]), Buffer.byteLength(record));
      }
    });
  }
});
