/**
 * Configuration files (mlops.yml, schema.yaml, thresholds) are read only when they are regular
 * files under the size limit: `mlops.yml` pointing at /dev/zero ran out of memory
 * (std::bad_alloc) and a FIFO hung the step.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseThresholdsInput } from '../../shared/src/compare/thresholds.js';
import { readYamlFile } from '../../shared/src/config/yaml-source.js';
import { UserError } from '../../shared/src/errors/index.js';
import { loadSchemaFile } from '../../shared/src/validate/schema-yaml.js';
import { runSourceStep } from '../reliability/source-step.js';

function workspaceWithSpecialFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-config-'));
  symlinkSync('/dev/zero', join(dir, 'zero.yml'));
  execFileSync('mkfifo', [join(dir, 'fifo.yml')]);
  writeFileSync(join(dir, 'data.csv'), 'x\n1\n2\n');
  return dir;
}

describe('configuration files that are not regular files', () => {
  it('are refused at once by every reader', () => {
    const dir = workspaceWithSpecialFiles();
    for (const special of ['zero.yml', 'fifo.yml', '.']) {
      const path = join(dir, special);
      for (const read of [
        () => readYamlFile(path),
        () => loadSchemaFile(path),
        () => parseThresholdsInput(path, dir),
      ]) {
        const error = (() => {
          try {
            read();
          } catch (caught) {
            return caught as Error;
          }
        })();
        expect(error, special).toBeInstanceOf(UserError);
        expect(error?.message, special).toMatch(/is not a regular file/);
      }
    }
  });

  it('refuse a file over the limit before reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-config-'));
    writeFileSync(join(dir, 'big.yml'), `a: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    expect(() => readYamlFile(join(dir, 'big.yml'))).toThrow(/limited to 1048576 bytes/);
  });

  it('data-validate with config: /dev/zero and schema: a FIFO fails with one clear message', async () => {
    const workspace = workspaceWithSpecialFiles();
    const cases: Record<string, string>[] = [{ config: 'zero.yml' }, { schema: 'fifo.yml' }];
    for (const input of cases) {
      const result = await runSourceStep({
        action: 'actions/data-validate',
        workspace,
        with: { data: 'data.csv', ...input },
        timeoutMs: 60_000,
      });
      expect(result.exitCode).toBe(1);
      expect(result.annotations[0]?.message).toMatch(/is not a regular file/);
      expect(result.stdout + result.stderr).not.toMatch(/bad_alloc|This is a bug/);
    }
  });
});
