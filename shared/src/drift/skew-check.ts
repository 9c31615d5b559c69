import { join } from 'node:path';
import type { SkewCheck } from '../validate/run-data-validate.js';
import { runDriftCheckIn } from './run.js';

/**
 * data-validate's skew check: the drift-check statistics between the dataset and a reference
 * (dataset or stored profile), with drift-check's defaults. The report lands beside the
 * validation report as `skew.json`.
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
        driftShare: 0.5,
        reportPath: join(reportDirectory, 'skew.json'),
        workingDirectory: input.workingDirectory,
      },
      log,
      // The dataset data-validate has just read and counted: compared as it is, not read again.
      { dataset: input.current, counts: input.currentCounts },
    );
    return {
      driftDetected: result.driftDetected,
      summaryMarkdown: result.summaryMarkdown,
      report: result.report,
    };
  };
}
