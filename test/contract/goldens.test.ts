/**
 * The goldens are what their committed scripts print: every test/golden/*.py is re-run with
 * Debian's Python and its references (scikit-learn 1.2.1, scipy, pandas) in a copy of the
 * fixtures, and everything it writes must be byte-identical to the committed fixture. A script
 * is skipped, with the reason printed, only where Python or a module it imports is absent;
 * MLOPS_REQUIRE_GOLDENS=1 (set by .ci/run once it installed them) turns that into a failure.
 *
 * Where a script writes: to stdout, redirected as its docstring says (`> test/fixtures/...`),
 * or to files under test/fixtures relative to itself or to the repository root.
 */
import { execFile, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/runner.js';

const PYTHON = '/usr/bin/python3';
const GOLDEN = join(REPO_ROOT, 'test/golden');
const scripts = readdirSync(GOLDEN)
  .filter((f) => f.endsWith('.py'))
  .sort();
const required = process.env.MLOPS_REQUIRE_GOLDENS === '1';

/** The first module a script imports that this Python lacks, or why Python cannot run at all. */
function missingReference(script: string): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  const text = readFileSync(join(GOLDEN, script), 'utf8');
  // Import statements only: a docstring line that starts "from Fairlearn's definitions" is prose.
  const modules = [
    ...text.matchAll(/^(?:from\s+([A-Za-z_]\w*)[\w.]*\s+import\b|import\s+([A-Za-z_]\w*))/gm),
  ].map((m) => (m[1] ?? m[2])!);
  const probe = spawnSync(
    PYTHON,
    [
      '-c',
      `import importlib.util,sys\nfor m in sys.argv[1:]:\n    if importlib.util.find_spec(m) is None: print(m); break`,
      ...new Set(modules),
    ],
    { encoding: 'utf8' },
  );
  if (probe.status !== 0) return `${PYTHON} failed: ${probe.stderr.trim()}`;
  const missing = probe.stdout.trim();
  return missing ? `the Python module '${missing}' is not installed` : undefined;
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const sandboxes: string[] = [];
afterAll(() => {
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

describe('test/golden/*.py reproduce the committed fixtures byte for byte', () => {
  it('there are golden scripts to re-run', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(12);
  });

  // Concurrent (vitest's maxConcurrency, 5): the scripts are single-threaded and some take a
  // minute (binomial_golden.py enumerates every split for its brute-force check).
  it.concurrent.for(scripts)('%s', { timeout: 600_000 }, async (script, context) => {
    const missing = missingReference(script);
    if (missing) {
      const why = `golden ${script} not re-run: ${missing}`;
      if (required) throw new Error(`${why} (MLOPS_REQUIRE_GOLDENS=1)`);
      console.warn(why);
      context.skip(why);
    }
    const sandbox = mkdtempSync(join(tmpdir(), 'goldens-'));
    sandboxes.push(sandbox);
    cpSync(GOLDEN, join(sandbox, 'test/golden'), { recursive: true });
    cpSync(join(REPO_ROOT, 'test/fixtures'), join(sandbox, 'test/fixtures'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(sandbox, 'node_modules'));
    const started = Date.now();

    const run = await promisify(execFile)(PYTHON, [`test/golden/${script}`], {
      cwd: sandbox,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: {
        PATH: '/usr/bin:/bin',
        PYTHONHASHSEED: '0',
        LC_ALL: 'C.UTF-8',
        OMP_NUM_THREADS: '1',
        OPENBLAS_NUM_THREADS: '1',
      },
    }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`${script} failed: ${error.message}\n${error.stderr ?? ''}`);
    });
    console.log(`golden ${script}: re-run in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const redirect = /^\s*\/usr\/bin\/python3 test\/golden\/\S+\.py\s*>\s*(test\/fixtures\/\S+)/m.exec(
      readFileSync(join(GOLDEN, script), 'utf8'),
    );
    if (redirect) writeFileSync(join(sandbox, redirect[1]!), run.stdout);

    const fixtures = join(sandbox, 'test/fixtures');
    const written = filesUnder(fixtures).filter((f) => statSync(join(fixtures, f)).mtimeMs >= started - 1000);
    expect(
      written,
      `${script} wrote no fixture (neither to stdout as its docstring says nor to a file)`,
    ).not.toEqual([]);
    const differing = written.filter((f) => {
      const committed = join(REPO_ROOT, 'test/fixtures', f);
      return !existsSync(committed) || !readFileSync(committed).equals(readFileSync(join(fixtures, f)));
    });
    expect(
      differing,
      `re-running ${script} changed these fixtures; commit the script's output or fix the script`,
    ).toEqual([]);
  });
});
