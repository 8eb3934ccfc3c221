/**
 * `npm run bench`: runs every benchmark suite in turn and prints one markdown table per suite.
 * `npm run bench -- render sign` runs only the named suites. Arguments from the first one starting with `-`
 * on are the mttp suite's options: `npm run bench -- mttp --sizes 100,500`.
 */
const argv = process.argv.slice(2);
const firstFlag = argv.findIndex((a) => a.startsWith("-"));
const suiteArgs = firstFlag < 0 ? [] : argv.slice(firstFlag);
const suites: Array<{ name: string; load: () => Promise<{ run: () => Promise<void> }> }> = [
  { name: "publish", load: () => import("./publish.ts") },
  { name: "sign", load: () => import("./sign.ts") },
  { name: "template", load: () => import("./template.ts") },
  { name: "render", load: () => import("./render.ts") },
  { name: "apply", load: () => import("./apply.ts") },
  {
    name: "mttp",
    load: async () => {
      const m = await import("./mttp.ts");
      return { run: () => m.run(suiteArgs) };
    },
  },
];

const only = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
const unknown = only.filter((n) => !suites.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark suite(s): ${unknown.join(", ")}; known: ${suites.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}
for (const s of suites) {
  if (only.length > 0 && !only.includes(s.name)) continue;
  console.log(`\n## ${s.name}\n`);
  const mod = await s.load();
  await mod.run();
}
