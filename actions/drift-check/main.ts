import { join } from 'node:path';
import { defineAction } from '../../shared/src/actions/define.js';
import { runDriftCheck } from '../../shared/src/drift/run.js';
import { openRegistry } from '../../shared/src/registry/index.js';
import {
  REGISTRY_PREFIX,
  requireStoredProfile,
  storedReports,
} from '../../shared/src/registry/stored-reports.js';

export const driftCheckAction = defineAction({
  name: 'drift-check',
  async run({ inputs, config, log, platform }) {
    const name = inputs.required('name');
    let reference = inputs.required('reference');
    let metrics: string | undefined;
    if (reference.startsWith(REGISTRY_PREFIX)) {
      const registry = openRegistry({
        backend: 'local',
        registry: inputs.string('registry'),
        workingDirectory: inputs.workingDirectory,
      });
      const stored = await storedReports(
        registry,
        reference,
        join(platform.env.tempDir, 'mlops-registry-reports'),
      );
      log.info(`Reference: ${reference} is version ${stored.version}; using its stored data profile.`);
      reference = requireStoredProfile(stored, reference);
      metrics = stored.metricsPath;
    }
    const columns = inputs.list('columns');
    const result = await runDriftCheck(
      {
        reference,
        current: inputs.required('current'),
        columns: columns.length > 0 ? columns : undefined,
        method: inputs.string('method'),
        threshold: inputs.optionalNumber('threshold'),
        driftShare: inputs.number('drift-share', { min: 0, max: 1, exclusiveMin: true }),
        prediction: inputs.optional('prediction'),
        target: inputs.optional('target'),
        reportPath: inputs.required('report'),
        workingDirectory: inputs.workingDirectory,
        perColumn: config?.config['drift-check']?.['per-column'],
        metrics,
        model: name,
        issueLabel: inputs.string('issue-label'),
        runUrl: platform.env.runUrl,
      },
      log,
    );
    return {
      outputs: {
        'drift-detected': result.driftDetected,
        'drifted-columns': result.driftedColumns.join(','),
        share: result.share,
        'report-path': result.reportPath,
        'issue-number': '',
      },
      summary: result.summaryMarkdown,
      failure:
        result.driftDetected && inputs.boolean('fail-on-drift')
          ? `Data drift: ${result.driftedColumns.length} drifted columns (share ${result.share.toFixed(2)}).`
          : undefined,
    };
  },
});
