import type { Anomaly } from './validate-dataset.js';

export type FailOn = 'error' | 'warning' | 'never';
export const FAIL_ON_VALUES: readonly FailOn[] = ['error', 'warning', 'never'];

/** Whether the step should fail: on any error (`error`), any anomaly at all (`warning`), or never. */
export function shouldFail(
  result: { anomalies: readonly Pick<Anomaly, 'severity'>[] },
  failOn: FailOn,
): boolean {
  switch (failOn) {
    case 'never':
      return false;
    case 'warning':
      return result.anomalies.length > 0;
    case 'error':
      return result.anomalies.some((a) => a.severity === 'error');
  }
}
