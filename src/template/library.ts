/** Assembles the function map of each library: Go builtins, then slim-sprig, then the extras. */
import { builtins } from "./builtins.ts";
import type { FuncMap } from "./funcs.ts";
import { helmFuncs } from "./helm.ts";
import { resourceSetFuncs } from "./resourceset.ts";
import { sprigFuncs } from "./sprig/index.ts";
import type { Template } from "./template.ts";

export function libraryFuncs(library: string, t: Template): FuncMap {
  switch (library) {
    case "none":
      return builtins();
    case "resourceset":
      return { ...builtins(), ...sprigFuncs(), ...resourceSetFuncs(t) };
    case "helm":
      return { ...builtins(), ...sprigFuncs(), ...helmFuncs(t) };
    default:
      return { ...builtins(), ...sprigFuncs() };
  }
}
