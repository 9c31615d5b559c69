/**
 * Child process for the kill -9 tests: runs one job given as JSON in argv[2] with the suite's own
 * code. The test sets MLOPS_TEST_CRASH_POINT so the job stops at a named point and kills it there.
 */
import { runDeploy } from '../../shared/src/deploy/run-deploy.js';
import { silentLog } from '../../shared/src/logging/index.js';
import { LocalCacheStore } from '../../shared/src/platform/storage/local.js';
import { runTrain } from '../../shared/src/train/runTrain.js';
import type { CrashJob } from './crash-jobs.js';

const job = JSON.parse(process.argv[2]) as CrashJob;
if (job.kind === 'train') await runTrain(job.options, { log: silentLog });
else if (job.kind === 'deploy') await runDeploy(job.options, { log: silentLog });
else await new LocalCacheStore(job.root, silentLog).save(job.paths, job.key);
console.log('finished without reaching the crash point');
