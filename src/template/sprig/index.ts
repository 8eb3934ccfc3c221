/**
 * slim-sprig v3.0.0's HermeticTxtFuncMap — the function set Flux Operator gives ResourceSet templates:
 * everything in sprig's generic map except the non-hermetic functions (date, now, env, random strings,
 * uuidv4, getHostByName, …). Each function keeps Go's parameter types (an int parameter refuses an int64
 * value, as in Go) and Go's results, including its panics and their messages.
 */
import type { FuncMap } from "../funcs.ts";
import { listFuncs } from "./lists.ts";
import { miscFuncs } from "./misc.ts";
import { numericFuncs } from "./numeric.ts";
import { stringFuncs } from "./strings.ts";

export function sprigFuncs(): FuncMap {
  return { ...stringFuncs(), ...numericFuncs(), ...listFuncs(), ...miscFuncs() };
}

export { strval, toFloat64, toInt64 } from "./util.ts";
