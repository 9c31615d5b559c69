import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { readReportedMetrics } from '../../../shared/src/train/commandMetrics.js';
import { parseMetricLine } from '../../../shared/src/train/metricLines.js';

describe('parseMetricLine', () => {
  it('reads name=value pairs after the prefix', () => {
    expect(parseMetricLine('mlops-metric epoch=3 loss=0.25 val_accuracy=9.1e-1')).toEqual({
      values: { epoch: 3, loss: 0.25, val_accuracy: 0.91 },
      rejected: [],
    });
  });

  it('ignores other lines, including GitHub workflow commands', () => {
    expect(parseMetricLine('::set-output name=loss::0.3')).toBeUndefined();
    expect(parseMetricLine('loss=0.3')).toBeUndefined();
    expect(parseMetricLine(' mlops-metric loss=0.3')).toBeUndefined();
  });

  it('rejects values that are not finite numbers, keeping the rest', () => {
    expect(parseMetricLine('mlops-metric loss=nan acc=0.5 x= =3 lr=inf\r')).toEqual({
      values: { acc: 0.5 },
      rejected: ['loss=nan', 'x=', '=3', 'lr=inf'],
    });
  });
});

describe('readReportedMetrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-'));

  it('takes history and final from the metrics file', async () => {
    const file = join(dir, 'a.json');
    writeFileSync(
      file,
      JSON.stringify({
        history: [
          { epoch: 1, loss: 1 },
          { epoch: 2, loss: 0.5, note: 'x' },
        ],
        final: { accuracy: 0.9 },
      }),
    );
    expect(await readReportedMetrics(file, [{ loss: 9 }])).toEqual({
      history: [
        { epoch: 1, loss: 1 },
        { epoch: 2, loss: 0.5 },
      ],
      final: { accuracy: 0.9 },
    });
  });

  it('reads a flat object as final metrics and numbers stdout rows without epoch', async () => {
    const file = join(dir, 'b.json');
    writeFileSync(file, JSON.stringify({ accuracy: 0.8, name: 'run' }));
    expect(await readReportedMetrics(file, [{ loss: 2 }, { step: 5, loss: 1 }, { loss: 0.5 }])).toEqual({
      history: [
        { epoch: 1, loss: 2 },
        { epoch: 5, loss: 1 },
        { epoch: 6, loss: 0.5 },
      ],
      final: { accuracy: 0.8 },
    });
  });

  it('uses the last history row as final when there is no file', async () => {
    expect(await readReportedMetrics(join(dir, 'missing.json'), [{ epoch: 1, loss: 2, acc: 0.5 }])).toEqual({
      history: [{ epoch: 1, loss: 2, acc: 0.5 }],
      final: { loss: 2, acc: 0.5 },
    });
  });

  it('fails with a UserError naming the file when it is not JSON', async () => {
    const file = join(dir, 'c.json');
    writeFileSync(file, 'loss: 0.3\n');
    await expect(readReportedMetrics(file, [])).rejects.toThrow(UserError);
    await expect(readReportedMetrics(file, [])).rejects.toThrow(
      /c\.json' \(MLOPS_METRICS_FILE\) is not valid JSON/,
    );
    writeFileSync(file, '[1, 2]');
    await expect(readReportedMetrics(file, [])).rejects.toThrow(/must hold a JSON object/);
  });
});
