import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../../shared/src/cli/main.js';

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

describe('train launcher inputs', () => {
  it('refuses a Slurm setting without launcher: slurm instead of training on the runner', async () => {
    const work = mkdtempSync(join(tmpdir(), 'launcher-inputs-'));
    const stdout = sink();
    const stderr = sink();
    const code = await runCommandLine(
      ['train', '--command', 'true', '--slurm-partition', 'gpu', '--working-directory', work],
      { stdout, stderr, env: { PATH: process.env.PATH, MLOPS_SUMMARY_FILE: join(work, 'summary.md') } },
    );
    expect(code).toBe(1);
    expect(stderr.text).toContain(
      'slurm-partition applies to launcher: slurm; set launcher: slurm, or remove slurm-partition.',
    );
  });

  it('refuses search with launcher: slurm, auto included when mlops.yml has a search: section', async () => {
    const work = mkdtempSync(join(tmpdir(), 'launcher-inputs-'));
    writeFileSync(
      join(work, 'mlops.yml'),
      'name: p\nsearch:\n  parameters:\n    learning-rate: {choices: [0.01, 0.1]}\n',
    );
    for (const search of ['run', 'auto']) {
      const stdout = sink();
      const stderr = sink();
      const code = await runCommandLine(
        [
          'train',
          '--command',
          'true',
          '--launcher',
          'slurm',
          '--search',
          search,
          '--working-directory',
          work,
        ],
        { stdout, stderr, env: { PATH: process.env.PATH, MLOPS_SUMMARY_FILE: join(work, 'summary.md') } },
      );
      expect(code, search).toBe(1);
      expect(stderr.text).toContain(
        'search runs its trials on this runner, not as Slurm jobs; use launcher: local with search (README, Scaling out).',
      );
    }
  });
});
