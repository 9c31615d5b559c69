/**
 * `npm run demo`: the whole lifecycle on the penguins dataset, locally, with the embedded defaults
 * (local registry, local model server, no GitHub token). Each step is the real action run through
 * the terminal platform, exactly as `mlops <step>` runs it. A second run finds the previous version
 * as the baseline and shows a real diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ACTIONS } from '../actions/catalog.js';
import { executeAction } from '../actions/run.js';
import type { ActionName } from '../actions/specs.generated.js';
import { UserError } from '../errors/index.js';
import { localPlatform, startRunSummary } from '../platform/local.js';
import { type HtmlDriftColumn, type HtmlStep, renderHtmlReport } from '../report/html.js';
import { loadPenguins, PENGUIN_FEATURES, PENGUIN_TARGET, seededShuffle, toCsv } from './penguins.js';

export interface DemoOptions {
  directory: string;
  port: number;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

interface StepRun {
  code: number;
  outputs: Record<string, string>;
}

const COLUMNS = [PENGUIN_TARGET, ...PENGUIN_FEATURES];

const MLOPS_YML = `# The demo project's settings: what a team commits next to its training code.
name: penguins
target: species
task: classification
metrics:
  accuracy: { min: 0.8, tolerance: 0.02 }
  f1_macro: { min: 0.8, tolerance: 0.02 }
  log_loss: { direction: lower, tolerance-pct: 25 }
evaluate:
  slices: [island]
  bootstrap: 500
train:
  epochs: 40
`;

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function writeProject(dir: string): void {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const rows = seededShuffle(loadPenguins(), 2024);
  const cut = Math.round(rows.length * 0.7);
  writeFileSync(join(dir, 'data/train.csv'), toCsv(rows.slice(0, cut), COLUMNS));
  writeFileSync(join(dir, 'data/test.csv'), toCsv(rows.slice(cut), COLUMNS));
  writeFileSync(join(dir, 'mlops.yml'), MLOPS_YML);
}

/** Production traffic that has moved: heavier birds with longer flippers, mostly from one island. */
function driftingInstances(count: number): Record<string, unknown>[] {
  const rows = seededShuffle(loadPenguins(), 99).slice(0, count);
  return rows.map((r, i) => ({
    island: i % 5 === 0 ? r.island : 'Biscoe',
    beak_length_mm: r.beak_length_mm,
    beak_depth_mm: r.beak_depth_mm,
    flipper_length_mm: Number(r.flipper_length_mm) + 18,
    body_mass_g: Number(r.body_mass_g) + 900,
    sex: r.sex,
  }));
}

