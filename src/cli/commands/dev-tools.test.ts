import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { UsageError } from "../../errors/index.ts";
import type { CliContext } from "../context.ts";
import { ensureTools, missingTools } from "./dev-tools.ts";

/** A CLI context whose stderr is collected, with FERRY_CACHE at a folder of the test's own. */
function context(env: Record<string, string | undefined>): { ctx: CliContext; stderr: () => string } {
  const err = new PassThrough();
  let text = "";
  err.on("data", (d: Buffer) => {
    text += d.toString();
  });
  const ctx: CliContext = {
    env,
    stdout: new PassThrough(),
    stderr: err,
    signal: AbortSignal.timeout(300_000),
    cwd: process.cwd(),
    exitCode: 0,
  };
  return { ctx, stderr: () => text };
}

/** A tool index listing `present` (each pointing at an existing file) in a fresh cache folder, as tools.sh writes it. */
async function cacheWith(present: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-tools-"));
  await mkdir(join(dir, "tools.d"));
  const entries: Record<string, string> = {};
  for (const name of present) {
    const p = join(dir, name);
    await writeFile(p, "");
    await writeFile(join(dir, "tools.d", name), p);
    entries[name] = p;
  }
  await writeFile(join(dir, "tools.json"), JSON.stringify(entries));
  return dir;
}

test("missingTools lists what the index lacks or what no longer exists; nothing missing builds nothing", async (t) => {
  const cache = await cacheWith(["etcd", "kwok"]);
  t.after(() => rm(cache, { recursive: true, force: true }));
  const { ctx, stderr } = context({ ...process.env, FERRY_CACHE: cache });
  assert.deepEqual(missingTools(ctx, ["etcd", "kwok", "kube-apiserver"]), ["kube-apiserver"]);
  await rm(join(cache, "kwok"));
  assert.deepEqual(missingTools(ctx, ["etcd", "kwok"]), ["kwok"]);
  await ensureTools(ctx, ["etcd"]);
  assert.equal(stderr(), "", "all present: no build, no output");
});

test("ensureTools without Go on PATH is a usage error that says how to get the tools", async (t) => {
  const cache = await cacheWith([]);
  t.after(() => rm(cache, { recursive: true, force: true }));
  const { ctx } = context({ ...process.env, FERRY_CACHE: cache, PATH: "/nonexistent" });
  await assert.rejects(ensureTools(ctx, ["kube-apiserver"]), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(
      err.message,
      /kube-apiserver are not built yet and there is no Go toolchain on PATH.*npm run tools/,
    );
    return true;
  });
});

test("ensureTools builds a missing tool with scripts/tools.sh into the given cache and indexes it", async (t) => {
  // kwok-stages is the cheapest real entry: the pinned kwok module's stage files, concatenated.
  const cache = await cacheWith(["etcd"]);
  t.after(() => rm(cache, { recursive: true, force: true }));
  const { ctx, stderr } = context({ ...process.env, FERRY_CACHE: cache });
  await ensureTools(ctx, ["etcd", "kwok-stages"]);
  assert.match(stderr(), /^building kwok-stages from their pinned Go modules into /);
  const index = JSON.parse(await readFile(join(cache, "tools.json"), "utf8")) as Record<string, string>;
  assert.ok(index["kwok-stages"]?.startsWith(cache), JSON.stringify(index));
  assert.ok(existsSync(index["kwok-stages"] ?? ""));
  assert.equal(index.etcd, join(cache, "etcd"), "other entries are kept");
  assert.deepEqual(missingTools(ctx, ["etcd", "kwok-stages"]), []);
});
