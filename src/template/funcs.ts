/**
 * How Go functions are described to the executor: each has typed parameters (Go checks argument types
 * before calling: `wrong type for value; expected string; got int64`) and returns a value or throws an
 * Error whose message becomes `error calling NAME: MESSAGE`.
 */

/** Go parameter types the libraries use. "value" is reflect.Value: the raw value, invalid included. */
export type ParamType =
  | "any"
  | "value"
  | "string"
  | "int"
  | "int64"
  | "float64"
  | "bool"
  | "[]any"
  | "[]string"
  | "map"
  | "time"
  | "uint32";

export interface GoFunc {
  params: ParamType[];
  /** Element type of a trailing variadic parameter. */
  variadic?: ParamType;
  fn: (...args: never[]) => unknown;
}

export type FuncMap = Record<string, GoFunc>;

/** Shorthand for a function definition. */
export function fn(params: ParamType[], f: (...args: never[]) => unknown, variadic?: ParamType): GoFunc {
  return variadic === undefined ? { params, fn: f } : { params, fn: f, variadic };
}

/** The Go spelling of a parameter type, as error messages print it. */
export function paramTypeName(t: ParamType): string {
  switch (t) {
    case "any":
      return "interface {}";
    case "value":
      return "reflect.Value";
    case "[]any":
      return "[]interface {}";
    case "map":
      return "map[string]interface {}";
    case "time":
      return "time.Time";
    default:
      return t;
  }
}

/** A Go panic raised by a library function (recovered by the executor like Go's safeCall). */
export class GoPanic extends Error {
  override name = "GoPanic";
}
