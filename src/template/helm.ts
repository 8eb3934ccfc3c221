/**
 * Helm's template functions beyond sprig: include, tpl, required, toYaml/fromYaml/fromYamlArray,
 * toJson/fromJson/fromJsonArray, semverCompare (full sprig's, on src/semver's Masterminds/semver v3
 * semantics), and lookup (an empty map: there is no cluster).
 */
import { parse as parseYaml } from "yaml";
import { parseConstraint, parseLenient } from "../semver/index.ts";
import { type FuncMap, fn } from "./funcs.ts";
import { helmSprigFuncs } from "./helmsprig.ts";
import { goJsonDecode } from "./sprig/misc.ts";
import type { Template } from "./template.ts";
import { parseToml, toToml } from "./toml.ts";
import { jsonMarshal, toYaml } from "./yaml.ts";
import { toYamlPretty } from "./yamlpretty.ts";

export function helmFuncs(t: Template): FuncMap {
  return {
    ...helmSprigFuncs(),
    ...includeAndTpl(t),
    required: fn(["string", "any"], (msg: string, v: unknown) => {
      if (v === null || v === undefined || v === "") throw new Error(msg);
      return v;
    }),
    toYaml: fn(["any"], (v: unknown) => {
      try {
        return toYaml(v).replace(/\n$/, "");
      } catch {
        return "";
      }
    }),
    toYamlPretty: fn(["any"], (v: unknown) => toYamlPretty(v)),
    toToml: fn(["any"], (v: unknown) => toToml(v)),
    fromToml: fn(["string"], (s: string) => {
      try {
        return parseToml(s);
      } catch (e) {
        return { Error: (e as Error).message };
      }
    }),
    fromYaml: fn(["string"], (s: string) => {
      try {
        const v = floats(parseYaml(s, { version: "1.1" }));
        return v && typeof v === "object" && !Array.isArray(v) ? v : {};
      } catch (e) {
        return { Error: (e as Error).message };
      }
    }),
    fromYamlArray: fn(["string"], (s: string) => {
      try {
        const v = floats(parseYaml(s, { version: "1.1" }));
        return Array.isArray(v) ? v : [];
      } catch (e) {
        return [(e as Error).message];
      }
    }),
    toJson: fn(["any"], (v: unknown) => {
      try {
        return jsonMarshal(v);
      } catch {
        return "";
      }
    }),
    fromJson: fn(["string"], (s: string) => {
      try {
        const v = goJsonDecode(s);
        return v && typeof v === "object" && !Array.isArray(v) ? v : {};
      } catch (e) {
        return { Error: (e as Error).message };
      }
    }),
    fromJsonArray: fn(["string"], (s: string) => {
      try {
        const v = goJsonDecode(s);
        return Array.isArray(v) ? v : [];
      } catch (e) {
        return [(e as Error).message];
      }
    }),
    semverCompare: fn(["string", "string"], (constraint: string, version: string) => {
      let c: ReturnType<typeof parseConstraint>;
      try {
        c = parseConstraint(constraint);
      } catch {
        throw new Error(`improper constraint: ${constraint}`);
      }
      let v: ReturnType<typeof parseLenient>;
      try {
        v = parseLenient(version);
      } catch {
        throw new Error("Invalid Semantic Version");
      }
      return c.check(v);
    }),
    lookup: fn(["string", "string", "string", "string"], () => ({})),
  };
}

/**
 * include executes a named template of the set; tpl parses text into a clone of the set whose include
 * and tpl see the clone (so the text can define and include its own templates), and drops "<no value>"
 * from the result, as Helm's engine does.
 */
function includeAndTpl(t: Template): FuncMap {
  return {
    include: fn(["string", "any"], (name: string, data: unknown) => t.execute(data, name)),
    tpl: fn(["string", "any"], (text: string, data: unknown) => {
      const c = t.clone();
      c.funcs = { ...t.funcs, ...includeAndTpl(c) };
      try {
        c.parse(text, t.name);
      } catch (e) {
        throw new Error(`cannot parse template ${JSON.stringify(text)}: ${(e as Error).message}`);
      }
      try {
        return c.execute(data, t.name).replaceAll("<no value>", "");
      } catch (e) {
        throw new Error(
          `error during tpl function execution for ${JSON.stringify(text)}: ${(e as Error).message}`,
        );
      }
    }),
  };
}

/** Helm decodes YAML through JSON (sigs.k8s.io/yaml): every number becomes a float64. */
function floats(v: unknown): unknown {
  return v === undefined ? null : goJsonDecode(JSON.stringify(v));
}
