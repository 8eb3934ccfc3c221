#!/usr/bin/env node
// Ferry's executable. Ferry needs Node.js 24 or later (it runs its TypeScript sources directly);
// when started by an older Node, it re-executes itself with the Node 24 that `npm ci` installs.
import { existsSync } from "node:fs";
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
// Publish commands are short-lived and spend their time in native code (hashing, gzip, I/O): without
// V8's optimizing compilers and with a young generation that does not grow they need 10-30 MiB less
// memory at the same CPU time (docs/publish.md, benchmark). Long-running and CPU-heavy commands (agent,
// build) keep the defaults. Set before any module is compiled, so the compile cache below always sees the
// same flags. Builtins through getBuiltinModule (Node 24 here): no ES module facade to build.
const command = process.argv.slice(2).find((a) => !a.startsWith("-"));
if (["push", "pull", "tag", "list", "diff", "release", "promote", "rollback"].includes(command ?? "")) {
  const v8 = process.getBuiltinModule("node:v8");
  v8.setFlagsFromString("--semi-space-growth-factor=1");
  v8.setFlagsFromString("--no-opt");
  v8.setFlagsFromString("--no-maglev");
}
// A reader that stops early (`ferry … | head`) closes the pipe: end quietly, as Unix tools do, instead of
// an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code !== "EPIPE") throw err;
    process.exit(process.exitCode ?? 0);
  });
}
// Cache compiled (type-stripped) modules on disk: halves start-up time for every later run.
process.getBuiltinModule("node:module").enableCompileCache?.();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
