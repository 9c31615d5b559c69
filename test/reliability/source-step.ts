/**
 * Runs a step from source under the runner harness: the same child process, environment and file
 * commands as runStep gives the bundle, but started through tsx from shared/src/main.ts. Tests of a
 * change to shared code then hold before dist/ is rebuilt, and keep holding after.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, runStep, type StepOptions, type StepResult } from '../harness/runner.js';

const roots = new Map<string, string>();

/** A folder with `actions/<name>/action.yml` whose `main` is an entry that imports the source. */
function sourceActionRoot(action: string): string {
  const known = roots.get(action);
  if (known) return known;
  const name = action.replace(/^actions\//, '');
  const root = mkdtempSync(join(tmpdir(), 'mlops-source-step-'));
  const actionDir = join(root, 'actions', name);
  mkdirSync(actionDir, { recursive: true });
  const meta = parse(readFileSync(join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8')) as {
    runs: { main: string; post?: string };
  };
  meta.runs.main = 'entry.mjs';
  if (meta.runs.post) meta.runs.post = 'post-entry.mjs';
  writeFileSync(join(actionDir, 'action.yml'), stringify(meta));
  const main = pathToFileURL(join(REPO_ROOT, 'shared/src/main.ts')).href;
  writeFileSync(
    join(actionDir, 'entry.mjs'),
    `import { runAction } from ${JSON.stringify(main)};\nawait runAction(${JSON.stringify(name)});\n`,
  );
  writeFileSync(
    join(actionDir, 'post-entry.mjs'),
    `import { runPostAction } from ${JSON.stringify(main)};\nawait runPostAction(${JSON.stringify(name)});\n`,
  );
  roots.set(action, root);
  return root;
}

export function runSourceStep(options: StepOptions): Promise<StepResult> {
  const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs')).href;
  return runStep({
    ...options,
    actionRoot: sourceActionRoot(options.action),
    env: { ...options.env, NODE_OPTIONS: `--import ${tsx}` },
  });
}
