import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/runner.js';

describe('committed dist/', () => {
  it('is exactly what the source builds to (run `npm run build` and commit dist/ when this fails)', () => {
    const out = mkdtempSync(join(tmpdir(), 'mlops-dist-'));
    execFileSync(process.execPath, [join(REPO_ROOT, 'shared/tools/build.mjs'), out], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    const committed = readdirSync(join(REPO_ROOT, 'dist')).sort();
    expect(readdirSync(out).sort()).toEqual(committed);
    for (const file of committed) {
      const fresh = readFileSync(join(out, file), 'utf8');
      const current = readFileSync(join(REPO_ROOT, 'dist', file), 'utf8');
      expect(fresh === current, `dist/${file} differs from a fresh build`).toBe(true);
    }
  }, 240_000);

  it("has no path that ncc's asset relocator rewrote into the bundle folder", () => {
    const bundle = readFileSync(join(REPO_ROOT, 'dist/index.js'), 'utf8');
    const rewritten = bundle.split('\n').filter((line) => /__nccwpck_require__\.ab \+/.test(line));
    expect(rewritten).toEqual([]);
  });
});
