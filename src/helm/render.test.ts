/**
 * Rendering checked byte for byte against the real `helm template` (helm v3, built from its Go module):
 * Ferry's test chart (subcharts as folder and .tgz, alias, condition, tags, library chart, import-values,
 * partials, tpl, Files, hooks, CRDs, NOTES.txt, .helmignore) with several value sets, a chart calling
 * Helm's functions beyond slim-sprig, and the charts in
 * helm's own testdata that `helm template` renders.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { toolPath } from "../dev/tools.ts";
import { DEFAULT_CAPABILITIES, loadChart, parseYamlMap, renderChart, templateOutput } from "./index.ts";

const run = promisify(execFile);
const here = new URL(".", import.meta.url).pathname;

async function helmTemplate(chart: string, args: string[]): Promise<string> {
  const { stdout } = await run(toolPath("helm"), ["template", "rel", chart, "-n", "ns1", ...args], {
    env: { ...process.env, HELM_CACHE_HOME: tmp, HELM_CONFIG_HOME: tmp, HELM_DATA_HOME: tmp },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

let tmp = "";
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferry-helm-render-"));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const overrides = `
removeMe: null
replicaCount: 5
bigNumber: 12345678
image: {tag: "9.9"}
global: {region: us, disabledToo: false}
cache: {enabled: false}
tags: {observability: false}
disabled: {enabled: true}
service: {annotations: {a: b}}
podLabels: null
`;

const cases: {
  name: string;
  values?: string;
  kube?: string;
  apis?: string[];
  crds?: boolean;
  noHooks?: boolean;
}[] = [
  { name: "defaults with CRDs", crds: true },
  {
    name: "overrides: null deletes, conditions and tags off, globals",
    values: overrides,
    kube: "1.30.2",
    apis: ["example.com/v1"],
  },
  {
    name: "no hooks",
    noHooks: true,
    values: "greeting: '{{ .Chart.Name }}-{{ .Values.replicaCount }}'\nextraEnv: []",
  },
];

describe("renderChart matches helm template", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const chart = join(here, "testdata/webapp");
      const args: string[] = [];
      if (c.values !== undefined) {
        const f = join(tmp, `values-${cases.indexOf(c)}.yaml`);
        await writeFile(f, c.values);
        args.push("-f", f);
      }
      if (c.kube) args.push("--kube-version", c.kube);
      for (const a of c.apis ?? []) args.push("--api-versions", a);
      if (c.crds) args.push("--include-crds");
      if (c.noHooks) args.push("--no-hooks");
      const want = await helmTemplate(chart, args);
      const r = renderChart(await loadChart(chart), {
        releaseName: "rel",
        namespace: "ns1",
        values: c.values === undefined ? {} : parseYamlMap(c.values),
        capabilities: {
          kubeVersion: c.kube ? `v${c.kube}` : DEFAULT_CAPABILITIES.kubeVersion,
          apiVersions: [...DEFAULT_CAPABILITIES.apiVersions, ...(c.apis ?? [])],
        },
      });
      assert.equal(templateOutput(r, { includeCrds: c.crds, noHooks: c.noHooks }), want);
      assert.match(r.notes, /Thank you for installing webapp\. Release rel\./);
    });
  }

  it("Helm's functions beyond slim-sprig (merge, tpl with define, toToml, toYamlPretty, fromToml, …)", async () => {
    const chart = join(here, "testdata/functions");
    const want = await helmTemplate(chart, []);
    const r = renderChart(await loadChart(chart), { releaseName: "rel", namespace: "ns1" });
    assert.equal(templateOutput(r), want);
  });

  it("a packaged chart with a packaged subchart", async () => {
    const dir = join(tmp, "packaged");
    await cp(join(here, "testdata/webapp"), join(dir, "webapp"), { recursive: true });
    await run(toolPath("helm"), [
      "package",
      join(dir, "webapp/charts/metrics"),
      "-d",
      join(dir, "webapp/charts"),
    ]);
    await rm(join(dir, "webapp/charts/metrics"), { recursive: true });
    await run(toolPath("helm"), ["package", join(dir, "webapp"), "-d", dir]);
    const tgz = join(dir, "webapp-1.2.3.tgz");
    const want = await helmTemplate(tgz, ["--include-crds"]);
    const chart = await loadChart(tgz);
    assert.deepEqual(
      chart.dependencies.map((d) => d.metadata.name),
      ["cache", "common", "disabled", "metrics"],
    );
    assert.equal(
      chart.files.some((f) => f.name.startsWith("ignored/") || f.name.endsWith(".bak")),
      false,
    );
    const r = renderChart(chart, { releaseName: "rel", namespace: "ns1" });
    assert.equal(templateOutput(r, { includeCrds: true }), want);
  });

  it("real-world charts: kwok's, from the pinned kwok module", async () => {
    const { stdout } = await run("go", ["list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/kwok"], {
      cwd: join(here, "../../tools/go/kwok"),
    });
    const charts = join(stdout.trim(), "charts");
    const names = (await readdir(charts, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.ok(names.includes("kwok"), `kwok charts: ${names.join(", ")}`);
    for (const name of names) {
      const want = await helmTemplate(join(charts, name), ["--include-crds"]);
      const r = renderChart(await loadChart(join(charts, name)), { releaseName: "rel", namespace: "ns1" });
      assert.equal(templateOutput(r, { includeCrds: true }), want, name);
    }
  });

  it("helm's own test charts", async () => {
    // The helm module the oracle was built from (tools/go/helm/go.mod pins it).
    const { stdout } = await run("go", ["list", "-m", "-f", "{{.Dir}}", "helm.sh/helm/v3"], {
      cwd: join(here, "../../tools/go/helm"),
    });
    const base = stdout.trim();
    const dirs = [join(base, "cmd/helm/testdata/testcharts"), join(base, "pkg/chartutil/testdata")];
    let compared = 0;
    for (const d of dirs) {
      for (const name of (await readdir(d)).sort()) {
        if (/\.(ya?ml|json|sh|prov|tar\.gz)$/.test(name)) continue;
        const path = join(d, name);
        let want: string;
        try {
          want = await helmTemplate(path, ["--include-crds"]);
        } catch {
          // helm refuses it (bad charts, schema violations): Ferry need not render it.
          continue;
        }
        const r = renderChart(await loadChart(path), { releaseName: "rel", namespace: "ns1" });
        assert.equal(templateOutput(r, { includeCrds: true }), want, name);
        compared++;
      }
    }
    assert.ok(compared >= 15, `compared ${compared} charts`);
  });
});
