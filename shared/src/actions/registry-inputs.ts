import { join } from 'node:path';
import type { Registry } from '../registry/index.js';
import { openRegistry } from '../registry/open.js';
import { type StoredReports, storedReports } from '../registry/stored-reports.js';
import type { ActionInputs } from './inputs.js';

/** The local registry named by a step's `registry` input (or mlops.yml), relative to its working directory. */
export function localRegistry(inputs: ActionInputs): Registry {
  return openRegistry({
    backend: 'local',
    registry: inputs.string('registry'),
    workingDirectory: inputs.workingDirectory,
  });
}

/** The reports stored with `registry:<name>@<alias>`, written under the run's temp folder for steps that take paths. */
export function storedReportsFor(
  inputs: ActionInputs,
  spec: string,
  tempDir: string,
): Promise<StoredReports> {
  return storedReports(localRegistry(inputs), spec, join(tempDir, 'mlops-registry-reports'));
}
