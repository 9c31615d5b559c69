import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { categories, normals, random, tempDir, writeCsv } from './helpers.js';

describe('prediction drift and performance decay', () => {
  it('reports the prediction column separately and checks accuracy against the stored metrics', async () => {
    const dir = tempDir();
    const u = random(7);
    const n = 2000;
    const label = categories(60, n, { yes: 1, no: 3 });
    // Reference: predictions right 90% of the time; current: the model predicts "yes" far more and is right ~60%.
    const refPred = label.map((l) => (u() < 0.9 ? l : l === 'yes' ? 'no' : 'yes'));
    const curLabel = categories(61, n, { yes: 1, no: 3 });
    const curPred = curLabel.map((l) => (u() < 0.6 ? l : 'yes'));
    const ref = writeCsv(dir, 'ref', { f: normals(62, n), pred: refPred, y: label });
    const cur = writeCsv(dir, 'cur', { f: normals(63, n), pred: curPred, y: curLabel });
    const metrics = join(dir, 'metrics.json');
    writeFileSync(
      metrics,
      JSON.stringify({
        schema: 'mlops-metrics/v1',
        metrics: { accuracy: { value: 0.9, ci: [0.88, 0.92], n } },
      }),
    );
    const result = await runDriftCheck(
      {
        reference: ref,
        current: cur,
        method: 'auto',
        driftShare: 0.5,
        prediction: 'pred',
        target: 'y',
        metrics: 'metrics.json',
        reportPath: 'r.json',
        workingDirectory: dir,
      },
      silentLog,
    );
    expect(result.report.prediction?.name).toBe('pred');
    expect(result.report.prediction?.drifted).toBe(true);
    // The prediction and target do not count towards the dataset drift share: only f does.
    expect(result.driftDetected).toBe(false);
    expect(result.report.columns.map((c) => c.name)).toEqual(['f', 'y']);
    const accuracy = result.report.performance.find((p) => p.metric === 'accuracy')!;
    expect(accuracy.rows).toBe(n);
    expect(accuracy.current).toBeLessThan(0.8);
    expect(accuracy.decayed).toBe(true);
    expect(result.performanceDecayed).toBe(true);
    expect(result.summaryMarkdown).toContain('### Prediction drift');
  });
});
