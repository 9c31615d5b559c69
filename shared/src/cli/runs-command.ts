import { resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { terminalGitHubClient } from '../platform/services.js';
import { formatNumber } from '../report/html.js';
import { exportMlflow, renderRunsComparison, runsToCsv } from '../tracking/export.js';
import type { RunRecord } from '../tracking/record.js';
import { RUN_RECORD_FILE, readRunRecordFiles } from '../tracking/record-file.js';
import {
  DEFAULT_LOCAL_TRACKING,
  GitHubRunStore,
  LocalRunStore,
  publishRunRecords,
  type RunStore,
} from '../tracking/store.js';
import { parseArguments } from './arguments.js';
import type { CliCommand } from './commands.js';
import type { CliIo } from './main.js';

const RUNS_HELP = `mlops runs: the experiment tracking store (every train and evaluate run).

Usage:
  mlops runs list                                   one line per run
  mlops runs show <number|run-id>                   one run's record (JSON)
  mlops runs compare [<number>...] [--search <id>] [--metric <name>] [--output <file.html>]
                                                    params x metrics table; HTML with learning curves
  mlops runs export --format csv|json|mlflow [--output <path>]
                                                    csv/json to a file (default stdout); mlflow: an
                                                    mlruns/ folder (default ./mlruns) for mlflow ui
  mlops runs push <path>...                         append train's ${RUN_RECORD_FILE} files (a file, or
                                                    every one under a folder) to the store, once each

Options: --store <folder> (default ${DEFAULT_LOCAL_TRACKING}) or github:<owner>/<repo> (the annotated tags
mlops-run/<experiment>/<n>; the token is read from GITHUB_TOKEN or GH_TOKEN, the API from
GITHUB_API_URL), --experiment <name> (default: the only one, else all for export), --json
`;

const GITHUB_STORE = /^github:([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/;

/** `--store`: a folder, or `github:<owner>/<repo>` with the token from the environment. */
function openStore(spec: string | undefined, io: CliIo): RunStore {
  if (spec?.startsWith('github:')) {
    const match = GITHUB_STORE.exec(spec);
    if (!match)
      throw new UserError(`--store ${JSON.stringify(spec)} must be github:<owner>/<repo>.`, {
        input: 'store',
      });
    const octokit = terminalGitHubClient(io.env, io.stderr);
    if (!octokit)
      throw new UserError(
        `--store ${spec} reads the GitHub token from GITHUB_TOKEN or GH_TOKEN; neither is set.`,
        { input: 'store' },
      );
    return new GitHubRunStore(octokit, { owner: match[1], repo: match[2] });
  }
  return new LocalRunStore(resolve(spec ?? DEFAULT_LOCAL_TRACKING));
}

async function runsOf(store: RunStore, experiment: string | undefined, all: boolean): Promise<RunRecord[]> {
  const experiments = await store.listExperiments();
  if (experiment !== undefined) {
    if (!experiments.includes(experiment))
      throw new UserError(
        `No experiment '${experiment}' in ${store.location}${experiments.length ? ` (experiments: ${experiments.join(', ')})` : ' (it has no runs yet)'}.`,
        { input: 'experiment' },
      );
    return store.listRuns(experiment);
  }
  if (experiments.length === 0)
    throw new UserError(`No runs recorded in ${store.location} yet.`, { input: 'store' });
  if (experiments.length > 1 && !all)
    throw new UserError(
      `${store.location} has several experiments (${experiments.join(', ')}): name one with --experiment.`,
      {
        input: 'experiment',
      },
    );
  return (await Promise.all(experiments.map((name) => store.listRuns(name)))).flat();
}

function metricsText(run: RunRecord): string {
  return Object.entries(run.metrics)
    .map(([k, v]) => `${k}=${formatNumber(v)}`)
    .join(' ');
}

function pickRuns(runs: RunRecord[], wanted: string[]): RunRecord[] {
  return wanted.map((id) => {
    const run = runs.find(
      (r) => String(r.number) === id || r.run_id === id || (id.length >= 8 && r.run_id.startsWith(id)),
    );
    if (!run)
      throw new UserError(`No run '${id}' (runs: ${runs.map((r) => r.number).join(', ') || 'none'}).`, {
        input: 'run',
      });
    return run;
  });
}

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'List, show, compare (HTML) and export (csv, json, MLflow) tracked train and evaluate runs.',
  async run(argv, io) {
    const args = parseArguments(argv);
    const [sub, ...rest] = args.positional;
    if (args.help || !sub) {
      io.stdout.write(RUNS_HELP);
      return args.help ? 0 : 1;
    }
    const store = openStore(args.inputs.store, io);
    const experiment = args.inputs.experiment;
    const print = (value: unknown, text: string) =>
      io.stdout.write(args.json ? `${JSON.stringify(value, null, 2)}\n` : text);
    switch (sub) {
      case 'list': {
        const runs = await runsOf(store, experiment, true);
        const lines = runs.map(
          (r) =>
            `${r.experiment}#${r.number}  ${r.run_id.slice(0, 8)}  ${r.kind}  ${r.status}${r.search ? `  trial ${r.search.trial}/${r.search.trials}` : ''}  ${metricsText(r)}  ${r.duration_seconds.toFixed(1)}s`,
        );
        print(runs, `${lines.join('\n')}\n`);
        return 0;
      }
      case 'show': {
        if (rest.length !== 1) throw new UserError('Usage: mlops runs show <number|run-id>');
        const [run] = pickRuns(await runsOf(store, experiment, false), rest);
        io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
        return 0;
      }
      case 'compare': {
        let runs = await runsOf(store, experiment, false);
        if (args.inputs.search) runs = runs.filter((r) => r.search?.id === args.inputs.search);
        if (rest.length > 0) runs = pickRuns(runs, rest);
        if (runs.length === 0) throw new UserError('No runs to compare.', { input: 'search' });
        const metric = args.inputs.metric ?? runs.find((r) => r.search)?.search?.metric;
        const direction = runs.find((r) => r.search?.metric === metric)?.search?.direction ?? 'higher';
        if (metric) {
          const sign = direction === 'higher' ? -1 : 1;
          const value = (r: RunRecord) => r.metrics[metric] ?? Number.NaN;
          runs = [...runs].sort((a, b) => {
            const [x, y] = [value(a), value(b)];
            if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
            return sign * (x - y) || a.number - b.number;
          });
        }
        const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
        const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
        const header = ['run', 'status', ...params, ...metrics];
        const rows = runs.map((r) => [
          `#${r.number}`,
          r.status,
          ...params.map((p) => (p in r.params ? String(r.params[p]) : '')),
          ...metrics.map((m) => (m in r.metrics ? formatNumber(r.metrics[m]) : '')),
        ]);
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
        const line = (cells: string[]) =>
          cells
            .map((c, i) => c.padEnd(widths[i]))
            .join('  ')
            .trimEnd();
        const output = resolve(args.inputs.output ?? 'mlops-reports/runs-compare.html');
        await writeFileAtomic(
          output,
          renderRunsComparison(runs, { title: `Runs of ${runs[0].experiment}`, metric, direction }),
        );
        print({ runs, html: output }, `${[line(header), ...rows.map(line)].join('\n')}\n\nHTML: ${output}\n`);
        return 0;
      }
      case 'export': {
        const format = args.inputs.format;
        if (format !== 'csv' && format !== 'json' && format !== 'mlflow')
          throw new UserError(`--format must be csv, json or mlflow, got ${JSON.stringify(format ?? '')}.`, {
            input: 'format',
          });
        const runs = await runsOf(store, experiment, true);
        if (format === 'mlflow') {
          const done = await exportMlflow(runs, args.inputs.output ?? 'mlruns');
          io.stdout.write(
            `${done.runs} runs written to ${done.root} (mlflow ui --backend-store-uri ${done.root})\n`,
          );
          return 0;
        }
        const text = format === 'csv' ? runsToCsv(runs) : `${JSON.stringify(runs, null, 2)}\n`;
        if (args.inputs.output) {
          await writeFileAtomic(resolve(args.inputs.output), text);
          io.stdout.write(`${resolve(args.inputs.output)}\n`);
        } else io.stdout.write(text);
        return 0;
      }
      case 'push': {
        if (rest.length === 0)
          throw new UserError(`Usage: mlops runs push <path>... (${RUN_RECORD_FILE} files or folders)`);
        const records = [];
        // Every path is read and checked before anything is appended.
        for (const path of rest) records.push(...(await readRunRecordFiles(resolve(path), 'push')));
        const outcome = await publishRunRecords(store, records);
        const lines = [
          ...outcome.appended.map((r) => `${r.experiment}#${r.number}  ${r.run_id.slice(0, 8)}  appended`),
          ...outcome.alreadyStored.map(
            (r) => `${r.experiment}#${r.number}  ${r.run_id.slice(0, 8)}  already in the store`,
          ),
        ];
        print(
          outcome,
          `${lines.join('\n')}\n${outcome.appended.length} appended, ${outcome.alreadyStored.length} already in ${store.location}\n`,
        );
        return 0;
      }
      default:
        throw new UserError(`Unknown runs command '${sub}'.\n\n${RUNS_HELP}`);
    }
  },
};
