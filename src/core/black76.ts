/**
 * Black-76 (options on futures), the one implementation: the pipeline's greeks (es-pipeline
 * §5.4, with the reference's conventions at T ≤ 0 / K ≤ 0) and the simulator's option prices
 * both use it. One argument order everywhere: (isCall, F, K, T, sigma, r).
 */

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Abramowitz–Stegun 7.1.26 erf approximation (|error| < 1.5e−7), used for parity (§5.4). */
export function erfA(x: number): number {
  const sign = x < 0 ? -1 : x > 0 ? 1 : 0;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-ax * ax));
}

/** Standard normal CDF through the A–S erf. */
export function normCdf(x: number): number {
  return 0.5 * (1 + erfA(x / Math.SQRT2));
}

export interface Black76Greeks {
  gamma: number;
  delta: number;
}

/** Gamma and delta at flat vol (§5.4 step 2), including the reference's T ≤ 0 / K ≤ 0 conventions. */
export function black76Greeks(isCall: boolean, F: number, K: number, T: number, sigma: number, r: number): Black76Greeks {
  if (T > 0 && F > 0 && K > 0) {
    const sqrtT = Math.sqrt(T);
    const d1 = (Math.log(F / K) + 0.5 * sigma * sigma * T) / (sigma * sqrtT);
    const nd1 = normCdf(d1);
    const pdf = Math.exp(-(d1 * d1) / 2) * INV_SQRT_2PI;
    const disc = Math.exp(-r * T);
    return { gamma: (disc * pdf) / (F * sigma * sqrtT), delta: isCall ? disc * nd1 : disc * (nd1 - 1) };
  }
  if (T <= 0) return { gamma: 0, delta: isCall && F > K ? 1 : !isCall && F < K ? -1 : 0 };
  return { gamma: 0, delta: 0 };
}

export interface OptionQuote {
  price: number;
  gamma: number;
}

/** Price and gamma of a call/put; an expired or zero-vol option is worth its intrinsic value. */
export function black76Quote(isCall: boolean, F: number, K: number, T: number, sigma: number, r: number): OptionQuote {
  if (T <= 0 || sigma <= 0) return { price: Math.max(0, isCall ? F - K : K - F), gamma: 0 };
  const sq = sigma * Math.sqrt(T);
  const d1 = (Math.log(F / K) + 0.5 * sigma * sigma * T) / sq;
  const d2 = d1 - sq;
  const df = Math.exp(-r * T);
  const price = isCall ? df * (F * normCdf(d1) - K * normCdf(d2)) : df * (K * normCdf(-d2) - F * normCdf(-d1));
  const gamma = (df * Math.exp(-0.5 * d1 * d1) * INV_SQRT_2PI) / (F * sq);
  return { price, gamma };
}