async function sendTraffic(url: string, instances: Record<string, unknown>[]): Promise<number> {
  let answered = 0;
  for (let i = 0; i < instances.length; i += 10) {
    const response = await fetch(`${url}/v1/models/penguins:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: instances.slice(i, i + 10) }),
    });
    if (response.ok) answered += Math.min(10, instances.length - i);
  }
  return answered;
}

async function stopServer(stateDir: string): Promise<void> {
  const stateFile = join(stateDir, 'server.json');
  if (!existsSync(stateFile)) return;
  const { pid } = readJson<{ pid: number }>(stateFile);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const dir = resolve(options.directory);
  const say = (line: string) => options.out.write(`${line}\n`);
  const firstRun = !existsSync(join(dir, 'mlops.yml'));
  if (firstRun) writeProject(dir);
  const at = (path: string) => relative(process.cwd(), join(dir, path)) || '.';
  say(
    `mlops demo in ${at('.')} (${firstRun ? 'new project' : 'existing project: the last registered version is the baseline'})`,
  );

  const steps: HtmlStep[] = [];
  startRunSummary(join(dir, 'mlops-reports/summary.md'), false);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const run = async (name: ActionName, inputs: Record<string, string>): Promise<StepRun> => {
    const index = steps.length + 1;
    say(`\n[${index}] ${name}`);
    const started = Date.now();
    const platform = localPlatform({
      inputs: { 'working-directory': dir, ...inputs },
      json: false,
      summaryFile: join(dir, 'mlops-reports/summary.md'),
      stdout: silent,
      stderr: options.err,
      env: { ...process.env, GITHUB_TOKEN: '', GH_TOKEN: '' },
    });
    const code = await executeAction(ACTIONS[name], platform);
    process.exitCode = 0;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    say(`    ${code === 0 ? 'ok' : 'FAILED'} in ${seconds} s`);
    return { code, outputs: platform.outputs };
  };
  const record = (name: string, result: StepRun, detail: string) => {
    steps.push({ name, status: result.code === 0 ? 'ok' : 'failed', detail });
    if (result.code !== 0) throw new UserError(`The demo stopped: ${name} failed (see the messages above).`);
  };

  const versions = existsSync(join(dir, '.mlops/registry/models/penguins/versions'))
    ? (await readdir(join(dir, '.mlops/registry/models/penguins/versions'))).filter((v) => /^\d+$/.test(v))
        .length
    : 0;
  const seed = 7 + versions;
  const stateDir = join(dir, '.mlops/serve/demo');

  try {
    const validate = await run('data-validate', {
      data: 'data/train.csv',
      ...(existsSync(join(dir, 'schema.yaml'))
        ? { schema: 'schema.yaml' }
        : { 'infer-schema': 'true', 'write-schema': 'schema.yaml' }),
    });
    record(
      'data-validate',
      validate,
      `${validate.outputs.rows} rows, ${validate.outputs.anomalies} anomalies`,
    );

    const train = await run('train', { data: 'data/train.csv', seed: String(seed), cache: 'false' });
    record('train', train, `backend ${train.outputs.backend}, ${train.outputs['duration-seconds']} s`);

    const evaluate = await run('evaluate', { model: train.outputs['model-path'], data: 'data/test.csv' });
    const metrics = JSON.parse(evaluate.outputs.metrics ?? '{}') as Record<string, number>;
    record(
      'evaluate',
      evaluate,
      `accuracy ${metrics.accuracy?.toFixed(3)}, log_loss ${metrics.log_loss?.toFixed(3)}`,
    );

    const compare = await run('compare-baseline', {
      current: evaluate.outputs['metrics-path'],
      baseline: 'registry:penguins@production',
      // The demo's first run has no production model yet: say so explicitly (a first model).
      'allow-missing-baseline': String(versions === 0),
      'fail-on-regression': 'false',
    });
    record(
      'compare-baseline',
      compare,
      `${compare.outputs.regressions} regressions against ${versions > 0 ? `v${versions}` : 'no baseline (first model)'}`,
    );

    const register = await run('register', {
      model: join(dir, 'mlops-artifacts/model'),
      metrics: evaluate.outputs['metrics-path'],
      profile: validate.outputs['profile-path'],
      alias: 'candidate',
      require: 'accuracy>=0.8',
    });
    record('register', register, `version ${register.outputs.version}`);

    const url = `http://127.0.0.1:${options.port}`;
    await stopServer(stateDir);
    const deploy = await run('deploy', {
      model: `penguins/${register.outputs.version}`,
      target: 'local-server',
      environment: 'demo',
      url,
      path: '.mlops/serve/demo',
      'promote-alias': 'production',
    });
    record(
      'deploy',
      deploy,
      `v${deploy.outputs.version} serving at ${deploy.outputs.url}, status ${deploy.outputs.status}`,
    );

    say('\n[*] production traffic (drifted: heavier birds, longer flippers, mostly Biscoe)');
    // With --port 0 the server picked a free port: send to where the deploy says it listens.
    const answered = await sendTraffic(deploy.outputs.url || url, driftingInstances(200));
    say(`    ${answered} predictions served and logged`);
    steps.push({ name: 'traffic', status: 'ok', detail: `${answered} predictions logged` });
    await new Promise((done) => setTimeout(done, 300));

    const drift = await run('drift-check', {
      reference: 'registry:penguins@production',
      current: '.mlops/serve/demo/requests/requests*.ndjson',
      columns: PENGUIN_FEATURES.join(','),
      'open-issue': 'false',
    });
    record(
      'drift-check',
      drift,
      `drift ${drift.outputs['drift-detected']}: ${drift.outputs['drifted-columns'] || 'none'}`,
    );

    const reportFile = join(dir, 'mlops-reports/report.html');
    writeHtmlReport(dir, reportFile, train.outputs['metrics-path'], evaluate.outputs['metrics-path'], steps);
    say('\nSummary');
    for (const step of steps)
      say(`  ${step.status === 'ok' ? '✔' : '✘'} ${step.name.padEnd(17)} ${step.detail}`);
    say(`\nReport (open in a browser): ${at('mlops-reports/report.html')}`);
    say(`PR comment it would post:   ${at('mlops-reports/pr-comment-penguins.md')}`);
    say(`Step summaries:             ${at('mlops-reports/summary.md')}`);
    say(
      `Registry:                   ${at('.mlops/registry')}  (node dist/cli.js registry list --registry ${at('.mlops/registry')})`,
    );
    say("Run 'npm run demo' again: the version just registered becomes the baseline.");
    return 0;
  } finally {
    await stopServer(stateDir);
  }
}

function writeHtmlReport(
  dir: string,
  file: string,
  trainingMetrics: string,
  metricsPath: string,
  steps: HtmlStep[],
): void {
  const training = readJson<{ epochs: { epoch: number; loss?: number; val_loss?: number }[] }>(
    trainingMetrics,
  );
  const metrics = readJson<{
    metrics: Record<string, { value: number | null; ci?: [number, number] | null }>;
  }>(metricsPath);
  const comparison = readJson<{
    baseline: string | null;
    first_model: boolean;
    metrics: {
      name: string;
      baseline: number | null;
      current: number | null;
      delta: number | null;
      verdict: string;
    }[];
  }>(join(dir, 'mlops-reports/comparison.json'));
  const drift = readJson<{ share: number; drift_detected: boolean; columns: HtmlDriftColumn[] }>(
    join(dir, 'mlops-reports/drift.json'),
  );
  const html = renderHtmlReport({
    title: 'mlops demo: penguins',
    createdAt: new Date().toISOString(),
    steps,
    metrics: metrics.metrics,
    comparison: {
      baseline: comparison.first_model ? 'none yet (first model)' : (comparison.baseline ?? ''),
      rows: comparison.metrics.map((m) => ({ ...m, metric: m.name })),
    },
    learningCurve: training.epochs,
    drift: { share: drift.share, detected: drift.drift_detected, columns: drift.columns },
  });
  writeFileSync(file, html);
}
