/** `npm run bench`: runs every benchmark suite in turn and prints one table per suite. */
const suites: Array<{ name: string; run: () => Promise<void> }> = [];

for (const s of suites) {
  console.log(`\n## ${s.name}`);
  await s.run();
}
if (suites.length === 0) console.log("no benchmark suites yet");
