/**
 * Queueing formulas for staffing and for checking the simulator: Erlang B, Erlang C (M/M/N) and
 * Erlang A (M/M/N+M, callers who abandon).
 *
 * Notation. λ = callsPerInterval / intervalSec (arrivals per second), μ = 1 / ahtSec, A = λ/μ the
 * offered traffic in Erlangs, N agents, t the answer-time target in seconds, θ = 1 / patienceSec.
 *
 * Erlang B (blocking, M/M/N/N), by the recurrence B(A,0) = 1, B(A,n) = A·B(A,n−1) / (n + A·B(A,n−1)).
 * Every step stays in (0, 1], so it is stable for any N (no factorials, no powers).
 *
 * Erlang C (M/M/N, infinite patience, FCFS), from Erlang B: C(A,N) = N·B / (N − A·(1 − B)) when A < N;
 * when A ≥ N the queue grows without bound and every caller waits: C = 1.
 *   P(wait > t) = C · e^{−(N−A)·t/AHT}            service level SL(t) = 1 − P(wait > t)
 *   ASA = C · AHT / (N − A)                       occupancy = A / N
 * (Any queueing text, e.g. Gans, Koole & Mandelbaum, "Telephone call centers: tutorial, review and
 * research prospects", MSOM 2003, §4.) When A ≥ N we report SL = 0 and ASA = ∞.
 *
 * Erlang A (M/M/N+M: exponential patience with mean patienceSec, an abandoning caller leaves the
 * queue; Garnett, Mandelbaum & Reiman, "Designing a call center with impatient customers", MSOM 2002;
 * Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance measures", 2004). We compute the
 * birth–death chain directly instead of through incomplete gamma functions:
 *   states n = callers in the system; births λ; deaths nμ for n ≤ N, Nμ + (n−N)θ for n > N;
 *   π_n/π_N = 1 / (A^{N−n} N!/n!)          for n ≤ N (their sum is 1/B(A,N), the Erlang B inverse),
 *   π_{N+k}/π_N = Π_{j=1..k} λ / (Nμ + jθ) for k ≥ 1 (summed until the rest is below 1e-19 of the total).
 * All weights are kept as logarithms, so nothing overflows at thousands of agents.
 * An arrival sees π (PASTA). One that finds N+j−1 callers joins the queue at position j; from
 * position i it moves up at rate Nμ + (i−1)θ (a service ends or someone ahead gives up) and gives up
 * itself at rate θ. Hence, per position j (telescoping product, exponential races):
 *   P(answered | j) = Nμ / (Nμ + jθ),   E[wait | answered, j] = Σ_{i=1..j} 1 / (Nμ + iθ).
 *   P(wait) = Σ_{n≥N} π_n;  P(abandon) = Σ_j π_{N+j−1}·jθ/(Nμ+jθ)  (= θ·E[wait of all arrivals]);
 *   ASA = E[wait | answered] (callers answered at once count with 0 wait).
 * For the service level we need the wait distribution: the offered wait V (time until an agent would
 * take the caller) has P(V = 0) = 1 − P(wait) and density f_V(x) = Nμ·π_N·exp(λ·H(x) − Nμ·x) for x > 0,
 * H(x) = (1 − e^{−θx})/θ (Mandelbaum & Zeltyn, ibid.; it follows from the chain above, since
 * f_V(0+) = π_N·Nμ). A caller is answered within t iff V ≤ t and patience > V, so
 *   SL(t) = P(answered within t) / all arrivals = 1 − P(wait) + ∫_0^t f_V(x)·e^{−θx} dx,
 * computed by Gauss–Legendre quadrature on the part of [0, t] where the integrand is not negligible.
 * The denominator is ALL arrivals: every abandoned caller counts against the level, including one who
 * gave up within t. (QueueStats reports the live figure with a different, documented denominator.)
 * As patience → ∞ these tend to Erlang C; as patience → 0 callers who find all agents busy leave at
 * once and P(abandon) → Erlang B.
 */

/** Demand of one interval: how many calls arrive and how long each takes to handle. */
export interface Workload {
  callsPerInterval: number;
  intervalSec: number;
  /** Average handle time (talk + hold + wrap-up), seconds. */
  ahtSec: number;
}

export interface Staffing extends Workload {
  /** Agents answering; a whole number. */
  agents: number;
}

export interface ErlangAInput extends Staffing {
  /** Mean of the callers' (exponential) patience, seconds; `Infinity` gives Erlang C. */
  patienceSec: number;
  /** Answer-time target for the service level, seconds. */
  targetSec: number;
}

