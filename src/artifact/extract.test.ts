import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { type Header, pack } from "tar-stream";

type Headers = Partial<Header> & { name: string };

import { buildTarball } from "./build.ts";
import {
  ArchiveTooLargeError,
  ExtractTargetError,
  InvalidArchiveError,
  UnsafeArchiveEntryError,
} from "./errors.ts";
import { extractTarball } from "./extract.ts";
import { diffTrees, isEmptyDiff, sourceTree } from "./tree.ts";

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ferry-artifact-extract-"));
  roots.push(d);
  return d;
}

/** A gzipped tarball with exactly these entries (written by tar-stream, not by Ferry's writer). */
async function craft(entries: Array<{ header: Headers; body?: string }>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    await new Promise<void>((res, rej) => p.entry(e.header, e.body ?? "", (err) => (err ? rej(err) : res())));
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

test("a built tarball extracts to the same tree", async () => {
  const src = await tempDir();
  await mkdir(join(src, "apps/base"), { recursive: true });
  await writeFile(join(src, "apps/base/deploy.yaml"), "kind: Deployment\n");
  await writeFile(join(src, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
  // Larger than the read-at-once and write-at-once sizes, so the streamed paths run too.
  await writeFile(join(src, "big.bin"), Buffer.alloc(3 * 1024 * 1024 + 7, 9));
  const work = await tempDir();
  const tgz = join(work, "l.tgz");
  await buildTarball(src, tgz);
  const out = join(work, "out");
  const res = await extractTarball(createReadStream(tgz), out);
  assert.equal(res.files, 3);
  assert.equal(await readFile(join(out, "apps/base/deploy.yaml"), "utf8"), "kind: Deployment\n");
  assert.equal((await lstat(join(out, "run.sh"))).mode & 0o111, 0o111);
  assert.ok(isEmptyDiff(diffTrees(await sourceTree(src), await sourceTree(out))));
});

test("links inside the root are kept", async () => {
  const tgz = await craft([
    { header: { name: "a/file.txt", type: "file" }, body: "x" },
    { header: { name: "a/link", type: "symlink", linkname: "file.txt" } },
    { header: { name: "hard", type: "link", linkname: "a/file.txt" } },
  ]);
  const out = join(await tempDir(), "out");
  await extractTarball(Readable.from([tgz]), out);
  assert.equal(await readlink(join(out, "a/link")), "file.txt");
  assert.equal(await readFile(join(out, "hard"), "utf8"), "x");
});

test("unsafe archives are refused and leave nothing behind", async (t) => {
  const cases: Array<{
    name: string;
    entries: Array<{ header: Headers; body?: string }>;
    error: new (...a: never[]) => Error;
    opts?: object;
  }> = [
    {
      name: "parent traversal",
      entries: [{ header: { name: "../evil.txt" }, body: "x" }],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "nested traversal",
      entries: [{ header: { name: "a/../../evil.txt" }, body: "x" }],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "absolute path",
      entries: [{ header: { name: "/tmp/evil.txt" }, body: "x" }],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "absolute symlink",
      entries: [{ header: { name: "l", type: "symlink", linkname: "/etc/passwd" } }],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "symlink escaping the root",
      entries: [{ header: { name: "a/l", type: "symlink", linkname: "../../etc" } }],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "symlink through another symlink",
      entries: [
        { header: { name: "s1", type: "symlink", linkname: "." } },
        { header: { name: "s2", type: "symlink", linkname: "s1/../x" } },
      ],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "file below a symlink",
      entries: [
        { header: { name: "d", type: "symlink", linkname: "sub" } },
        { header: { name: "d/x.txt" }, body: "x" },
      ],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "hardlink outside",
      entries: [{ header: { name: "h", type: "link", linkname: "../etc/passwd" } }],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "hardlink to nothing",
      entries: [{ header: { name: "h", type: "link", linkname: "missing" } }],
      error: UnsafeArchiveEntryError,
    },
    { name: "fifo", entries: [{ header: { name: "f", type: "fifo" } }], error: UnsafeArchiveEntryError },
    {
      name: "device",
      entries: [{ header: { name: "d", type: "character-device", devmajor: 1, devminor: 3 } }],
      error: UnsafeArchiveEntryError,
    },
    {
      name: "too many bytes",
      entries: [{ header: { name: "big.bin" }, body: "y".repeat(4096) }],
      error: ArchiveTooLargeError,
      opts: { maxBytes: 1024 },
    },
    {
      name: "too many files",
      entries: Array.from({ length: 20 }, (_, i) => ({ header: { name: `f${i}` }, body: "z" })),
      error: ArchiveTooLargeError,
      opts: { maxFiles: 10 },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const parent = await tempDir();
      const out = join(parent, "out");
      const tgz = await craft([{ header: { name: "ok.txt" }, body: "fine" }, ...c.entries]);
      await assert.rejects(extractTarball(Readable.from([tgz]), out, c.opts), c.error);
      assert.deepEqual(await readdir(parent), [], "nothing half-written");
    });
  }
});

test("a gzip bomb is stopped at the byte cap", async () => {
  // 64 MiB of zeros compress to ~64 KiB; the cap is 1 MiB.
  const tgz = await craft([{ header: { name: "zeros.bin" }, body: "\0".repeat(64 * 1024 * 1024) }]);
  assert.ok(tgz.length < 1024 * 1024);
  const parent = await tempDir();
  await assert.rejects(
    extractTarball(Readable.from([tgz]), join(parent, "out"), { maxBytes: 1024 * 1024 }),
    ArchiveTooLargeError,
  );
  assert.deepEqual(await readdir(parent), []);
});

test("garbage and truncated archives are InvalidArchiveError", async (t) => {
  const good = await craft([{ header: { name: "a.txt" }, body: "a".repeat(10000) }]);
  const cases = [
    { name: "not gzip", bytes: Buffer.from("definitely not a tarball") },
    { name: "truncated gzip", bytes: good.subarray(0, good.length - 20) },
    { name: "gzip of garbage", bytes: gzipSync(Buffer.from("x".repeat(2000))) },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const parent = await tempDir();
      await assert.rejects(
        extractTarball(Readable.from([c.bytes]), join(parent, "out")),
        InvalidArchiveError,
      );
      assert.deepEqual(await readdir(parent), []);
    });
  }
});

test("a non-empty target is refused unless replace is asked", async () => {
  const tgz = await craft([{ header: { name: "new.txt" }, body: "new" }]);
  const out = await tempDir();
  await writeFile(join(out, "old.txt"), "old");
  await assert.rejects(extractTarball(Readable.from([tgz]), out), ExtractTargetError);
  assert.deepEqual(await readdir(out), ["old.txt"]);
  await extractTarball(Readable.from([tgz]), out, { replace: true });
  assert.deepEqual(await readdir(out), ["new.txt"]);
});
