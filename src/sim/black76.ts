/** Black-76 (options on futures) price and gamma — what the Silver pipeline prices options with (es-pipeline §5.4). */

const INV_SQRT_2PI = 0.3989422804014327;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, as the pipeline uses). */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return 0.5 * (1 + (x < 0 ? -erf : erf));
}

export interface OptionQuote {
  price: number;
  gamma: number;
}

/** Price and gamma of a call/put on a future F, strike K, vol sigma, T years, rate r. */
export function black76(isCall: boolean, F: number, K: number, sigma: number, T: number, r = 0.045): OptionQuote {
  if (T <= 0 || sigma <= 0) return { price: Math.max(0, isCall ? F - K : K - F), gamma: 0 };
  const sq = sigma * Math.sqrt(T);
  const d1 = (Math.log(F / K) + 0.5 * sigma * sigma * T) / sq;
  const d2 = d1 - sq;
  const df = Math.exp(-r * T);
  const price = isCall ? df * (F * normCdf(d1) - K * normCdf(d2)) : df * (K * normCdf(-d2) - F * normCdf(-d1));
  const gamma = (df * Math.exp(-0.5 * d1 * d1) * INV_SQRT_2PI) / (F * sq);
  return { price, gamma };
}
