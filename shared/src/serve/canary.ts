/**
 * Canary decisions: a candidate version takes a share of traffic until it has answered enough
 * requests to judge, then it is promoted (it becomes the served version) or rolled back (it is
 * unloaded) by its server error rate and latency, absolute and relative to the stable version.
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
): CanaryDecision {
  // Once more errors have happened than the whole sample may hold, waiting cannot save it.
  const errorBudget = criteria.maxErrorRate * criteria.minRequests;
  if (candidate.errors > errorBudget) {
    return {
      action: 'rollback',
      reason: `${candidate.errors} server errors in ${candidate.requests} canary requests exceed an error rate of ${criteria.maxErrorRate}`,
    };
  }
  if (candidate.requests < criteria.minRequests) {
    if (criteria.maxDurationMs !== undefined && elapsedMs > criteria.maxDurationMs) {
      return {
        action: 'rollback',
        reason: `only ${candidate.requests} of ${criteria.minRequests} canary requests arrived within ${criteria.maxDurationMs} ms`,
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
  return {
    action: 'promote',
    reason: `${candidate.requests} canary requests, error rate ${errorRate.toFixed(4)}, p99 ${p99.toFixed(1)} ms`,
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
  if (problems.length > 0 || percent === undefined) return { problems };
  return {
    criteria: {
      percent,
      minRequests: Math.ceil(minRequests),
      maxErrorRate,
      ...(maxP99Ms !== undefined ? { maxP99Ms } : {}),
      ...(maxP99Ratio !== undefined ? { maxP99Ratio } : {}),
      ...(maxDurationMs !== undefined ? { maxDurationMs } : {}),
    },
    problems,
  };
}
