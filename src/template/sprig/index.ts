/** slim-sprig v3's hermetic function map (HermeticTxtFuncMap). */
import type { FuncMap } from "../funcs.ts";

export function sprigFuncs(): FuncMap {
  return {};
}
