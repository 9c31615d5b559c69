import { resolve } from 'node:path';
import { runSplit } from '../data/split.js';
import { UserError } from '../errors/index.js';
import { terminalLog } from '../platform/local.js';
import { parseArguments } from './arguments.js';
import type { CliCommand } from './commands.js';

const HELP = `mlops split: a reproducible train/test split, so that a model is never evaluated on its training rows.

Usage: mlops split --data <file> [options]

  --data            The rows to split (CSV, TSV, Parquet, JSON, NDJSON, Arrow; .gz too)
  --test-fraction   Share of rows for the test file (default 0.2)
  --seed            Seed: the same data, options and seed give the same files (default 42)
  --stratify <col>  Keep each class's share of <col> in both files
  --by <col>        Keep each group of <col> (a patient, a user) on one side only
  --train-output    Default <data>-train.<ext>, beside the data
  --test-output     Default <data>-test.<ext>, beside the data
  --json            Print the counts as JSON
`;

const OPTIONS = ['data', 'test-fraction', 'seed', 'stratify', 'by', 'train-output', 'test-output'];

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new UserError(`--${name} must be a number; got '${value}'.`, { input: name });
  return parsed;
}

export const splitCommand: CliCommand = {
  name: 'split',
  summary:
    'Write a reproducible train/test split (--test-fraction, --seed, --stratify <col> or --by <group col>).',
  async run(argv, io) {
    const args = parseArguments(argv);
    if (args.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const unknown = Object.keys(args.inputs).filter((key) => !OPTIONS.includes(key));
    if (unknown.length > 0 || args.positional.length > 0)
      throw new UserError(
        `mlops split does not take ${unknown.length > 0 ? `--${unknown[0]}` : `'${args.positional[0]}'`}.\n\n${HELP}`,
      );
    if (!args.inputs.data)
      throw new UserError('mlops split needs --data (the file to split).', { input: 'data' });
    const result = await runSplit(
      {
        data: args.inputs.data,
        testFraction: numberOption(args.inputs['test-fraction'], 'test-fraction', 0.2),
        seed: numberOption(args.inputs.seed, 'seed', 42),
        stratify: args.inputs.stratify,
        by: args.inputs.by,
        trainOutput: args.inputs['train-output'],
        testOutput: args.inputs['test-output'],
        workingDirectory: resolve('.'),
      },
      terminalLog(io.stderr, new Set()),
    );
    if (args.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(`train=${result.train.path}\ntest=${result.test.path}\n`);
    return 0;
  },
};
