import { UserError } from '../../errors/index.js';

/** Resources a Slurm job asks for, from the train inputs (`slurm-*` and `timeout-minutes`). */
export interface SlurmResources {
  partition?: string;
  account?: string;
  /** GPUs per node: `--gres=gpu:N`; 0 asks for none. */
  gpus: number;
  nodes: number;
  /** `--ntasks`: with more than one task (or node) the program is started with `srun`. */
  tasks: number;
  cpusPerTask?: number;
  /** `--mem`, e.g. `16G`. */
  memory?: string;
  /** `--time` in whole minutes; undefined: the partition's default. */
  timeLimitMinutes?: number;
  jobName: string;
  /** Further `--option=value` arguments for sbatch, one per item. */
  extraOptions: string[];
}

/** Where the job reads and writes, all on the filesystem the runner and the nodes share. */
export interface SlurmJobPaths {
  workingDirectory: string;
  outputDir: string;
  checkpointDir: string;
  metricsFile: string;
  /** The job's stdout and stderr, streamed into the step log. */
  jobOutputFile: string;
  /** A file the runner writes before submitting; the job checks that it sees it. */
  sharedMarker: string;
}

/**
 * Exit code of the generated script when the node cannot see the output folder (it is not on a
 * shared filesystem): the follower turns it into its own message.
 */
export const NOT_SHARED_EXIT_CODE = 97;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.,+-]*$/;
const MEMORY = /^[0-9]+[KMGT]?$/;
/** Options this launcher sets itself; a second value would silently win or break following. */
const RESERVED_OPTIONS = [
  '--parsable',
  '--output',
  '--error',
  '--chdir',
  '--wrap',
  '--export',
  '--test-only',
];

/**
 * sbatch's arguments: each value is its own argv word (no shell runs sbatch), so no value can
 * inject anything; names are still checked so a typo gets a message here rather than from Slurm.
 */
export function sbatchArguments(resources: SlurmResources, paths: SlurmJobPaths): string[] {
  const args = ['--parsable', `--job-name=${resources.jobName}`];
  if (resources.partition !== undefined)
    args.push(`--partition=${checked('slurm-partition', resources.partition, NAME)}`);
  if (resources.account !== undefined)
    args.push(`--account=${checked('slurm-account', resources.account, NAME)}`);
  args.push(`--nodes=${resources.nodes}`, `--ntasks=${resources.tasks}`);
  if (resources.cpusPerTask !== undefined) args.push(`--cpus-per-task=${resources.cpusPerTask}`);
  if (resources.gpus > 0) args.push(`--gres=gpu:${resources.gpus}`);
  if (resources.memory !== undefined) args.push(`--mem=${checked('slurm-memory', resources.memory, MEMORY)}`);
  if (resources.timeLimitMinutes !== undefined) args.push(`--time=${resources.timeLimitMinutes}`);
  for (const option of resources.extraOptions) {
    if (!/^--[a-z][a-z-]*(=.*)?$/.test(option)) {
      throw new UserError(
        `slurm-options: '${option}' is not a long sbatch option; give one --name=value per line.`,
        { input: 'slurm-options' },
      );
    }
    const name = option.split('=')[0];
    if (RESERVED_OPTIONS.includes(name)) {
      throw new UserError(`slurm-options: ${name} is set by the slurm launcher itself and cannot be given.`, {
        input: 'slurm-options',
      });
    }
    args.push(option);
  }
  args.push(`--chdir=${paths.workingDirectory}`, `--output=${slurmFilename(paths.jobOutputFile)}`);
  return args;
}

function checked(input: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) {
    throw new UserError(`${input} '${value}' is not a valid Slurm value (expected ${describe(pattern)}).`, {
      input,
    });
  }
  return value;
}

function describe(pattern: RegExp): string {
  return pattern === MEMORY ? 'a size such as 4000, 500M or 16G' : 'letters, digits, and . _ , + -';
}

/** sbatch expands `%j`-style patterns in --output; `%%` is a literal percent sign. */
function slurmFilename(path: string): string {
  if (path.includes('\\')) {
    throw new UserError(`output-dir '${path}' contains a backslash, which Slurm reads in file names.`, {
      input: 'output-dir',
    });
  }
  return path.replaceAll('%', '%%');
}

/**
 * One shell word that the shell reads back as exactly `value`: single quotes, with each embedded
 * single quote closed, escaped and reopened. NUL cannot be passed to a program at all.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new UserError('A value for the Slurm batch script contains a NUL byte.');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The lines every batch script starts its body with: stop with a clear message when the node does
 * not see the output folder, since nothing the job writes would ever reach the runner.
 */
