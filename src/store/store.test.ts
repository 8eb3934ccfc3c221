import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { InvalidStoreKeyError } from "./errors.ts";
import { ArtifactStore } from "./store.ts";

const signal = AbortSignal.timeout(60_000);

async function withStore(fn: (s: ArtifactStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "ferry-store-"));
  try {
    const s = new ArtifactStore({ root });
    await s.init({ signal });
    await fn(s, root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test("put builds once, concurrent puts of one key share the build, owners keep entries alive", async () => {
  await withStore(async (s) => {
    let builds = 0;
    const build = async (dir: string) => {
      builds++;
      await new Promise((r) => setImmediate(r));
      await writeFile(join(dir, "a.txt"), "hello");
      return { files: 1 };
    };
    const [a, b] = await Promise.all([
      s.put("sha256-aa", "o1", build, { signal }),
      s.put("sha256-aa", "o2", build, { signal }),
    ]);
    assert.equal(builds, 1);
    assert.equal(a.dir, b.dir);
    assert.equal(await readFile(join(a.dir, "a.txt"), "utf8"), "hello");
    assert.deepEqual((await s.get("sha256-aa"))?.metadata, { files: 1 });
    // o1 moves to a new key: the old one stays while o2 references it.
    await s.put("sha256-bb", "o1", build, { signal });
    assert.deepEqual(await s.keys(), ["sha256-aa", "sha256-bb"]);
    await s.release("o2");
    assert.deepEqual(await s.keys(), ["sha256-bb"]);
    await s.release("o1");
    assert.deepEqual(await s.keys(), []);
  });
});

test("a failed build leaves nothing behind; gc removes unreferenced entries and leftovers", async () => {
  await withStore(async (s, root) => {
    await assert.rejects(
      s.put(
        "sha256-cc",
        "o",
        async (dir) => {
          await writeFile(join(dir, "partial"), "x");
          throw new Error("broken layer");
        },
        { signal },
      ),
      /broken layer/,
    );
    assert.deepEqual(await readdir(root), []);
    await s.put("sha256-dd", "o", async () => ({}), { signal });
    await s.put("sha256-ee", "p", async () => ({}), { signal });
    // A restarted process knows only the owners that re-registered.
    const s2 = new ArtifactStore({ root });
    await s2.init({ signal });
    assert.equal((await s2.reference("o", "sha256-dd"))?.key, "sha256-dd");
    assert.equal(
      await s2.reference("p", "sha256-ff"),
      undefined,
      "a key that is not stored is not referenced",
    );
    assert.equal(s2.referenced("p"), undefined);
    assert.deepEqual(await s2.gc({ signal, keep: ["sha256-ee"] }), []);
    assert.deepEqual(await s2.gc({ signal }), ["sha256-ee"]);
    assert.deepEqual(await s2.keys(), ["sha256-dd"]);
  });
});

test("keys that could escape the root are refused", async () => {
  await withStore(async (s) => {
    for (const key of ["../x", "a/b", "", ".hidden", "a..b"]) {
      assert.throws(() => s.dir(key), InvalidStoreKeyError, key);
    }
  });
});
