/**
 * Clopper-Pearson exact binomial confidence interval, TWO-SIDED 95 % (2.5 % in each tail).
 *
 * For x events in n trials the bounds solve
 *   upper:  P(X <= x     | n, p_U) = 0.025   (p_U = 1 when x = n)
 *   lower:  P(X >= x     | n, p_L) = 0.025   (p_L = 0 when x = 0)
 * The binomial CDF is the regularized incomplete beta function,
 *   P(X <= x | n, p) = I_{1-p}(n - x, x + 1),
 * evaluated with a continued fraction (modified Lentz), and each bound is found by
 * bisection on p (the CDF is monotone in p). With x = 0 the upper bound has the closed
 * form 1 - 0.025^(1/n), which the tests use as an oracle.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(z) for z > 0 (Lanczos, g = 7, about 15 significant digits). */
export function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = LANCZOS[0] ?? 0;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] ?? 0) / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const eps = 1e-15;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < eps) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(X <= x) for X ~ Binomial(n, p). */
export function binomialCdf(x: number, n: number, p: number): number {
  if (x < 0) return 0;
  if (x >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  return regularizedBeta(1 - p, n - x, x + 1);
}

/** Bisection for a root of a monotone function on [lo, hi]. */
function bisect(f: (p: number) => number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  const fa = f(a);
  for (let i = 0; i < 200 && b - a > 1e-15 * Math.max(1e-300, b); i++) {
    const mid = (a + b) / 2;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(fa)) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}

export interface BinomialInterval {
  /** Bounds as fractions (0..1). */
  lower: number;
  upper: number;
}

/** Clopper-Pearson two-sided interval at `level` (default 0.95) for `events` out of `n`. */
export function clopperPearson(events: number, n: number, level = 0.95): BinomialInterval {
  if (!(n > 0) || events < 0 || events > n) return { lower: Number.NaN, upper: Number.NaN };
  const tail = (1 - level) / 2;
  const x = events;
  const upper = x === n ? 1 : bisect((p) => binomialCdf(x, n, p) - tail, x / n, 1);
  const lower = x === 0 ? 0 : bisect((p) => 1 - binomialCdf(x - 1, n, p) - tail, 0, x / n);
  return { lower, upper };
}

/**
 * One-sided Clopper-Pearson bounds at `level` (default 0.95): `upper` alone holds with
 * probability at least `level`, and so does `lower`. In the beta form (Clopper and Pearson
 * 1934; e.g. Brown, Cai and DasGupta 2001, "Interval Estimation for a Binomial Proportion"):
 *   upper = the `level` quantile of Beta(x + 1, n - x)   (1 when x = n)
 *   lower = the 1 - `level` quantile of Beta(x, n - x + 1)   (0 when x = 0)
 * which for whole counts equal the ends of the two-sided interval at 2 x level - 1. The beta
 * form also takes effective counts that are not whole numbers (events and trials divided by a
 * design effect), where the binomial sum has no meaning.
 */
export function clopperPearsonOneSided(events: number, n: number, level = 0.95): BinomialInterval {
  if (!(n > 0) || !(events >= 0) || events > n) return { lower: Number.NaN, upper: Number.NaN };
  const x = events;
  const upper = x >= n ? 1 : bisect((p) => regularizedBeta(p, x + 1, n - x) - level, 0, 1);
  const lower = x <= 0 ? 0 : bisect((p) => regularizedBeta(p, x, n - x + 1) - (1 - level), 0, 1);
  return { lower, upper };
}
