import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isRunning } from "../dev/processes.ts";
import { toolPath } from "../dev/tools.ts";
import { ensureDevRegistry, stopDevRegistry } from "./dev-registry.ts";

test("dev registry: started once, kept, stopped; a taken port and missing tools are clear errors", async (t) => {
  const signal = AbortSignal.timeout(60_000);
  const root = await mkdtemp(join(tmpdir(), "ferry-devreg-"));
  t.after(() => rm(root, { recursive: true, force: true }));

  const dir = join(root, "registry");
  t.after(() => stopDevRegistry(dir));
  const first = await ensureDevRegistry({ dir, signal });
  assert.equal(first.started, true);
  const res = await fetch(`http://${first.host}/v2/`);
  assert.equal(res.status, 200);
  const again = await ensureDevRegistry({ dir, signal });
  assert.deepEqual([again.started, again.host], [false, first.host]);
  assert.equal(await stopDevRegistry(dir), true);
  assert.equal(await isRunning(first.state.pid, first.state.bin), false);

  // The recorded port is now held by someone else.
  const srv = createServer((s) => s.destroy());
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  const port = (srv.address() as { port: number }).port;
  const taken = join(root, "taken");
  await mkdir(taken, { recursive: true });
  await writeFile(
    join(taken, "registry.json"),
    JSON.stringify({ pid: 2 ** 22 + 1, bin: toolPath("docker-registry"), port, logFile: "" }),
  );
  await assert.rejects(ensureDevRegistry({ dir: taken, signal }), {
    name: "DevFleetError",
    message: new RegExp(`port ${port} is taken by another process`),
  });

  await assert.rejects(
    ensureDevRegistry({ dir: join(root, "none"), cacheDir: join(root, "empty"), signal }),
    {
      name: "ToolNotFoundError",
      message: /npm run tools/,
    },
  );
});
