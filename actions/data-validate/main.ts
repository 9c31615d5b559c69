import { dirname } from 'node:path';
import { defineAction } from '../../shared/src/actions/define.js';
import { storedReportsFor } from '../../shared/src/actions/registry-inputs.js';
import { driftSkewCheck } from '../../shared/src/drift/skew-check.js';
import { REGISTRY_PREFIX, requireStoredProfile } from '../../shared/src/registry/stored-reports.js';
import { runDataValidate } from '../../shared/src/validate/run-data-validate.js';

export const dataValidateAction = defineAction({
  name: 'data-validate',
  async run({ inputs, log, platform }) {
    const failOn = inputs.choice('fail-on', ['error', 'warning', 'never']);
    const reportPath = inputs.resolvePath(inputs.required('report'));
    // registry:<name>@<alias> means the data profile stored with that model version.
    const resolveReference = async (spec: string) => {
      if (!spec.startsWith(REGISTRY_PREFIX)) return spec;
      return requireStoredProfile(await storedReportsFor(inputs, spec, platform.env.tempDir), spec);
    };
    const result = await runDataValidate(
      {
        data: inputs.required('data'),
        schema: inputs.optional('schema'),
        inferSchema: inputs.boolean('infer-schema'),
        writeSchema: inputs.optional('write-schema'),
        reference: inputs.optional('reference'),
        failOn,
        reportPath,
        profilePath: inputs.required('profile'),
        memoryLimit: inputs.optional('memory-limit'),
        workingDirectory: inputs.workingDirectory,
        repositoryRoot: platform.env.workspace,
        skewCheck: driftSkewCheck(dirname(reportPath), resolveReference),
      },
      log,
    );
    return {
      outputs: {
        passed: result.passed,
        anomalies: result.anomalies.length,
        rows: result.rows,
        'report-path': result.reportPath,
        'profile-path': result.profilePath,
      },
      summary: result.summaryMarkdown,
      failure: result.passed
        ? undefined
        : `Data validation failed: ${result.anomalies.length} anomalies (fail-on: ${failOn}); see ${result.reportPath}.`,
    };
  },
});
