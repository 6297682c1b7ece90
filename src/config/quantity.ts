/**
 * Kubernetes resource quantities as apimachinery's `resource.ParseQuantity` reads them: `500m`, `1Gi`, `2`, `1e3`,
 * `0.5`, `+1.5k`. Shared by the config validator (podResources) and the local cluster's scheduler (requests against
 * allocatable).
 */

const DECIMAL_SI: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Readonly<Record<string, bigint>> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };

/** Go's parseQuantityString: sign, digits, optional fraction, then suffix letters with an optional signed exponent. */
const QUANTITY = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)$/;

/**
 * The quantity in base units (cores, bytes), or `undefined` when Kubernetes would reject the string. The result is
 * the decimal value rounded once to the nearest double, so `0.1` is exactly `0.1` and `1Ei` is exact.
 * Like Kubernetes, it accepts a bare suffix (`Gi` is 0) and a trailing dot (`1.`), and rejects the empty string.
 */
export function parseQuantity(s: string): number | undefined {
  const m = QUANTITY.exec(s);
  if (s === '' || m === null) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = m;
  let exponent = -fraction.length;
  let factor = 1n;
  const binary = BINARY_SI[suffix];
  const decimal = DECIMAL_SI[suffix];
  if (binary !== undefined) factor = 1024n ** binary;
  else if (decimal !== undefined) exponent += decimal;
  else if (/^[eE][+-]?[0-9]+$/.test(suffix)) exponent += Number(suffix.slice(1));
  else return undefined;
  const mantissa = BigInt(`${whole}${fraction}` || '0') * factor;
  // One decimal-to-double conversion, so the value is rounded only once.
  const value = Number(`${mantissa}e${exponent}`);
  return sign === '-' && value !== 0 ? -value : value;
}
