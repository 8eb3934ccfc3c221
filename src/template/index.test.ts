import assert from "node:assert/strict";
import { test } from "node:test";
import { FerryError, UsageError } from "../errors/index.ts";
import { fn, GoNumber, parse, renderTemplate, TemplateError } from "./index.ts";

test("renderTemplate: defaults are {{ }}, sprig and missingkey=default", () => {
  assert.equal(renderTemplate("{{ .a | upper }}-{{ .missing }}", { a: "x" }), "X-<no value>");
});

test("renderTemplate: ResourceSet mode prints YAML/JSON integers as Go int64 and floats as float64", () => {
  const inputs = { replicas: 3, ratio: 0.25, name: "Team A", tags: ["a", "b"] };
  const out = renderTemplate(
    "replicas: << inputs.replicas >>\nratio: << inputs.ratio >>\nname: << inputs.name | slugify >>\n<< inputs.tags | toYaml >>",
    inputs,
    { name: "resourceset", delims: ["<<", ">>"], functions: "resourceset", missingKey: "error" },
  );
  assert.equal(out, "replicas: 3\nratio: 0.25\nname: team-a\n- a\n- b\n");
});

test("renderTemplate: ResourceSet mode has a nil dot, as Flux Operator executes with nil data", () => {
  assert.equal(
    renderTemplate("<< . >>", { a: 1 }, { delims: ["<<", ">>"], functions: "resourceset" }),
    "<no value>",
  );
});

test("TemplateError: execution errors carry Go's text, location and action", () => {
  const err = catchError(() =>
    renderTemplate("line one\n  {{ .a.b }}", { a: 1 }, { name: "rset", missingKey: "error" }),
  );
  assert.ok(err instanceof TemplateError);
  assert.ok(err instanceof FerryError);
  assert.equal(err.name, "TemplateError");
  assert.equal(
    err.message,
    'template: rset:2:7: executing "rset" at <.a.b>: can\'t evaluate field b in type interface {}',
  );
  assert.equal(err.phase, "exec");
  assert.equal(err.line, 2);
  assert.equal(err.column, 7);
  assert.equal(err.action, ".a.b");
  assert.equal(err.template, "rset");
});

test("TemplateError: parse errors carry the line", () => {
  const err = catchError(() => renderTemplate("a\n{{ if }}", {}, { name: "p" }));
  assert.ok(err instanceof TemplateError);
  assert.equal(err.message, "template: p:2: missing value for if");
  assert.equal(err.phase, "parse");
  assert.equal(err.line, 2);
});

test("TemplateError: the cause of a failing function is kept", () => {
  const err = catchError(() => renderTemplate('{{ fail "boom" }}', {}));
  assert.ok(err instanceof TemplateError);
  assert.match(err.message, /error calling fail: boom$/);
  assert.ok(err.cause instanceof Error);
});

test("parse: executes named templates and keeps definitions across executions", () => {
  const t = parse('{{ define "greet" }}hello {{ . }}{{ end }}{{ template "greet" .name }}', { name: "main" });
  assert.equal(t.execute({ name: "world" }), "hello world");
  assert.equal(t.execute("you", "greet"), "hello you");
  assert.deepEqual(t.templateNames().sort(), ["greet", "main"]);
  assert.throws(() => t.execute({}, "nope"), TemplateError);
});

test("helm library: include and tpl see the template set", () => {
  const out = renderTemplate(
    '{{ define "app.name" }}{{ .name }}-app{{ end }}name: {{ include "app.name" . | quote }}\nmsg: {{ tpl .msg . }}',
    { name: "web", msg: "hi {{ .name }}" },
    { functions: "helm" },
  );
  assert.equal(out, 'name: "web-app"\nmsg: hi web');
});

test("missingKey options", () => {
  const table: Array<["default" | "zero" | "error", string | RegExp]> = [
    ["default", "<no value>"],
    ["zero", "<no value>"],
    ["error", /map has no entry for key "x"/],
  ];
  for (const [missingKey, want] of table) {
    if (typeof want === "string")
      assert.equal(renderTemplate("{{ .x }}", {}, { missingKey }), want, missingKey);
    else assert.throws(() => renderTemplate("{{ .x }}", {}, { missingKey }), want);
  }
});

test("extraFuncs: callers can add typed functions", () => {
  const out = renderTemplate("{{ twice 21 }}", null, {
    extraFuncs: { twice: fn(["int"], (n: GoNumber) => new GoNumber(n.value * 2, "int")) },
  });
  assert.equal(out, "42");
});

test("values: bigint and GoNumber carry Go types", () => {
  assert.equal(
    renderTemplate('{{ .n }} {{ printf "%T" .f }} {{ .f }}', {
      n: 9007199254740993n,
      f: new GoNumber(2, "float64"),
    }),
    "9007199254740993 float64 2",
  );
});

test("options: an unknown library or missingKey is a usage error", () => {
  assert.throws(
    () => renderTemplate("x", {}, { functions: "bogus" as never }),
    (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(
        (e as Error).message,
        /unknown template function library "bogus"; use one of sprig, resourceset, helm, none/,
      );
      return true;
    },
  );
  assert.throws(() => renderTemplate("x", {}, { missingKey: "invalid" as never }), UsageError);
});

test("Template.parse adds files to one set (Helm's _helpers.tpl then a manifest)", () => {
  const t = parse('{{ define "name" }}{{ .n | trunc 3 }}{{ end }}', {
    name: "_helpers.tpl",
    functions: "helm",
  });
  t.parse('name: {{ include "name" . }}', "deploy.yaml");
  assert.equal(t.execute({ n: "abcdef" }, "deploy.yaml"), "name: abc");
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail("expected an error");
}
