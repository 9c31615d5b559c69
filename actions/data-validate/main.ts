import { dirname } from 'node:path';
import { defineAction } from '../../shared/src/actions/define.js';
import { storedReportsFor } from '../../shared/src/actions/registry-inputs.js';
import { featureOptions } from '../../shared/src/config/schema.js';
import { missingTokensFor } from '../../shared/src/data/missing-tokens.js';
import { driftSkewCheck } from '../../shared/src/drift/skew-check.js';
import { UserError } from '../../shared/src/errors/index.js';
import { REGISTRY_PREFIX, requireStoredProfile } from '../../shared/src/registry/stored-reports.js';
import { runDataValidate } from '../../shared/src/validate/run-data-validate.js';
import { mergeShardProfiles, parseShardPlan, planShards } from '../../shared/src/validate/shards.js';

export const dataValidateAction = defineAction({
  name: 'data-validate',
  async run({ inputs, config, log, platform, services }) {
    if (inputs.boolean('plan-shards')) {
      const plan = await planShards(inputs.required('data'), inputs.workingDirectory, log);
      return { outputs: { plan: JSON.stringify(plan) } };
    }
    const mergeProfiles = inputs.list('merge-profiles');
    if (mergeProfiles.length > 0) {
      for (const name of ['data', 'schema', 'reference'])
        if (inputs.optional(name) !== undefined) {
          throw new UserError(
            `merge-profiles merges shard profiles and reads no data, so '${name}' does not apply; check data against the merged profile in a later step (reference: <merged profile>).`,
            { input: name },
          );
        }
      const planText = inputs.optional('merge-plan');
      const merged = await mergeShardProfiles(
        {
          profiles: mergeProfiles,
          plan: planText === undefined ? undefined : parseShardPlan(planText),
          profilePath: inputs.required('profile'),
          workingDirectory: inputs.workingDirectory,
        },
        log,
      );
      return {
        outputs: {
          passed: true,
          anomalies: 0,
          rows: merged.profile.rows,
          'profile-path': merged.profilePath,
        },
        summary: merged.summaryMarkdown,
      };
    }
    const failOn = inputs.choice('fail-on', ['error', 'warning', 'never']);
    const reportPath = inputs.resolvePath(inputs.required('report'));
    // registry:<name>@<alias> means the data profile stored with that model version.
    const resolveReference = async (spec: string) => {
      if (!spec.startsWith(REGISTRY_PREFIX)) return spec;
      return requireStoredProfile(await storedReportsFor(inputs, services, spec, platform.env.tempDir), spec);
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
        exact: inputs.boolean('exact') ? true : undefined,
        workingDirectory: inputs.workingDirectory,
        repositoryRoot: platform.env.workspace,
        skewCheck: driftSkewCheck(dirname(reportPath), resolveReference),
        // Train's tokens, so a number column with 'NA' in it is checked as the numbers train reads.
        missing: missingTokensFor({ config: featureOptions(config?.config).missing }),
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
