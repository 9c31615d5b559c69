import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distDifferences } from '../../shared/tools/release.mjs';
import { REPO_ROOT } from '../harness/runner.js';

describe('committed dist/', () => {
  it('is exactly what the source builds to (run `npm run build` and commit dist/ when this fails)', () => {
    // The same check the release workflow runs before it tags.
    expect(distDifferences(REPO_ROOT)).toEqual([]);
  }, 240_000);

  it("has no path that ncc's asset relocator rewrote into the bundle folder", () => {
    const bundle = readFileSync(join(REPO_ROOT, 'dist/index.js'), 'utf8');
    const rewritten = bundle.split('\n').filter((line) => /__nccwpck_require__\.ab \+/.test(line));
    expect(rewritten).toEqual([]);
  });
});
