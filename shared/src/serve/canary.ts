/**
 * Canary decisions: a candidate version takes a share of traffic until it has answered enough
 * requests to judge, then it is promoted (it becomes the served version) or rolled back (it is
 * unloaded) by its server error rate and latency, absolute and relative to the stable version, and
 * by what it answers: every request of the canary window is mirrored to the other arm (a request
 * the stable version answered is computed by the candidate as well, and the other way round), and
 * the two outputs of each row are compared. A classification row agrees when both versions predict
 * the same class; any other row when every output is within `maxRelativeError` of the stable
 * version's (|candidate - stable| <= maxRelativeError * |stable| + 1e-6, the 1e-6 so that zeros
 * compare). The canary is rolled back when fewer than `minAgreement` of the compared rows agree,
 * and as soon as more rows disagree than that share allows over `minRequests` rows: a garbage
 * model that answers fast and without errors is rolled back on what it answers.
 * Pure functions; the server keeps the counters.
 */

export interface CanaryCriteria {
  /** Share of unversioned predict requests sent to the candidate, 0 < percent < 100. */
  percent: number;
  /** Candidate requests needed before deciding. */
  minRequests: number;
  /** Highest acceptable share of candidate requests that failed on the server side (5xx). */
  maxErrorRate: number;
  /** Highest acceptable candidate p99 latency, in milliseconds. */
  maxP99Ms?: number;
  /** Highest acceptable candidate p99 / stable p99 (when the stable version has a p99). */
  maxP99Ratio?: number;
  /** Give up (roll back) if the candidate has not had minRequests by then. */
  maxDurationMs?: number;
  /**
   * Lowest share of compared rows on which the candidate agrees with the stable version (0 turns
   * the comparison off). At least minRequests rows are compared before promoting.
   */
  minAgreement?: number;
  /** For rows that are not classifications: the largest relative difference that still agrees. */
  maxRelativeError?: number;
}

/** Defaults of the output comparison (documented in README and the deploy action's inputs). */
export const DEFAULT_MIN_AGREEMENT = 0.9;
export const DEFAULT_MAX_RELATIVE_ERROR = 0.1;
/** Added to the relative bound so that outputs of exactly 0 can agree. */
const ABSOLUTE_FLOOR = 1e-6;

export interface AgreementStats {
  /** Rows run on both versions. */
  compared: number;
  /** Of those, rows where the candidate agreed with the stable version. */
  agreed: number;
  /** Mirrored requests not compared (too many in flight, or the stable version failed on them). */
  skipped: number;
  /** The first disagreement, for the message. */
  example?: string;
}

export function emptyAgreement(): AgreementStats {
  return { compared: 0, agreed: 0, skipped: 0 };
}