export interface ErlangAResult {
  /** Fraction of arrivals who find every agent busy (and so queue, at least for a moment). */
  probWait: number;
  /** Fraction of arrivals who give up before being answered. */
  probAbandon: number;
  /** Average wait of answered calls, seconds (answered-at-once calls count as 0). NaN with 0 agents. */
  asaSec: number;
  /** Average time in queue of all arrivals, answered or not, seconds (Little: E[queue length]/λ). */
  meanWaitSec: number;
  /** Answered within `targetSec` ÷ all arrivals (abandoned calls count against it). */
  serviceLevel: number;
  /** Busy fraction of the agents: answered traffic / N. */
  occupancy: number;
}

/** Offered traffic A = λ·AHT in Erlangs. */
export function trafficErlangs(w: Workload): number {
  checkWorkload(w);
  return (w.callsPerInterval / w.intervalSec) * w.ahtSec;
}

/** Probability that a call is blocked when N servers carry A Erlangs and there is no queue. */
export function erlangB(trafficErlangs: number, agents: number): number {
  checkTraffic(trafficErlangs);
  checkAgents(agents);
  let b = 1;
  for (let n = 1; n <= agents; n++) b = (trafficErlangs * b) / (n + trafficErlangs * b);
  return b;
}

/** Probability that a call waits (M/M/N); 1 when traffic ≥ agents. */
export function erlangC(trafficErlangs: number, agents: number): number {
  const b = erlangB(trafficErlangs, agents);
  if (trafficErlangs >= agents) return 1;
  return cFromB(trafficErlangs, agents, b);
}

/** Fraction of calls answered within `targetSec` (M/M/N); 0 when traffic ≥ agents. */
export function erlangCServiceLevel(input: Staffing & { targetSec: number }): number {
  checkNonNegative('targetSec', input.targetSec);
  const a = trafficErlangs(input);
  const c = erlangC(a, input.agents);
  return serviceLevelFromC(a, input.agents, c, input.ahtSec, input.targetSec);
}

/** Average speed of answer, seconds (M/M/N); ∞ when traffic ≥ agents. */
export function erlangCAsa(input: Staffing): number {
  const a = trafficErlangs(input);
  const c = erlangC(a, input.agents);
  return asaFromC(a, input.agents, c, input.ahtSec);
}

/** Busy fraction of the agents, A/N capped at 1 (M/M/N carries all offered traffic or saturates). */
export function occupancy(input: Staffing): number {
  const a = trafficErlangs(input);
  checkAgents(input.agents);
  if (a === 0) return 0;
  return input.agents === 0 ? 1 : Math.min(1, a / input.agents);
}

/**
 * Smallest number of agents whose Erlang C service level reaches `serviceLevel` (a fraction in (0, 1))
 * for answers within `targetSec`. 0 when no calls arrive. One pass of the Erlang B recurrence: O(result).
 */
export function agentsForServiceLevel(input: Workload & { targetSec: number; serviceLevel: number }): number {
  checkNonNegative('targetSec', input.targetSec);
  checkOpenFraction('serviceLevel', input.serviceLevel);
  return smallestAgents(
    input,
    (a, n, c) => serviceLevelFromC(a, n, c, input.ahtSec, input.targetSec) >= input.serviceLevel,
  );
}

/** Smallest number of agents whose Erlang C average speed of answer is at most `targetAsaSec` (> 0). */
export function agentsForAsa(input: Workload & { targetAsaSec: number }): number {
  if (!(input.targetAsaSec > 0) || !Number.isFinite(input.targetAsaSec)) {
    throw new RangeError(`targetAsaSec must be a positive number, got ${input.targetAsaSec}`);
  }
  return smallestAgents(input, (a, n, c) => asaFromC(a, n, c, input.ahtSec) <= input.targetAsaSec);
}

