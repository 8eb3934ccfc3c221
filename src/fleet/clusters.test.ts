import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseFleetFile, parseSelector, resolveFleet } from "./clusters.ts";
import { FleetFileError, NoClustersError, SelectorError } from "./errors.ts";

let dir: string;

const kubeconfig = (contexts: string[]) =>
  [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: c",
    "    cluster: { server: https://127.0.0.1:1 }",
    "users:",
    "  - name: u",
    "    user: { token: t }",
    "contexts:",
    ...contexts.map((c) => `  - name: ${c}\n    context: { cluster: c, user: u }`),
    `current-context: ${contexts[0] ?? ""}`,
    "",
  ].join("\n");

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-fleet-clusters-"));
  await writeFile(join(dir, "two.yaml"), kubeconfig(["staging", "production"]));
  await writeFile(join(dir, "other.yaml"), kubeconfig(["staging"]));
  await writeFile(join(dir, "broken.yaml"), "contexts: [");
  for (const name of ["staging", "production"]) {
    await mkdir(join(dir, "dev", name), { recursive: true });
    await writeFile(join(dir, "dev", name, "kubeconfig"), kubeconfig([name]));
  }
  await mkdir(join(dir, "dev", "half-created"), { recursive: true });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("every context of each --kubeconfig is a cluster; repeated names are made unique", async () => {
  const fleet = await resolveFleet({ kubeconfigs: [join(dir, "two.yaml"), join(dir, "other.yaml")] });
  assert.deepEqual(
    fleet.map((c) => [c.name, c.context]),
    [
      ["staging@two.yaml", "staging"],
      ["production", "production"],
      ["staging@other.yaml", "staging"],
    ],
  );
});

test("an unreadable kubeconfig is a cluster with a problem, not a failure", async () => {
  const fleet = await resolveFleet({ kubeconfigs: [join(dir, "broken.yaml"), join(dir, "missing.yaml")] });
  assert.equal(fleet.length, 2);
  assert.match(fleet[0]?.problem ?? "", /kubeconfig .*broken\.yaml cannot be read/);
  assert.match(fleet[1]?.problem ?? "", /missing\.yaml cannot be read: .*ENOENT/);
});

test("--context filters by cluster or context name; an unknown one is a usage error", async () => {
  const two = join(dir, "two.yaml");
  const fleet = await resolveFleet({ kubeconfigs: [two], contexts: ["production"] });
  assert.deepEqual(
    fleet.map((c) => c.name),
    ["production"],
  );
  await assert.rejects(
    resolveFleet({ kubeconfigs: [two], contexts: ["prod-eu"] }),
    (err: unknown) =>
      err instanceof NoClustersError &&
      /--context prod-eu matches none of staging, production/.test(err.message),
  );
});

test("without kubeconfig or fleet file the dev clusters are the fleet", async () => {
  const fleet = await resolveFleet({ devClustersDir: join(dir, "dev") });
  assert.deepEqual(
    fleet.map((c) => [c.name, c.kubeconfig, c.origin]),
    [
      ["production", join(dir, "dev", "production", "kubeconfig"), "dev"],
      ["staging", join(dir, "dev", "staging", "kubeconfig"), "dev"],
    ],
  );
  await assert.rejects(resolveFleet({ devClustersDir: join(dir, "none") }), (err: unknown) => {
    assert.ok(err instanceof NoClustersError);
    assert.match(err.message, /no local dev cluster under .*none\); pass --kubeconfig FILE or --fleet/);
    assert.equal(err.exitCode, 2);
    return true;
  });
});

test("fleet file: list or clusters map, relative and ~ paths, labels, selector", async () => {
  const file = join(dir, "ferry-fleet.yaml");
  await writeFile(
    file,
    [
      "clusters:",
      "  - name: eu",
      "    kubeconfig: two.yaml",
      "    context: production",
      "    labels: { env: production, region: eu }",
      "  - context: staging",
      "    kubeconfig: ~/kc/staging.yaml",
      "    labels: { env: staging }",
      "",
    ].join("\n"),
  );
  const fleet = await resolveFleet({ fleetFile: file, home: "/home/me" });
  assert.deepEqual(fleet, [
    {
      name: "eu",
      kubeconfig: join(dir, "two.yaml"),
      context: "production",
      labels: { env: "production", region: "eu" },
      origin: "fleet",
    },
    {
      name: "staging",
      kubeconfig: "/home/me/kc/staging.yaml",
      context: "staging",
      labels: { env: "staging" },
      origin: "fleet",
    },
  ]);
  const prod = await resolveFleet({ fleetFile: file, selector: parseSelector("env=production") });
  assert.deepEqual(
    prod.map((c) => c.name),
    ["eu"],
  );
  await assert.rejects(resolveFleet({ fleetFile: file, selector: { env: "qa" } }), NoClustersError);
  assert.deepEqual(parseFleetFile(file, "- {name: a, kubeconfig: /k}\n"), [
    { name: "a", kubeconfig: "/k", context: undefined, labels: {}, origin: "fleet" },
  ]);
});

test("fleet file errors name the file and the entry", async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ["not yaml", "clusters: [", /not valid YAML/],
    ["empty", "clusters: []\n", /has no clusters/],
    ["no kubeconfig", "clusters:\n  - name: a\n", /clusters\[0\]\.kubeconfig is missing/],
    ["no name", "- kubeconfig: k\n", /clusters\[0\] has neither name nor context/],
    ["bad name", "- {name: 3, kubeconfig: k}\n", /clusters\[0\]\.name must be a non-empty string/],
    ["bad labels", "- {name: a, kubeconfig: k, labels: [x]}\n", /clusters\[0\]\.labels must be a map/],
  ];
  for (const [name, text, re] of cases) {
    await t.test(name, () =>
      assert.throws(
        () => parseFleetFile("/f/ferry-fleet.yaml", text),
        (err: unknown) =>
          err instanceof FleetFileError &&
          /^fleet file \/f\/ferry-fleet\.yaml: /.test(err.message) &&
          re.test(err.message),
      ),
    );
  }
  await t.test("missing file", () =>
    assert.rejects(
      resolveFleet({ fleetFile: join(dir, "nope.yaml") }),
      /fleet file .*nope\.yaml: cannot be read/,
    ),
  );
  await t.test("selector syntax", () => assert.throws(() => parseSelector("env"), SelectorError));
});
