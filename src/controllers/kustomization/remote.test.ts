import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { findRemoteBase } from "./remote.ts";

const signal = AbortSignal.timeout(30_000);
const kus = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join("")}`;

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "ferry-remote-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

test("findRemoteBase: the first remote entry reachable from the build folder, through bases and generated folders", async () => {
  const table: Array<{ name: string; files: Record<string, string>; dir: string; want?: string }> = [
    {
      name: "local overlay and base",
      files: {
        "app/kustomization.yaml": kus("../base", "cm.yaml"),
        "base/kustomization.yaml": kus("d.yaml"),
      },
      dir: "app",
    },
    {
      name: "remote in a referenced base",
      files: {
        "app/kustomization.yaml": kus("../base"),
        "base/kustomization.yaml": kus("https://github.com/acme/lib//deploy?ref=v1"),
      },
      dir: "app",
      want: "base/kustomization.yaml https://github.com/acme/lib//deploy?ref=v1",
    },
    {
      name: "remote component in a subfolder of a generated folder",
      files: {
        "clusters/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        "clusters/sub/kustomization.yml": "components:\n  - git@github.com:acme/c.git\n",
      },
      dir: "clusters",
      want: "clusters/sub/kustomization.yml git@github.com:acme/c.git",
    },
    {
      name: "a remote base outside the build folder's reach does not count",
      files: { "app/kustomization.yaml": kus("cm.yaml"), "other/kustomization.yaml": kus("https://x.io/y") },
      dir: "app",
    },
    {
      name: "absolute paths are kustomize's to refuse, not remote",
      files: { "app/kustomization.yaml": kus("/etc/passwd") },
      dir: "app",
    },
    {
      name: "a cycle ends",
      files: { "a/kustomization.yaml": kus("../b"), "b/kustomization.yaml": kus("../a") },
      dir: "a",
    },
  ];
  for (const c of table) {
    const root = await tree(c.files);
    try {
      const r = await findRemoteBase(root, join(root, c.dir), { signal });
      assert.equal(r ? `${r.file} ${r.entry}` : undefined, c.want, c.name);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
});
