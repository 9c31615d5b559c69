import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../../shared/src/errors/index.js';
import {
  renderBatchScript,
  renderTemplate,
  type SlurmJobPaths,
  type SlurmResources,
  sbatchArguments,
  shellQuote,
  type TemplateValues,
} from '../../../../shared/src/train/slurm/batchScript.js';

const paths: SlurmJobPaths = {
  workingDirectory: '/shared/work',
  outputDir: '/shared/out',
  checkpointDir: '/shared/out/checkpoints',
  metricsFile: '/shared/out/reported-metrics.json',
  jobOutputFile: '/shared/out/slurm/job-1.out',
  sharedMarker: '/shared/out/slurm/.visible-1',
};
const resources: SlurmResources = { gpus: 0, nodes: 1, tasks: 1, jobName: 'mlops-train', extraOptions: [] };
const values: TemplateValues = {
  command: ['python', 'train.py', '--name', "it's"],
  working_directory: '/shared/work',
  output_dir: '/shared/out',
  checkpoint_dir: '/shared/out/checkpoints',
  metrics_file: '/shared/out/m.json',
  data: '/shared/d.csv',
  target: 'y',
  seed: '1',
  epochs: '3',
  resume: 'false',
};

/** What bash makes of the words: printed one per line by printf. */
function bashWords(words: string): string[] {
  const run = spawnSync('bash', ['-c', `printf '%s\\0' ${words}`], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  return run.stdout.split('\0').slice(0, -1);
}

function userError(action: () => unknown): UserError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('shellQuote', () => {
  it('gives bash back exactly the value, whatever it holds', () => {
    const nasty = ["it's", '$(touch /tmp/x)', '`id`', '"; rm -rf / #', 'a\nb', '*', '~', '\\', '', "''"];
    expect(bashWords(nasty.map(shellQuote).join(' '))).toEqual(nasty);
  });

  it('refuses NUL, which no argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(UserError);
  });
});

describe('sbatchArguments', () => {
  it('turns the inputs into sbatch options, one argument each', () => {
    const args = sbatchArguments(
      {
        ...resources,
        partition: 'gpu',
        account: 'lab-42',
        gpus: 2,
        nodes: 2,
        tasks: 4,
        cpusPerTask: 8,
        memory: '64G',
        timeLimitMinutes: 90,
        extraOptions: ['--qos=long', '--constraint=a100'],
      },
      { ...paths, jobOutputFile: '/shared/100%/job.out' },
    );
    expect(args).toEqual([
      '--parsable',
      '--job-name=mlops-train',
      '--partition=gpu',
      '--account=lab-42',
      '--nodes=2',
      '--ntasks=4',
      '--cpus-per-task=8',
      '--gres=gpu:2',
      '--mem=64G',
      '--time=90',
      '--qos=long',
      '--constraint=a100',
      '--chdir=/shared/work',
      '--output=/shared/100%%/job.out',
    ]);
  });

  it('names the input of a value Slurm would not take', () => {
    expect(userError(() => sbatchArguments({ ...resources, partition: 'gpu;rm' }, paths)).input).toBe(
      'slurm-partition',
    );
    expect(userError(() => sbatchArguments({ ...resources, memory: 'lots' }, paths)).message).toBe(
      "slurm-memory 'lots' is not a valid Slurm value (expected a size such as 4000, 500M or 16G).",
    );
    expect(userError(() => sbatchArguments({ ...resources, extraOptions: ['-p gpu'] }, paths)).message).toBe(
      "slurm-options: '-p gpu' is not a long sbatch option; give one --name=value per line.",
    );
    expect(
      userError(() => sbatchArguments({ ...resources, extraOptions: ['--output=/x'] }, paths)).message,
    ).toBe('slurm-options: --output is set by the slurm launcher itself and cannot be given.');
  });
});

describe('renderBatchScript', () => {
  it('checks the shared folder, then execs the quoted command, or srun for several tasks', () => {
    const script = renderBatchScript(['python', 'train.py', "it's"], resources, paths);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain("if [ ! -e '/shared/out/slurm/.visible-1' ]; then");
    expect(script).toContain('exit 97');
    expect(script).toContain("\ncd '/shared/work' || exit 1\nexec 'python' 'train.py' 'it'\\''s'\n");
    expect(renderBatchScript(['python'], { ...resources, tasks: 4 }, paths)).toContain("\nsrun 'python'\n");
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });
});

describe('renderTemplate', () => {
  it('puts each value in as one quoted word and the shared-folder check after the #SBATCH header', () => {
    const script = renderTemplate(
      '#!/bin/bash\n#SBATCH --qos=long\n\nmodule load cuda\nsrun {{command}} --data {{ data }}\n',
      'tpl.sh',
      values,
      paths,
    );
    const lines = script.split('\n');
    expect(lines.slice(0, 3)).toEqual(['#!/bin/bash', '#SBATCH --qos=long', '']);
    expect(lines[3]).toBe("if [ ! -e '/shared/out/slurm/.visible-1' ]; then");
    expect(script).toContain("srun 'python' 'train.py' '--name' 'it'\\''s' --data '/shared/d.csv'\n");
  });

  it('refuses placeholders inside quotes, unknown names, a missing {{command}} and a missing #! line', () => {
    const inQuotes = userError(() =>
      renderTemplate('#!/bin/bash\necho "{{target}}"\n', 't.sh', values, paths),
    );
    expect(inQuotes.message).toBe(
      '{{target}} in the Slurm script template is inside quotes; placeholders expand to a complete quoted word, so write it bare.',
    );
    expect(inQuotes.location).toEqual({ file: 't.sh', line: 2, column: undefined });
    expect(() =>
      renderTemplate("#!/bin/bash\necho 'x{{target}}'\n{{command}}\n", 't.sh', values, paths),
    ).toThrow(/inside quotes/);
    expect(
      userError(() => renderTemplate('#!/bin/bash\n{{comand}}\n', 't.sh', values, paths)).message,
    ).toMatch(/^Unknown placeholder \{\{comand\}\} in the Slurm script template; known: command, /);
    expect(userError(() => renderTemplate('#!/bin/bash\necho hi\n', 't.sh', values, paths)).message).toMatch(
      /has no \{\{command\}\}/,
    );
    expect(userError(() => renderTemplate('{{command}}\n', 't.sh', values, paths)).location?.line).toBe(1);
  });
});
