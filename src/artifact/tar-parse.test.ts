import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { InvalidArchiveError, UnsafeArchiveEntryError } from "./errors.ts";
import { readTarball } from "./read.ts";
import { parseTar } from "./tar-parse.ts";

interface Seen {
  name: string;
  type: string;
  size: number;
  linkname: string;
  content: string;
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, off + size);
}

async function parseAll(bytes: Buffer, chunk: number, read = true): Promise<Seen[]> {
  const out: Seen[] = [];
  for await (const { header, content } of parseTar(chunked(bytes, chunk), "test.tar")) {
    const chunks: Buffer[] = [];
    if (read) for await (const c of content) chunks.push(c);
    const text = Buffer.concat(chunks).toString("utf8");
    out.push({
      name: header.name,
      type: header.type,
      size: header.size,
      linkname: header.linkname,
      content: text,
    });
  }
  return out;
}

const longDir = `${"d".repeat(90)}/${"e".repeat(90)}`;
const longFile = `${"f".repeat(120)}.yaml`;

/** A tree with what the formats encode differently: long names, a long link target, a hardlink, UTF-8. */
async function tree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-tar-parse-"));
  await mkdir(join(dir, "src", longDir), { recursive: true });
  await writeFile(join(dir, "src", "small.txt"), "hello\n");
  await writeFile(join(dir, "src", "zürich.yaml"), "city: zürich\n");
  await writeFile(join(dir, "src", longDir, longFile), "x".repeat(1500));
  await symlink(`${longDir}/${longFile}`, join(dir, "src", "to-long"));
  await link(join(dir, "src", "small.txt"), join(dir, "src", "z-hard.txt"));
  return dir;
}

// Archives written by GNU tar, a real peer, in each format it knows that a tar reader must read.
for (const format of ["gnu", "posix", "ustar"] as const) {
  test(`reads GNU tar's ${format} format, in any chunking`, async (t) => {
    const dir = await tree();
    t.after(() => rm(dir, { recursive: true, force: true }));
    let bytes: Buffer;
    try {
      bytes = execFileSync(
        "tar",
        [`--format=${format}`, "--sort=name", "-cf", "-", "-C", join(dir, "src"), "."],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
    } catch (err) {
      // ustar cannot hold the 90+90+124-byte path; GNU tar says so and writes nothing useful.
      assert.equal(format, "ustar", String(err));
      return;
    }
    const whole = await parseAll(bytes, bytes.length);
    const byName = new Map(whole.map((e) => [e.name.replace(/^\.\//, ""), e]));
    assert.equal(byName.get("small.txt")?.content, "hello\n");
    assert.equal(byName.get("small.txt")?.type, "file");
    assert.equal(byName.get("zürich.yaml")?.content, "city: zürich\n");
    assert.equal(byName.get(`${longDir}/${longFile}`)?.content, "x".repeat(1500));
    assert.equal(byName.get(`${longDir}/`)?.type, "directory");
    assert.equal(byName.get("to-long")?.type, "symlink");
    assert.equal(byName.get("to-long")?.linkname, `${longDir}/${longFile}`);
    assert.equal(byName.get("z-hard.txt")?.type, "link");
    assert.match(byName.get("z-hard.txt")?.linkname ?? "", /small\.txt$/);
    for (const size of [1, 7, 511, 512, 513, 4096]) {
      assert.deepEqual(await parseAll(bytes, size), whole, `chunks of ${size}`);
    }
    // Content nobody reads is skipped: the headers come out the same.
    const skipped = await parseAll(bytes, 100, false);
    assert.deepEqual(
      skipped.map((e) => e.name),
      whole.map((e) => e.name),
    );
  });
}

test("ustar splits a long path into prefix and name", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-tar-parse-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = `${"p".repeat(80)}/${"q".repeat(60)}/file.txt`;
  await mkdir(join(dir, "p".repeat(80), "q".repeat(60)), { recursive: true });
  await writeFile(join(dir, path), "deep");
  const bytes = execFileSync("tar", ["--format=ustar", "-cf", "-", "-C", dir, path]);
  const [entry] = await parseAll(bytes, 512);
  assert.equal(entry?.name, path);
  assert.equal(entry?.content, "deep");
});

test("broken archives are InvalidArchiveError", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-tar-parse-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "a.txt"), "a".repeat(2000));
  const good = execFileSync("tar", ["--format=posix", "-cf", "-", "-C", dir, "a.txt"]);
  const badSum = Buffer.from(good);
  badSum[0] = (badSum[0] ?? 0) ^ 1;
  const v7 = execFileSync("tar", ["--format=v7", "-cf", "-", "-C", dir, "a.txt"]);
  const cases = [
    { name: "checksum", bytes: badSum, message: /checksum/ },
    { name: "cut inside the content", bytes: good.subarray(0, 512 * 3 + 100), message: /unexpected end/ },
    { name: "cut inside a header", bytes: good.subarray(0, 300), message: /unexpected end/ },
    { name: "not a tar format it knows (v7)", bytes: v7, message: /unknown format/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      await assert.rejects(parseAll(c.bytes, 512), (err: unknown) => {
        assert.ok(err instanceof InvalidArchiveError, String(err));
        assert.match(err.message, c.message);
        assert.match(err.message, /test\.tar/);
        return true;
      });
    });
  }
});

test("an empty stream and an end-of-archive marker alone hold no entries", async () => {
  assert.deepEqual(await parseAll(Buffer.alloc(0), 512), []);
  assert.deepEqual(await parseAll(Buffer.alloc(1024), 100), []);
});

test("an unknown type flag comes out as such, and readTarball refuses it naming the flag", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-tar-parse-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "a.txt"), "abc");
  const bytes = Buffer.from(execFileSync("tar", ["--format=ustar", "-cf", "-", "-C", dir, "a.txt"]));
  bytes[156] = "V".charCodeAt(0);
  // The checksum is over the header with its own field as spaces: six octal digits, NUL, space.
  bytes.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += bytes[i] ?? 0;
  bytes.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  for await (const { header } of parseTar(chunked(bytes, 512), "test.tar")) {
    assert.equal(header.type, "unknown");
    assert.equal(header.flag, "V");
  }
  const entries = readTarball(Readable.from([gzipSync(bytes)]), { what: "test.tgz" });
  await assert.rejects(
    (async () => {
      for await (const _ of entries) {
        // the first entry already fails
      }
    })(),
    (err: unknown) => {
      assert.ok(err instanceof UnsafeArchiveEntryError);
      assert.match(err.message, /type flag "V"/);
      return true;
    },
  );
});
