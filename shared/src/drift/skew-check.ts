import { join } from 'node:path';
import type { SkewCheck } from '../validate/run-data-validate.js';
import { runDriftCheckIn } from './run.js';

/**
 * data-validate's skew check: the drift-check statistics between the dataset and a reference
 * (dataset or stored profile), with TFDV's comparators (L-infinity distance for categorical
 * columns, Jensen–Shannon divergence for numeric ones) at the schema's per-column thresholds, each
 * with drift-check's test beside it (KS or chi-square). The report lands beside the validation
 * report as `skew.json`.
 */
export function driftSkewCheck(
  reportDirectory: string,
  resolveReference: (spec: string) => Promise<string> = async (s) => s,
): SkewCheck {
  return async (input, log) => {
    const result = await runDriftCheckIn(
      input.db,
      {
        reference: await resolveReference(input.reference),
        current: input.current.path,
        method: 'auto',
        tfdv: true,
        perColumn: Object.fromEntries(
          Object.entries(input.thresholds).map(([column, threshold]) => [column, { threshold }]),
        ),
        driftShare: 0.5,
        reportPath: join(reportDirectory, 'skew.json'),
        workingDirectory: input.workingDirectory,
        missing: input.missing,
      },
      log,
      // The dataset data-validate has just read and counted: compared as it is, not read again.
      { dataset: input.current, counts: input.currentCounts },
    );
    const columns = result.report.columns.filter((c) => c.role === 'feature');
    return {
      driftDetected: result.driftDetected,
      leftOut: result.identifiers,
      summaryMarkdown: result.summaryMarkdown,
      report: result.report,
      columns: columns.map((c) => ({
        name: c.name,
        method: c.method,
        distance: c.statistic,
        threshold: c.threshold,
        // A test that cannot judge (chi-square over one category: no degrees of freedom) gives no p-value.
        p_value: c.test && Number.isFinite(c.test.p_value) ? c.test.p_value : null,
        test: c.test?.method ?? null,
        test_statistic: c.test && Number.isFinite(c.test.p_value) ? c.test.statistic : null,
        reference_values: c.reference.rows - c.reference.missing,
        current_values: c.current.rows - c.current.missing,
        approximate: c.approximate === true,
      })),
    };
  };
}
