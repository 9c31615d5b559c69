import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES, ACTION_SPECS } from '../../../shared/src/actions/specs.generated.js';
import { parseArguments } from '../../../shared/src/cli/arguments.js';
import { runCommandLine } from '../../../shared/src/cli/main.js';

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

async function cli(argv: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCommandLine(argv, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('mlops CLI', () => {
  it('--help lists every step with its action.yml description', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const name of ACTION_NAMES) expect(stdout).toContain(`${name}`);
    expect(stdout).toContain(ACTION_SPECS['drift-check'].description);
  });

  it('<step> --help lists every input with its default, from action.yml', async () => {
    const { stdout } = await cli(['evaluate', '--help']);
    for (const [name, spec] of Object.entries(ACTION_SPECS.evaluate.inputs)) {
      if (name === 'github-token') continue;
      expect(stdout).toContain(`--${name}`);
      if (spec.default) expect(stdout).toContain(`(default: ${spec.default})`);
    }
  });

  it('unknown commands and inputs get a suggestion and exit 1', async () => {
    expect(await cli(['drift'])).toMatchObject({ code: 1 });
    const typo = await cli(['evaluat']);
    expect(typo.stderr).toContain("Did you mean 'evaluate'?");
    const input = await cli(['evaluate', '--predictons', 'x.csv']);
    expect(input.code).toBe(1);
    expect(input.stderr).toContain("Unknown input 'predictons' for evaluate. Did you mean 'predictions'?");
  });

  it('parses --name value, --name=value, bare flags and repeated flags', () => {
    expect(
      parseArguments(['--data', 'a.csv', '--infer-schema', '--slices=x', '--slices', 'y', '--json']),
    ).toEqual({
      inputs: { data: 'a.csv', 'infer-schema': 'true', slices: 'x\ny' },
      json: true,
      help: false,
      keepSummaries: false,
      positional: [],
    });
  });
});
