/**
 * `register` with an alias, run concurrently: each newer version must win whatever order the
 * alias moves land in. Before compare-and-swap, 12 concurrent registers left `candidate` at v3,
 * not v12 (last writer wins). Real processes, released together.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalRegistry } from '../../shared/src/registry/local/local-registry.js';
import { runTogether } from '../integration/registry/processes.js';
import { tempDir, writeModelFolder } from '../unit/registry/helpers.js';

describe('alias moves under concurrent registers', () => {
  it('12 concurrent registers with alias candidate leave it at the newest version', async () => {
    const work = await tempDir();
    const root = join(work, 'registry');
    // Twelve different models: identical content would be answered "already registered".
    const jobs = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => ({
        mode: 'register',
        root,
        model: await writeModelFolder(join(work, `model-${i}`), i + 1),
        name: 'racer',
        actor: `worker-${i}`,
        alias: 'candidate',
      })),
    );
    const results = (await runTogether(jobs)) as { version: number }[];
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const aliases = await new LocalRegistry(root).listAliases('racer');
    expect(aliases.candidate?.version).toBe(12);
    // Every move was a compare-and-swap forward: the alias history never goes back.
    const moves = (await new LocalRegistry(root).readEvents('racer'))
      .filter((event) => event.type === 'alias')
      .map((event) => (event as { version: number }).version);
    expect(moves).toEqual([...moves].sort((a, b) => a - b));
  }, 180_000);
});
