/** The `mlops` CLI run from source (`node --import tsx test/harness/cli-source.ts …`), as dist/cli.js runs it from the bundle. */
import { runCli } from '../../shared/src/main.js';

await runCli(process.argv.slice(2));
