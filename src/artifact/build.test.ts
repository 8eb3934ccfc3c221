import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildTarball } from "./build.ts";
import { SourcePathError } from "./errors.ts";
import { tarballTree } from "./tree.ts";

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ferry-artifact-build-"));
  roots.push(d);
  return d;
}

async function writeTree(root: string, files: Record<string, string>, order: string[] = Object.keys(files)) {
  for (const name of order) {
    await mkdir(join(root, name, ".."), { recursive: true });
    await writeFile(join(root, name), files[name] ?? "", { mode: 0o644 });
  }
}

const fleet = {
  "clusters/staging/flux-system/flux-instance.yaml": "kind: FluxInstance\n",
  "clusters/production/kustomization.yaml": "resources: []\n",
  "tenants/apps.yaml": "kind: ResourceSet\n",
  "README.md": "# fleet\n",
};

async function build(src: string, opts = {}) {
  const out = join(await tempDir(), "layer.tgz");
  const built = await buildTarball(src, out, opts);
  return { ...built, out };
}

async function names(out: string): Promise<string[]> {
  return [...(await tarballTree(createReadStream(out))).keys()].sort();
}

test("same content gives the same digest whatever the file times and creation order", async () => {
  const a = await tempDir();
  const b = await tempDir();
  await writeTree(a, fleet);
  await writeTree(b, fleet, Object.keys(fleet).reverse());
  await utimes(join(b, "README.md"), new Date("2001-02-03T04:05:06Z"), new Date("2001-02-03T04:05:06Z"));
  const [ba, bb] = [await build(a), await build(b)];
  assert.equal(ba.digest, bb.digest);
  assert.equal(ba.diffId, bb.diffId);
  assert.equal(ba.files, 4);
  await writeFile(join(b, "README.md"), "# changed\n");
  assert.notEqual((await build(b)).digest, ba.digest);
});

test("ignore rules: defaults, --ignore-paths, .sourceignore, .git always", async (t) => {
  const src = await tempDir();
  await writeTree(src, {
    ...fleet,
    ".git/config": "[core]\n",
    ".gitignore": "x\n",
    "logo.png": "png",
    "secrets/key.txt": "k",
    "tmp/cache.bin": "c",
    ".sourceignore": "tmp/\n",
  });
  const cases = [
    {
      name: "defaults plus .sourceignore",
      opts: {},
      absent: [".git", ".git/config", ".gitignore", "logo.png", "tmp", "tmp/cache.bin"],
      present: ["secrets/key.txt", ".sourceignore", "README.md"],
    },
    {
      name: "explicit ignore paths replace the defaults, .git stays out",
      opts: { ignorePaths: ["secrets/"] },
      absent: [".git/config", "secrets/key.txt", "tmp/cache.bin"],
      present: [".gitignore", "logo.png"],
    },
    {
      name: "without .sourceignore",
      opts: { ignorePaths: [], sourceIgnore: false },
      absent: [".git/config"],
      present: ["tmp/cache.bin", "logo.png", "secrets/key.txt"],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const got = await names((await build(src, c.opts)).out);
      for (const p of c.absent) assert.ok(!got.includes(p), `${p} must be ignored`);
      for (const p of c.present) assert.ok(got.includes(p), `${p} must be packed`);
    });
  }
});

test("symlinks are skipped as flux does", async () => {
  const src = await tempDir();
  await writeTree(src, fleet);
  await symlink("README.md", join(src, "link.md"));
  await symlink("/etc", join(src, "etc"));
  const got = await names((await build(src)).out);
  assert.ok(!got.includes("link.md"));
  assert.ok(!got.includes("etc"));
  assert.ok(got.includes("README.md"));
});

test("a single file is packed as flux stages it", async () => {
  const src = await tempDir();
  await writeTree(src, { "app.yaml": "kind: ConfigMap\n" });
  const built = await build(join(src, "app.yaml"));
  assert.equal(built.files, 1);
  assert.deepEqual(await names(built.out), ["app.yaml"]);
});

test("a missing source path is a SourcePathError and leaves no output", async () => {
  const dir = await tempDir();
  const out = join(dir, "layer.tgz");
  await assert.rejects(buildTarball(join(dir, "nope"), out), SourcePathError);
  await assert.rejects(import("node:fs/promises").then((fs) => fs.stat(out)));
});

test(".git is left out whether it is a folder or a file (worktrees, submodules)", async () => {
  const src = await tempDir();
  await writeTree(src, {
    "a.yaml": "a\n",
    ".git": "gitdir: ../main/.git/worktrees/x\n",
    "sub/.git/HEAD": "ref\n",
    "sub/b.yaml": "b\n",
  });
  const got = await names((await build(src, { ignorePaths: [] })).out);
  assert.deepEqual(got, ["a.yaml", "sub", "sub/b.yaml"]);
});

test("a .sourceignore can re-include what a broad pattern leaves out", async () => {
  const src = await tempDir();
  await writeTree(src, {
    "deploy/app.yaml": "a\n",
    "docs/readme.md": "d\n",
    "top.yaml": "t\n",
    ".sourceignore": "/*\n!/deploy/\n",
  });
  assert.deepEqual(await names((await build(src)).out), ["deploy", "deploy/app.yaml"]);
});