/** Erlang A (M/M/N+M) figures; see the top of this file for the method and the definitions. */
export function erlangA(input: ErlangAInput): ErlangAResult {
  checkWorkload(input);
  checkAgents(input.agents);
  checkNonNegative('targetSec', input.targetSec);
  const { agents: n, ahtSec, targetSec, patienceSec } = input;
  if (!(patienceSec > 0)) throw new RangeError(`patienceSec must be positive, got ${patienceSec}`);
  const lambda = input.callsPerInterval / input.intervalSec;
  const a = lambda * ahtSec;

  if (lambda === 0) {
    return { probWait: 0, probAbandon: 0, asaSec: 0, meanWaitSec: 0, serviceLevel: 1, occupancy: 0 };
  }
  if (patienceSec === Number.POSITIVE_INFINITY) {
    const c = erlangC(a, n);
    const asaSec = asaFromC(a, n, c, ahtSec);
    return {
      probWait: c,
      probAbandon: 0,
      asaSec,
      meanWaitSec: asaSec,
      serviceLevel: serviceLevelFromC(a, n, c, ahtSec, targetSec),
      occupancy: n === 0 ? 1 : Math.min(1, a / n),
    };
  }

  const serviceRate = n / ahtSec; // Nμ
  const theta = 1 / patienceSec;
  const logLambda = Math.log(lambda);

  // Queue part of the chain: logTail[k] = log(π_{N+k}/π_N), k ≥ 0.
  const logBelow = logInverseErlangB(a, n); // log Σ_{m≤N} π_m/π_N
  const logTail: number[] = [0];
  const queued = new LogSum(); // Σ_{k≥1} π_{N+k}/π_N
  // Sums run over up to millions of states in an overloaded queue: the running sum of logs is
  // compensated (Neumaier) and the weights are added relative to the largest so far, because an error
  // ε in log π_N becomes a relative error ε in the service-level integral.
  let logR = 0;
  let compensation = 0;
  for (let k = 1; ; k++) {
    const term = logLambda - Math.log(serviceRate + k * theta);
    const sum = logR + term;
    compensation += Math.abs(logR) >= Math.abs(term) ? logR - sum + term : term - sum + logR;
    logR = sum;
    logTail.push(logR + compensation);
    queued.add(logTail[k]!);
    const nextRatio = lambda / (serviceRate + (k + 1) * theta);
    // Ratios only fall from here on, so the rest is at most r_k · ρ/(1−ρ).
    if (nextRatio < 1) {
      const logRest = logTail[k]! + Math.log(nextRatio / (1 - nextRatio));
      if (logRest < logAddExp(logBelow, queued.log()) - TAIL_LOG_MARGIN) break;
    }
    if (k >= MAX_QUEUE_STATES) {
      throw new RangeError(
        `Erlang A needs more than ${MAX_QUEUE_STATES} queue states (patience too long for an overloaded system)`,
      );
    }
  }
  const logQueued = queued.log();
  const logTotal = logAddExp(logBelow, logQueued);
  const probWait = Math.exp(logAddExp(0, logQueued) - logTotal);

  let probAbandon = 0;
  let answeredWaitSum = 0; // E[wait · 1{answered}]
  let meanQueueLength = 0;
  let stageTimes = 0; // Σ_{i≤j} 1/(Nμ + iθ)
  for (let j = 1; j < logTail.length; j++) {
    const joinAtJ = Math.exp(logTail[j - 1]! - logTotal); // π_{N+j−1}
    const rate = serviceRate + j * theta;
    stageTimes += 1 / rate;
    probAbandon += (joinAtJ * j * theta) / rate;
    answeredWaitSum += ((joinAtJ * serviceRate) / rate) * stageTimes;
    meanQueueLength += j * Math.exp(logTail[j]! - logTotal);
  }
  const answered = 1 - probAbandon;
  const logDensityAtZero = Math.log(serviceRate) - logTotal; // f_V(0+) = Nμ·π_N
  const answeredAfterWaiting =
    n === 0 ? 0 : integrateLogConcave(logDensityAtZero, lambda, serviceRate, theta, targetSec);
  return {
    probWait: clamp01(probWait),
    probAbandon: clamp01(probAbandon),
    asaSec: n === 0 ? Number.NaN : answeredWaitSum / answered,
    meanWaitSec: meanQueueLength / lambda,
    serviceLevel: clamp01(1 - probWait + answeredAfterWaiting),
    occupancy: n === 0 ? 0 : Math.min(1, (answered * a) / n),
  };
}

/** Relative weight (natural log) below which the rest of the chain's queue tail is dropped: e^−44 ≈ 1e-19. */
const TAIL_LOG_MARGIN = 44;
/** Guard against a near-endless tail (overloaded system with near-infinite patience). */
const MAX_QUEUE_STATES = 5_000_000;

function cFromB(a: number, n: number, b: number): number {
  return (n * b) / (n - a * (1 - b));
}

function serviceLevelFromC(a: number, n: number, c: number, ahtSec: number, targetSec: number): number {
  if (a === 0) return 1;
  if (a >= n) return 0;
  return 1 - c * Math.exp((-(n - a) * targetSec) / ahtSec);
}

function asaFromC(a: number, n: number, c: number, ahtSec: number): number {
  if (a === 0) return 0;
  if (a >= n) return Number.POSITIVE_INFINITY;
  return (c * ahtSec) / (n - a);
}

/** Walks N upward from the first stable N with the Erlang B recurrence until `enough` holds. */
function smallestAgents(w: Workload, enough: (a: number, n: number, c: number) => boolean): number {
  const a = trafficErlangs(w);
  if (a === 0) return 0;
  let n = Math.floor(a) + 1; // the smallest N with A < N
  let b = erlangB(a, n);
  for (;;) {
    if (enough(a, n, cFromB(a, n, b))) return n;
    n += 1;
    b = (a * b) / (n + a * b);
  }
}

