import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_NAMES, ACTION_SPECS } from '../../shared/src/actions/specs.generated.js';
import { REPO_ROOT } from '../harness/runner.js';
import { actionMetadataErrors, workflowErrors } from './github-schemas.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
/** Every workflow a user may copy: the examples, each action README's worked example, and the suite's own release workflow. */
const WORKFLOW_FOLDERS = ['workflows-examples', 'docs/examples', '.github/workflows'];
const workflowFiles = () =>
  WORKFLOW_FOLDERS.flatMap((folder) =>
    readdirSync(join(REPO_ROOT, folder))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => `${folder}/${f}`),
  );

describe('action.yml files', () => {
  for (const file of [...ACTION_NAMES.map((n) => `actions/${n}/action.yml`), 'action.yml']) {
    it(`${file} passes GitHub's action schema`, () => {
      expect(actionMetadataErrors(file, read(file))).toEqual([]);
    });
  }

  it('the validator rejects a broken action.yml (so the checks above can fail)', () => {
    const broken =
      'name: x\ndescription: y\ninputs:\n  a:\n    descriptio: typo\nruns:\n  using: node24\n  mian: x.js\n';
    expect(actionMetadataErrors('broken.yml', broken).length).toBeGreaterThan(0);
  });

  for (const name of ACTION_NAMES) {
    it(`${name}: every input and output is documented, runs on node24 from the shared bundle, has branding`, () => {
      const doc = parse(read(`actions/${name}/action.yml`));
      const { post, ...runs } = doc.runs;
      expect(runs).toEqual({ using: 'node24', main: `../../dist/${name}.js` });
      // A post step, where there is one, is the bundle's entry that shared/tools/build.mjs writes.
      if (post !== undefined) expect(post).toBe(`../../dist/${name}-post.js`);
      expect(doc.branding.icon).toBeTruthy();
      expect(doc.branding.color).toBeTruthy();
      for (const [key, input] of Object.entries<Record<string, unknown>>(doc.inputs)) {
        expect(typeof input.description, key).toBe('string');
        expect(typeof input.required, key).toBe('boolean');
        if (input.required === false) expect(input.default, `${name}.${key} needs a default`).toBeDefined();
      }
      for (const [key, output] of Object.entries<Record<string, unknown>>(doc.outputs)) {
        expect(typeof output.description, key).toBe('string');
      }
      for (const common of ['config', 'working-directory']) expect(doc.inputs).toHaveProperty(common);
      // train makes no GitHub API call: it takes no token, so its command cannot be handed one.
      if (name === 'train') expect(doc.inputs).not.toHaveProperty('github-token');
      else expect(doc.inputs).toHaveProperty('github-token');
    });
  }

  it('the root action declares command plus every step input, and points into the shared bundle', () => {
    const doc = parse(read('action.yml'));
    expect(doc.inputs.command.required).toBe(true);
    for (const name of ACTION_NAMES) {
      for (const input of Object.keys(ACTION_SPECS[name].inputs)) expect(doc.inputs).toHaveProperty(input);
    }
    expect(doc.runs.main).toBe('dist/main.js');
  });
});

describe('example workflows', () => {
  const files = workflowFiles();

  it('there are example workflows to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file} passes GitHub's workflow schema`, async () => {
      expect(await workflowErrors(file, read(file))).toEqual([]);
    });
  }

  it('the validator rejects a broken workflow', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n';
    expect((await workflowErrors('broken.yml', broken)).length).toBeGreaterThan(0);
  });
});

describe('example workflows use the suite as declared', () => {
  const files = workflowFiles();
  for (const file of files) {
    it(`${file}: every with: key of a suite step is a declared input, and required inputs are given`, () => {
      const doc = parse(read(file));
      for (const job of Object.values<{ steps?: { uses?: string; with?: Record<string, unknown> }[] }>(
        doc.jobs,
      )) {
        for (const step of job.steps ?? []) {
          const match = /mlops-actions\/actions\/([a-z-]+)@/.exec(step.uses ?? '');
          if (!match) continue;
          const spec = ACTION_SPECS[match[1] as keyof typeof ACTION_SPECS];
          expect(spec, step.uses).toBeDefined();
          for (const key of Object.keys(step.with ?? {}))
            expect(Object.keys(spec.inputs), `${file}: ${key}`).toContain(key);
          for (const [key, input] of Object.entries(spec.inputs)) {
            if (input.required)
              expect(step.with ?? {}, `${file}: ${match[1]} needs ${key}`).toHaveProperty(key);
          }
        }
      }
    });
  }
});
