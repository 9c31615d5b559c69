import { join } from 'node:path';
import { silentLog } from '../../../shared/src/logging/index.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { writeTinyModel } from '../../unit/serve/model-fixture.js';

/** Registers one tiny model version per seed as `penguins` in `<work>/.mlops/registry` (versions 1..n). */
export async function registerTinyVersions(work: string, seeds: readonly number[]): Promise<void> {
  for (const seed of seeds) {
    await writeTinyModel(join(work, `model-v${seed}`), seed);
    await runRegister(
      {
        model: `model-v${seed}`,
        name: 'penguins',
        backend: 'local',
        registry: '.mlops/registry',
        workingDirectory: work,
        createdBy: 'test',
      },
      { log: silentLog },
    );
  }
}
