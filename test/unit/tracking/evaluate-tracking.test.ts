import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { runEvaluate } from '../../../shared/src/evaluate/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { trackEvaluate } from '../../../shared/src/tracking/evaluate-record.js';
import { LocalRunStore, openRunStore } from '../../../shared/src/tracking/store.js';
import { PENGUINS_FIXTURE } from '../models/penguins-fixture.js';

describe('evaluate runs are tracked', () => {
  it('appends a finished record with the metrics, and a failed one with the error', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mlops-eval-track-'));
    const store = new LocalRunStore(join(work, '.mlops/runs'));
    const evaluate = (model: string) => () =>
      runEvaluate(
        {
          model,
          data: resolve(PENGUINS_FIXTURE, 'eval.csv'),
          confidence: 0.95,
          bootstrap: 0,
          seed: 42,
          latency: false,
          output: 'out/metrics.json',
          workingDirectory: work,
          git: { sha: 'abc123', ref: 'refs/heads/main' },
        },
        silentLog,
      );
    const result = await trackEvaluate(
      store,
      'penguins',
      silentLog,
      evaluate(resolve(PENGUINS_FIXTURE, 'model.onnx')),
      {},
    );
    const error = await trackEvaluate(
      store,
      'penguins',
      silentLog,
      evaluate(join(work, 'missing.onnx')),
      {},
    ).catch((e) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const [finished, failed] = await store.listRuns('penguins');
    expect(finished).toMatchObject({
      number: 1,
      kind: 'evaluate',
      status: 'finished',
      code_sha: 'abc123',
      data_fingerprint: result.metrics.dataset.digest,
      backend: result.metrics.model?.engine,
      params: {
        'model-digest': result.metrics.model?.digest,
        task: 'classification',
        seed: 42,
        bootstrap: 0,
      },
      search: null,
      curves: [],
    });
    expect(finished.metrics.accuracy).toBe(result.metrics.metrics.accuracy.value);
    expect(Object.values(finished.metrics).every(Number.isFinite)).toBe(true);
    expect(failed).toMatchObject({
      number: 2,
      kind: 'evaluate',
      status: 'failed',
      error: (error as Error).message,
    });
  });

  it('tracking: github without a token says what is missing', () => {
    expect(() => openRunStore({ backend: 'github', workingDirectory: '.' })).toThrow(UserError);
    expect(() => openRunStore({ backend: 'github', workingDirectory: '.' })).toThrow(
      /needs a GitHub token \(input github-token\)/,
    );
  });
});
