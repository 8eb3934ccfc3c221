// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} is Flux variable syntax, not a JS template
import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvsubstError, envsubst, referencedVariables } from "./envsubst.ts";
import { globMatch } from "./glob.ts";

const vars: Record<string, string> = {
  NAME: "podinfo",
  EMPTY: "",
  MIXED: "hello World",
  PATH_V: "/usr/local/bin",
  FILE: "archive.tar.gz",
  NUM: "3",
  UPPER: "ABC",
  ÜBER: "ok",
};
const lookup = (n: string) => vars[n];

test("envsubst: every supported form", () => {
  const cases: Array<[string, string]> = [
    ["plain text", "plain text"],
    ["${NAME}", "podinfo"],
    ["a-${NAME}-b", "a-podinfo-b"],
    ["${NAME}${NUM}", "podinfo3"],
    ["${MISSING}", ""],
    ["${#NAME}", "7"],
    ["${#MISSING}", "0"],
    ["${MIXED^}", "Hello World"],
    ["${MIXED^^}", "HELLO WORLD"],
    ["${UPPER,}", "aBC"],
    ["${UPPER,,}", "abc"],
    ["${UPPER,^}", "ABC"],
    ["${NAME:3}", "info"],
    ["${NAME:3:2}", "in"],
    ["${NAME:-4}", "podinfo"],
    ["${NAME: -4}", "podinfo"],
    ["${NAME:10}", ""],
    ["${NAME:2:100}", "dinfo"],
    ["${NAME:x}", "podinfo"],
    ["${NAME:${NUM}}", "info"],
    ["${FILE#*.}", "tar.gz"],
    ["${FILE##*.}", "gz"],
    ["${FILE%.*}", "archive.tar"],
    ["${FILE%%.*}", "archive"],
    ["${PATH_V#/usr}", "/local/bin"],
    ["${FILE#nomatch}", "archive.tar.gz"],
    ["${FILE#[a-c]}", "rchive.tar.gz"],
    ["${FILE#[^a]}", "archive.tar.gz"],
    ["${FILE#?r}", "chive.tar.gz"],
    ["${MISSING:=fallback}", "fallback"],
    ["${MISSING=fallback}", "fallback"],
    ["${EMPTY:=fallback}", "fallback"],
    ["${EMPTY=fallback}", "fallback"],
    ["${EMPTY:-fallback}", "fallback"],
    ["${NAME:-fallback}", "podinfo"],
    ["${MISSING:+alt}", "alt"],
    ["${MISSING:?alt}", "alt"],
    ["${MISSING:=}", ""],
    ["${MISSING:=a ${NAME} b}", "a podinfo b"],
    ["${MISSING:=${ALSO:=deep}}", "deep"],
    ["${MISSING:=$$x}", "$$x"],
    ["${MIXED/o/0}", "hell0 World"],
    ["${MIXED//o/0}", "hell0 W0rld"],
    ["${MIXED//o/}", "hell Wrld"],
    ["${MIXED/#hello/bye}", "bye World"],
    ["${MIXED/#World/x}", "hello World"],
    ["${MIXED/%World/there}", "hello there"],
    ["${MIXED/%World/}", "hello World"],
    ["${PATH_V//\\//:}", ":usr:local:bin"],
    ["${NAME/pod/${NUM}}", "3info"],
    ["${NAME/pod/$$}", "$info"],
    ["${ÜBER}", "ok"],
    ["$$", "$"],
    ["$${NAME}", "${NAME}"],
    ["$$$", "$$"],
    ["$$${NAME}", "$podinfo"],
    ["$NAME", "$NAME"],
    ["cost: 5$", "cost: 5$"],
    ["^https://x\\.io$", "^https://x\\.io$"],
    ["{${NAME}}", "{podinfo}"],
  ];
  for (const [input, want] of cases) assert.equal(envsubst(input, lookup), want, input);
});

test("envsubst: parse errors name the problem and the expression", () => {
  const cases: Array<[string, string]> = [
    ["${}", "unable to parse variable name"],
    ["${NAME", "missing closing brace"],
    ["${NAME x}", "missing closing brace"],
    ["${NAME-x}", "missing closing brace"],
    ["${NAME+x}", "missing closing brace"],
    ["${#}", "bad substitution"],
    ["${#NAME:1}", "bad substitution"],
    ["${NAME#}", "unable to parse substitution within function"],
    ["${NAME:}", "unable to parse substitution within function"],
    ["${NAME:1x${NUM}}", "bad substitution"],
    ["${NAME/a}", "bad substitution"],
    ["${MIXED//o}", "bad substitution"],
    ["${NAME^x}", "bad substitution"],
    ["${NAME:=x", "unable to parse substitution within function"],
  ];
  for (const [input, problem] of cases) {
    assert.throws(
      () => envsubst(input, lookup),
      (err: unknown) =>
        err instanceof EnvsubstError && err.problem === problem && err.message.includes(input),
      input,
    );
  }
});

test("envsubst: strict mode rejects unset variables unless a default operator handles them", () => {
  for (const input of ["${MISSING}", "${#MISSING}", "${MISSING^^}", "${MISSING/a/b}", "${MISSING:1}"]) {
    assert.throws(
      () => envsubst(input, lookup, { strict: true }),
      (err: unknown) =>
        err instanceof EnvsubstError && err.variable === "MISSING" && /MISSING:=value/.test(err.message),
      input,
    );
  }
  assert.equal(envsubst("${MISSING:=d}/${MISSING=e}/${MISSING:-f}", lookup, { strict: true }), "d/e/f");
  assert.equal(envsubst("${EMPTY}", lookup, { strict: true }), "");
});

test("referencedVariables lists names in order of first use", () => {
  assert.deepEqual(referencedVariables("${A} ${B:=${C}} ${A} $${D}"), ["A", "B", "C"]);
});

test("globMatch: Flux's pattern rules", () => {
  const cases: Array<[string, string, boolean]> = [
    ["*", "", true],
    ["*", "a/b", true],
    ["a*", "abc", true],
    ["*c", "abc", true],
    ["*b*", "abc", true],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["[a-c]x", "bx", true],
    ["[^a-c]x", "bx", false],
    ["\\*", "*", true],
    ["a*/c", "ab/x/c", true],
  ];
  for (const [p, s, want] of cases) assert.equal(globMatch(p, s), want, `${p} ~ ${s}`);
  assert.throws(() => globMatch("[", "x"));
});