function sharedFolderCheck(paths: SlurmJobPaths): string {
  return [
    `if [ ! -e ${shellQuote(paths.sharedMarker)} ]; then`,
    `  echo "mlops: this node ($(hostname)) cannot see "${shellQuote(paths.outputDir)}": output-dir must be on a filesystem the runner and the cluster nodes share." >&2`,
    `  exit ${NOT_SHARED_EXIT_CODE}`,
    'fi',
  ].join('\n');
}

/** The generated batch script: the shared-folder check, then the program (under srun when parallel). */
export function renderBatchScript(argv: string[], resources: SlurmResources, paths: SlurmJobPaths): string {
  const launch = resources.tasks > 1 || resources.nodes > 1 ? 'srun ' : 'exec ';
  return [
    '#!/bin/bash',
    '# Generated by the mlops train step (launcher: slurm). Resources are given on the sbatch',
    '# command line; MLOPS_* variables (output, checkpoint and metrics paths) come from the environment.',
    sharedFolderCheck(paths),
    `cd ${shellQuote(paths.workingDirectory)} || exit 1`,
    `${launch}${argv.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

/** Values a script template can use as `{{name}}`; each becomes one single-quoted shell word. */
export interface TemplateValues {
  command: string[];
  working_directory: string;
  output_dir: string;
  checkpoint_dir: string;
  metrics_file: string;
  data: string;
  target: string;
  seed: string;
  epochs: string;
  resume: string;
}

export const TEMPLATE_NAMES = [
  'command',
  'working_directory',
  'output_dir',
  'checkpoint_dir',
  'metrics_file',
  'data',
  'target',
  'seed',
  'epochs',
  'resume',
] as const satisfies readonly (keyof TemplateValues)[];

/**
 * Fills the user's batch-script template. `{{command}}` becomes the program's words, each quoted;
 * every other placeholder one quoted word. A placeholder inside quotes would put the quotes into
 * the value, so that is refused, as are unknown names; the shared-folder check goes after the
 * `#SBATCH` header, where Slurm still reads directives.
 */
export function renderTemplate(
  template: string,
  file: string,
  values: TemplateValues,
  paths: SlurmJobPaths,
): string {
  const lines = template.split('\n');
  if (!lines[0].startsWith('#!')) {
    throw new UserError(`The Slurm script template must start with a #! line (e.g. #!/bin/bash).`, {
      file,
      line: 1,
      input: 'slurm-script-template',
    });
  }
  let usesCommand = false;
  const filled = lines.map((line, index) =>
    line.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_match, name: string, offset: number, whole: string) => {
      const where = { file, line: index + 1, input: 'slurm-script-template' };
      if (!(TEMPLATE_NAMES as readonly string[]).includes(name)) {
        throw new UserError(
          `Unknown placeholder {{${name}}} in the Slurm script template; known: ${TEMPLATE_NAMES.join(', ')}.`,
          where,
        );
      }
      const before = whole.slice(0, offset);
      if (insideQuotes(before) || /[\\$]$/.test(before)) {
        throw new UserError(
          `{{${name}}} in the Slurm script template is inside quotes; placeholders expand to a complete quoted word, so write it bare.`,
          where,
        );
      }
      if (name === 'command') usesCommand = true;
      const value = values[name as keyof TemplateValues];
      return Array.isArray(value) ? value.map(shellQuote).join(' ') : shellQuote(value);
    }),
  );
  if (values.command.length > 0 && !usesCommand) {
    throw new UserError(
      'The Slurm script template has no {{command}}, so the training command would never run; add {{command}} where it should start.',
      { file, input: 'slurm-script-template' },
    );
  }
  let header = 1;
  while (header < filled.length && /^\s*(#|$)/.test(filled[header])) header++;
  filled.splice(header, 0, sharedFolderCheck(paths));
  return filled.join('\n');
}

/** Whether a line prefix leaves an open single or double quote (or backquote), as bash reads it. */
function insideQuotes(prefix: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i];
    if (quote === undefined) {
      if (ch === '\\') i++;
      else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
      else if (ch === '#' && (i === 0 || /\s/.test(prefix[i - 1]))) return false;
    } else if (quote === "'") {
      if (ch === "'") quote = undefined;
    } else if (ch === '\\') i++;
    else if (ch === quote) quote = undefined;
  }
  return quote !== undefined;
}
