/**
 * Python's number formatting, reproduced: the tools this module imitates are
 * Python programs, and their numbers must print exactly as Python prints them.
 *
 * @module
 */

/** Digits and decimal exponent of the shortest round-trip form of `x` (x > 0). */
function shortest(x: number): { digits: string; exp: number } {
  const [mant, e] = x.toExponential().split("e") as [string, string];
  return { digits: mant.replace(".", ""), exp: Number(e) };
}

/** Python `repr(float)`: `4.5833333333333334e-05`, `0.0003`, `2.0`, `1e-08`. */
export function pyRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const { digits, exp } = shortest(Math.abs(x));
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const es = exp < 0 ? "-" : "+";
    return `${sign}${mant}e${es}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Python `round(x, n)` followed by `repr`. */
export function pyRound(x: number, n: number): string {
  return pyRepr(Number(x.toFixed(n)));
}

/** Python `f"{x:.{n}E}"`: `1.818812E+00`. */
export function pyE(x: number, n: number): string {
  const [mant, e] = x.toExponential(n).split("e") as [string, string];
  const exp = Number(e);
  return `${mant}E${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** Python `f"{x:.{n}g}"` (trailing zeros stripped, exponent with two digits). */
export function pyG(x: number, n: number): string {
  if (x === 0) return "0";
  const [mant, e] = x.toExponential(n - 1).split("e") as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= n) {
    const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const fixed = x.toFixed(Math.max(0, n - 1 - exp));
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

/** Python `f"{n:,}"` for integers. */
export function commas(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Python `str(bool)`. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** A value as Python's `str()` prints it inside an argument dump. */
export function pyStr(v: number | string | boolean | null | readonly (number | string)[]): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return pyBool(v);
  if (typeof v === "number") {
    return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : pyRepr(v);
  }
  if (typeof v === "string") return v;
  return `[${v.map((x) => (typeof x === "string" ? `'${x}'` : pyStr(x))).join(", ")}]`;
}