/** log(1/B(A,N)) = log Σ_{m=0..N} π_m/π_N by the inverse recurrence 1/B_n = 1 + (n/A)·(1/B_{n−1}). */
function logInverseErlangB(a: number, n: number): number {
  let logInv = 0;
  for (let m = 1; m <= n; m++) logInv = softplus(Math.log(m / a) + logInv);
  return logInv;
}

/** log Σ e^{x_i} over a stream, summed relative to the largest x so far (error ε per term, not ε·|x|). */
class LogSum {
  #max = Number.NEGATIVE_INFINITY;
  #scaled = 0; // Σ e^{x_i − max}

  add(x: number): void {
    if (x > this.#max) {
      this.#scaled = this.#scaled * Math.exp(this.#max - x) + 1;
      this.#max = x;
    } else {
      this.#scaled += Math.exp(x - this.#max);
    }
  }

  log(): number {
    return this.#max + Math.log(this.#scaled);
  }
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function logAddExp(x: number, y: number): number {
  if (x === Number.NEGATIVE_INFINITY) return y;
  if (y === Number.NEGATIVE_INFINITY) return x;
  return Math.max(x, y) + Math.log1p(Math.exp(-Math.abs(x - y)));
}

/**
 * ∫_0^t exp(ℓ(x)) dx with ℓ(x) = logF0 + λ·H(x) − (Nμ + θ)·x, H(x) = (1 − e^{−θx})/θ: the answered
 * density of the offered wait. ℓ is concave (ℓ'' = −λθe^{−θx}), so the integrand has one peak x* and
 * falls off on both sides; we integrate only where ℓ is within PEAK_LOG_WINDOW of its peak, on panels
 * narrow enough that ℓ changes by at most ~½ across each, with 5-point Gauss–Legendre per panel.
 */
function integrateLogConcave(logF0: number, lambda: number, nMu: number, theta: number, t: number): number {
  const decay = nMu + theta;
  const ell = (x: number) => logF0 + (lambda * -Math.expm1(-theta * x)) / theta - decay * x;
  const slope = (x: number) => lambda * Math.exp(-theta * x) - decay;
  const peak = lambda > decay ? Math.log(lambda / decay) / theta : 0;
  const floor = ell(peak) - PEAK_LOG_WINDOW;
  const lo = peak > 0 && ell(0) < floor ? bisect(ell, floor, 0, peak) : 0;
  let step = 1 / decay;
  while (ell(peak + step) > floor) step *= 2;
  const hi = bisect(ell, floor, peak + step, peak);
  const from = lo;
  const to = Math.min(t, hi);
  if (!(to > from)) return 0;
  const steepest = Math.max(Math.abs(slope(from)), Math.abs(slope(to)), 1e-300);
  const panels = Math.min(MAX_PANELS, Math.max(1, Math.ceil(2 * (to - from) * steepest)));
  const width = (to - from) / panels;
  let sum = 0;
  for (let p = 0; p < panels; p++) {
    const mid = from + (p + 0.5) * width;
    for (let i = 0; i < GAUSS_NODES.length; i++) {
      sum += GAUSS_WEIGHTS[i]! * Math.exp(ell(mid + (GAUSS_NODES[i]! * width) / 2));
    }
  }
  return (sum * width) / 2;
}

const PEAK_LOG_WINDOW = 50;
const MAX_PANELS = 200_000;
const GAUSS_NODES = [0, -0.5384693101056831, 0.5384693101056831, -0.906179845938664, 0.906179845938664];
const GAUSS_WEIGHTS = [
  0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891,
];

/** x between `below` (f(below) < level) and `above` (f(above) ≥ level) where f crosses `level`. */
function bisect(f: (x: number) => number, level: number, below: number, above: number): number {
  let [b, a] = [below, above];
  for (let i = 0; i < 100 && Math.abs(b - a) > 1e-12 * Math.max(1, Math.abs(a)); i++) {
    const mid = (a + b) / 2;
    if (f(mid) < level) b = mid;
    else a = mid;
  }
  return b;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function checkWorkload(w: Workload): void {
  checkNonNegative('callsPerInterval', w.callsPerInterval);
  if (!(w.intervalSec > 0) || !Number.isFinite(w.intervalSec)) {
    throw new RangeError(`intervalSec must be a positive number, got ${w.intervalSec}`);
  }
  if (!(w.ahtSec > 0) || !Number.isFinite(w.ahtSec)) {
    throw new RangeError(`ahtSec must be a positive number, got ${w.ahtSec}`);
  }
}

function checkTraffic(a: number): void {
  checkNonNegative('trafficErlangs', a);
}

function checkAgents(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`agents must be a whole number ≥ 0, got ${n}`);
}

function checkNonNegative(name: string, x: number): void {
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`${name} must be a finite number ≥ 0, got ${x}`);
}

function checkOpenFraction(name: string, x: number): void {
  if (!(x > 0 && x < 1)) throw new RangeError(`${name} must be between 0 and 1 (exclusive), got ${x}`);
}
