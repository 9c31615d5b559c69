import { PRIMARY_METRICS } from '../metrics/names.js';
import { defaultDirection, type Thresholds } from './thresholds.js';

/**
 * What gates a comparison. Copying a workflow without writing thresholds must not make every
 * change pass, so "no thresholds anywhere" means the default gate, and turning gating off is an
 * explicit `gate: none`.
 */
export type GatePolicy =
  | { kind: 'thresholds' }
  | { kind: 'default'; metric: string; candidates: readonly string[] }
  | { kind: 'none'; ignored: string[] };

export type GateMode = 'default' | 'none';

export const GATE_MODES: readonly GateMode[] = ['default', 'none'];

export { PRIMARY_METRICS };

function taskFamily(task: string): keyof typeof PRIMARY_METRICS | undefined {
  if (/classif/i.test(task)) return 'classification';
  if (/regress/i.test(task)) return 'regression';
  return undefined;
}

/**
 * The thresholds that gate, and the policy to report. With no thresholds and `gate: default`, the
 * primary metric may not worsen (tolerance 0); significance, when asked for, keeps noise out. A
 * task with no known primary metric, or a file without any of its candidates, still gets a gate on
 * the first candidate (or `accuracy`), which then fails as "missing": the user must say what gates.
 */
export function chooseGate(
  mode: GateMode,
  thresholds: Thresholds,
  task: string,
  metrics: readonly string[],
): { thresholds: Thresholds; policy: GatePolicy } {
  if (mode === 'none') return { thresholds: {}, policy: { kind: 'none', ignored: Object.keys(thresholds) } };
  if (Object.keys(thresholds).length > 0) return { thresholds, policy: { kind: 'thresholds' } };
  const family = taskFamily(task);
  const candidates = family
    ? PRIMARY_METRICS[family]
    : [...PRIMARY_METRICS.classification, ...PRIMARY_METRICS.regression];
  const metric = candidates.find((name) => metrics.includes(name)) ?? candidates[0]!;
  return {
    thresholds: { [metric]: { direction: defaultDirection(metric), tolerance: 0 } },
    policy: { kind: 'default', metric, candidates },
  };
}

/** The mlops.yml lines that replace the default gate with real thresholds, for messages. */
export function thresholdSnippet(metric: string): string {
  return `metrics: { ${metric}: { tolerance: 0.01 } }`;
}
