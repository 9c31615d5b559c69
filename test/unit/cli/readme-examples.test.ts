/**
 * The README's CLI examples and its mlops.yml, run as written in a project laid out as the README
 * describes (data/train.csv, data/test.csv, preds.csv). On the old main the top-level `data:`
 * filled evaluate too, so `mlops evaluate --predictions preds.csv` compared the predictions with
 * the training file and failed on the row count.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../shared/src/cli/main.js';
import { loadConfig } from '../../../shared/src/config/load.js';

const readme = readFileSync('README.md', 'utf8');
const project = mkdtempSync(join(tmpdir(), 'mlops-readme-'));

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

/** The fenced block right after `heading` whose info string is `lang`. */
function block(heading: string, lang: string): string {
  const at = readme.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const start = readme.indexOf(`\`\`\`${lang}\n`, at) + lang.length + 4;
  return readme.slice(start, readme.indexOf('```', start));
}

/** Splits a README command line into argv (the examples use no quoting). */
function argv(line: string): string[] {
  return line.replace(/#.*$/, '').trim().split(/\s+/).slice(1);
}

function setUpProject(): void {
  const penguins = JSON.parse(
    readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8'),
  ) as Record<string, unknown>[];
  const rows = penguins.map((p) => ({
    island: p['Island'],
    sex: p['Sex'] ?? '',
    bill_length_mm: p['Beak Length (mm)'] ?? '',
    species: p['Species'],
  }));
  const toCsv = (rs: typeof rows) =>
    `island,sex,bill_length_mm,species\n${rs.map((r) => [r.island, r.sex, r.bill_length_mm, r.species].join(',')).join('\n')}\n`;
  mkdirSync(join(project, 'data'), { recursive: true });
  writeFileSync(join(project, 'data/train.csv'), toCsv(rows.filter((_, i) => i % 3 !== 0)));
  const test = rows.filter((_, i) => i % 3 === 0);
  writeFileSync(join(project, 'data/test.csv'), toCsv(test));
  // Predictions for the test rows, in the same order (a model that always says Adelie but for Biscoe).
  writeFileSync(
    join(project, 'preds.csv'),
    `y_true,y_pred\n${test.map((r) => `${r.species},${r.island === 'Biscoe' ? 'Gentoo' : 'Adelie'}`).join('\n')}\n`,
  );
  const config = block('## mlops.yml', 'yaml').replace('/srv/mlops/registry', join(project, 'registry'));
  writeFileSync(join(project, 'mlops.yml'), config);
}

async function mlops(args: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCommandLine(
    [
      ...args,
      ...(args[0]?.startsWith('-') || args.includes('--help') ? [] : ['--working-directory', project]),
    ],
    {
      stdout,
      stderr,
      env: { MLOPS_SUMMARY_FILE: join(project, 'summary.md') },
    },
  );
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe("the README's examples", () => {
  setUpProject();

  it('its mlops.yml is valid and scopes the top-level data to data-validate and train', () => {
    const loaded = loadConfig(undefined, project)!;
    expect(loaded.config.data).toBe('data/train.csv');
    expect(loaded.config.evaluate?.['data']).toBe('data/test.csv');
    expect(loaded.config.features?.['on-invalid']).toBe('error');
  });

  const lines = block('## The CLI', 'sh')
    .split('\n')
    .filter((l) => l.startsWith('mlops '));
  // `mlops serve` keeps running and `mlops registry list` reads a shared registry: both are
  // exercised by their own tests (test/unit/serve, test/unit/registry). split, report and deploy
  // take no --working-directory and need the steps before them: test/contract/readme-commands
  // runs the whole block as written, in order.
  const runnable = lines.filter((l) => !/^mlops (serve|registry|check-config|split|report|deploy)\b/.test(l));
  expect(runnable.length).toBeGreaterThanOrEqual(4);

  for (const line of runnable) {
    it(`runs: ${line.replace(/\s+#.*$/, '')}`, async () => {
      const result = await mlops(argv(line));
      expect(result.code, result.stderr).toBe(0);
      if (line.includes('evaluate --predictions')) {
        const { outputs } = JSON.parse(result.stdout) as { outputs: Record<string, string> };
        const metrics = JSON.parse(readFileSync(outputs['metrics-path']!, 'utf8'));
        expect(metrics.dataset.rows).toBe(115);
        // Slices from mlops.yml come from evaluate's own data, the test rows.
        expect(metrics.slices.some((s: { column: string }) => s.column === 'island')).toBe(true);
      }
    });
  }
});
