import { describe, expect, it } from 'vitest';
import { learningCurve, renderTrainSummary } from '../../../shared/src/train/summary.js';

const history = Array.from({ length: 130 }, (_, i) => ({
  epoch: i + 1,
  loss: 1 / (i + 1),
  val_loss: 1.5 / (i + 1),
}));

describe('train summary', () => {
  it('draws loss and val_loss as a Mermaid xychart, at most 60 points plus the last epoch', () => {
    const chart = learningCurve(history)!;
    expect(chart).toMatch(/^```mermaid\nxychart-beta\n/);
    const axis = /x-axis "epoch" \[([^\]]*)\]/.exec(chart)![1].split(', ').map(Number);
    expect(axis[0]).toBe(1);
    expect(axis.at(-1)).toBe(130);
    expect(axis.length).toBeLessThanOrEqual(61);
    const lines = chart.split('\n').filter((l) => l.trim().startsWith('line ['));
    expect(lines).toHaveLength(2);
    // Every third epoch (1, 4, 7, ...): loss 1/epoch.
    expect(lines[0]).toContain('line [1, 0.25, 0.1429,');
    expect(chart).toContain('Lines: training loss (first), validation loss (second).');
    expect(learningCurve([{ epoch: 1, loss: 1 }])).toBeUndefined();
  });

  it('escapes metric names reported by a user program and shows GPU use and cache hit', () => {
    const markdown = renderTrainSummary({
      mode: 'command',
      final: { '<img src=x onerror=alert(1)>': 0.5, 'acc @team': 0.91234567 },
      evaluatedOn: 'reported',
      history: history.slice(0, 3),
      durationSeconds: 12.3456,
      backend: 'cuda',
      gpu: {
        count: 2,
        names: ['NVIDIA H100', 'NVIDIA H100'],
        usage: {
          samples: 4,
          utilizationPercent: { mean: 71.25, peak: 99 },
          memoryUsedMiB: { mean: 2048, peak: 4096 },
        },
      },
      cacheHit: true,
      resumedFromEpoch: 2,
      stoppedEarly: true,
      artifact: { name: 'model', id: '42' },
    });
    expect(markdown).not.toContain('<img');
    expect(markdown).not.toMatch(/ @team/);
    expect(markdown).toContain('| 0.9123 |');
    expect(markdown).toContain('| duration | 12.35 s |');
    expect(markdown).toContain(
      '2 × NVIDIA H100; utilisation mean 71.25 %, peak 99 %; memory mean 2048 MiB, peak 4096 MiB',
    );
    expect(markdown).toContain('| cache hit | yes |');
    expect(markdown).toContain('| epochs | 3 (stopped early), resumed after epoch 2 |');
  });

  it('says so when no metrics were reported', () => {
    const markdown = renderTrainSummary({
      mode: 'command',
      final: {},
      evaluatedOn: 'reported',
      history: [],
      durationSeconds: 1,
      backend: 'cpu',
      gpu: { count: 0, names: [] },
      cacheHit: false,
      resumedFromEpoch: 0,
      stoppedEarly: false,
    });
    expect(markdown).toContain('_No metrics were reported._');
    expect(markdown).not.toContain('mermaid');
    expect(markdown).toContain('| GPU | none |');
  });
});
