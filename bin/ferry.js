#!/usr/bin/env node
// Ferry's executable. Ferry needs Node.js 24 or later (it runs its TypeScript sources directly);
// when started by an older Node, it re-executes itself with the Node 24 that `npm ci` installs.
import { existsSync } from "node:fs";
import module from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  const local = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(local)) {
    process.stderr.write(
      `error: Ferry needs Node.js 24 or later (this is ${process.version}); run \`npm ci\` in ${root} to install it locally\n`,
    );
    process.exit(1);
  }
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}
// Cache compiled (type-stripped) modules on disk: halves start-up time for every later run.
module.enableCompileCache?.();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
