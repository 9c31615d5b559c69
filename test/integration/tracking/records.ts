import { randomBytes } from 'node:crypto';
import type { NewRunRecord } from '../../../shared/src/tracking/record.js';

/** A train run record as a store receives it, distinct per writer `i`. */
export function runRecord(i: number, experiment = 'penguins'): NewRunRecord {
  return {
    schema: 'mlops-run/v1',
    experiment,
    run_id: randomBytes(16).toString('hex'),
    kind: 'train',
    status: 'finished',
    started_at: '2026-12-07T10:00:00.000Z',
    ended_at: '2026-12-07T10:00:05.000Z',
    duration_seconds: 5,
    params: { 'learning-rate': 0.01 * (i + 1), writer: i },
    metrics: { accuracy: 0.5 + i / 100 },
    curves: [{ epoch: 1, loss: 1 - i / 100 }],
    data_fingerprint: 'sha256:ab',
    code_sha: null,
    runner: { name: 'test', os: 'Linux', arch: 'x64' },
    backend: 'cpu',
    search: null,
  };
}