function argmax(values: readonly number[]): number {
  // One sigmoid unit is a binary classifier: class 1 when p >= 0.5.
  if (values.length === 1) return values[0]! >= 0.5 ? 1 : 0;
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Compares the two versions' outputs row by row; returns how many rows agree and a description
 * of the first that does not. A row with a non-finite output, or of another width, disagrees.
 */
export function compareOutputs(
  candidate: readonly (readonly number[])[],
  stable: readonly (readonly number[])[],
  task: 'classification' | 'other',
  maxRelativeError: number,
): { agreed: number; compared: number; example?: string } {
  let agreed = 0;
  let example: string | undefined;
  const rows = Math.min(candidate.length, stable.length);
  for (let r = 0; r < rows; r++) {
    const c = candidate[r]!;
    const s = stable[r]!;
    let agrees = c.length === s.length && c.every(Number.isFinite) && s.every(Number.isFinite);
    if (agrees && task === 'classification') agrees = argmax(c) === argmax(s);
    else if (agrees)
      agrees = c.every(
        (value, i) => Math.abs(value - s[i]!) <= maxRelativeError * Math.abs(s[i]!) + ABSOLUTE_FLOOR,
      );
    if (agrees) agreed++;
    else if (example === undefined) {
      const show = (v: readonly number[]) => `[${v.map((x) => Number(x.toPrecision(4))).join(', ')}]`;
      example =
        task === 'classification' && c.length === s.length
          ? `class ${argmax(c)} ${show(c)} where the stable version predicts class ${argmax(s)} ${show(s)}`
          : `${show(c)} where the stable version answers ${show(s)}`;
    }
  }
  return { agreed, compared: Math.max(candidate.length, stable.length), ...(example ? { example } : {}) };
}

export interface ArmStats {
  requests: number;
  errors: number;
  latenciesMs: number[];
}

export type CanaryDecision =
  | { action: 'continue' }
  | { action: 'promote'; reason: string }
  | { action: 'rollback'; reason: string };

export function emptyArm(): ArmStats {
  return { requests: 0, errors: 0, latenciesMs: [] };
}

/** Nearest-rank percentile (the value below which `q` of the samples fall). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

export function decideCanary(
  candidate: ArmStats,
  stable: ArmStats,
  criteria: CanaryCriteria,
  elapsedMs: number,
  agreement: AgreementStats = emptyAgreement(),
): CanaryDecision {
  // Once more errors have happened than the whole sample may hold, waiting cannot save it.
  const errorBudget = criteria.maxErrorRate * criteria.minRequests;
  if (candidate.errors > errorBudget) {
    return {
      action: 'rollback',
      reason: `${candidate.errors} server errors in ${candidate.requests} canary requests exceed an error rate of ${criteria.maxErrorRate}`,
    };
  }
  const minAgreement = criteria.minAgreement ?? 0;
  const disagreed = agreement.compared - agreement.agreed;
  const describeAgreement = () =>
    `the candidate agreed with the stable version on ${agreement.agreed} of ${agreement.compared} mirrored rows (${(agreement.agreed / Math.max(1, agreement.compared)).toFixed(4)} < ${minAgreement}${criteria.maxRelativeError !== undefined ? `; relative error bound ${criteria.maxRelativeError}` : ''})${agreement.example ? `, e.g. ${agreement.example}` : ''}`;
  // Likewise for disagreements: once even a sample of agreeing rows cannot lift the rate it will be
  // judged on to minAgreement, waiting cannot save it.
  const sample = Math.max(criteria.minRequests, agreement.compared);
  if (minAgreement > 0 && (sample - disagreed) / sample < minAgreement) {
    return { action: 'rollback', reason: describeAgreement() };
  }
  const compareStillShort = minAgreement > 0 && agreement.compared < criteria.minRequests;
  if (candidate.requests < criteria.minRequests || compareStillShort) {
    if (criteria.maxDurationMs !== undefined && elapsedMs > criteria.maxDurationMs) {
      return {
        action: 'rollback',
        reason:
          candidate.requests < criteria.minRequests
            ? `only ${candidate.requests} of ${criteria.minRequests} canary requests arrived within ${criteria.maxDurationMs} ms`
            : `only ${agreement.compared} of ${criteria.minRequests} rows were compared with the stable version within ${criteria.maxDurationMs} ms (${agreement.skipped} mirrored requests skipped)`,
      };
    }
    return { action: 'continue' };
  }
  const errorRate = candidate.errors / candidate.requests;
  if (errorRate > criteria.maxErrorRate) {
    return { action: 'rollback', reason: `error rate ${errorRate.toFixed(4)} > ${criteria.maxErrorRate}` };
  }
  const p99 = percentile(candidate.latenciesMs, 0.99);
  if (criteria.maxP99Ms !== undefined && p99 > criteria.maxP99Ms) {
    return { action: 'rollback', reason: `p99 latency ${p99.toFixed(1)} ms > ${criteria.maxP99Ms} ms` };
  }
  const stableP99 = percentile(stable.latenciesMs, 0.99);
  if (
    criteria.maxP99Ratio !== undefined &&
    Number.isFinite(stableP99) &&
    stableP99 > 0 &&
    p99 / stableP99 > criteria.maxP99Ratio
  ) {
    return {
      action: 'rollback',
      reason: `p99 latency ${p99.toFixed(1)} ms is ${(p99 / stableP99).toFixed(2)}x the stable version's ${stableP99.toFixed(1)} ms (limit ${criteria.maxP99Ratio}x)`,
    };
  }
  if (minAgreement > 0 && agreement.agreed / agreement.compared < minAgreement) {
    return { action: 'rollback', reason: describeAgreement() };
  }
  const agreed =
    minAgreement > 0
      ? `, agreement ${(agreement.agreed / agreement.compared).toFixed(4)} on ${agreement.compared} mirrored rows`
      : '';
  return {
    action: 'promote',
    reason: `${candidate.requests} canary requests, error rate ${errorRate.toFixed(4)}, p99 ${p99.toFixed(1)} ms${agreed}`,
  };
}

/**
 * Sends exactly `percent` of requests to the candidate, spread evenly (a Bresenham-style
 * accumulator rather than a coin flip), so a small canary sample has the share it asked for.
 */
export class TrafficSplitter {
  private accumulator = 0;
  constructor(private readonly percent: number) {}

  toCandidate(): boolean {
    this.accumulator += this.percent;
    if (this.accumulator >= 100) {
      this.accumulator -= 100;
      return true;
    }
    return false;
  }
}

/** Checks criteria sent to the admin endpoint; returns a message per problem. */
export function validateCanaryCriteria(value: unknown): { criteria?: CanaryCriteria; problems: string[] } {
  const problems: string[] = [];
  if (value === null || typeof value !== 'object') return { problems: ['canary criteria must be an object'] };
  const v = value as Record<string, unknown>;
  const num = (key: string, min: number, max: number, required: boolean): number | undefined => {
    const x = v[key];
    if (x === undefined) {
      if (required) problems.push(`'${key}' is required`);
      return undefined;
    }
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) {
      problems.push(`'${key}' must be a number in [${min}, ${max}], got ${JSON.stringify(x)}`);
      return undefined;
    }
    return x;
  };
  const percent = num('percent', 0.001, 99.999, true);
  const minRequests = num('minRequests', 1, 1e9, false) ?? 100;
  const maxErrorRate = num('maxErrorRate', 0, 1, false) ?? 0.01;
  const maxP99Ms = num('maxP99Ms', 0, 1e9, false);
  const maxP99Ratio = num('maxP99Ratio', 0, 1e9, false);
  const maxDurationMs = num('maxDurationMs', 0, 1e12, false);
  const minAgreement = num('minAgreement', 0, 1, false) ?? DEFAULT_MIN_AGREEMENT;
  const maxRelativeError = num('maxRelativeError', 0, 1e9, false) ?? DEFAULT_MAX_RELATIVE_ERROR;
  if (problems.length > 0 || percent === undefined) return { problems };
  return {
    criteria: {
      percent,
      minRequests: Math.ceil(minRequests),
      maxErrorRate,
      ...(maxP99Ms !== undefined ? { maxP99Ms } : {}),
      ...(maxP99Ratio !== undefined ? { maxP99Ratio } : {}),
      ...(maxDurationMs !== undefined ? { maxDurationMs } : {}),
      minAgreement,
      maxRelativeError,
    },
    problems,
  };
}
