import { defineAction } from '../../shared/src/actions/define.js';
import { resolveRegistryModel, storedReportsFor } from '../../shared/src/actions/registry-inputs.js';
import { featureOptions } from '../../shared/src/config/schema.js';
import { runDriftCheck } from '../../shared/src/drift/run.js';
import { parseDispatch } from '../../shared/src/platform/github/dispatch.js';
import { publishDrift } from '../../shared/src/platform/github/drift-issue.js';
import { REGISTRY_PREFIX, requireStoredProfile } from '../../shared/src/registry/stored-reports.js';

export const driftCheckAction = defineAction({
  name: 'drift-check',
  async run({ inputs, config, log, platform, services }) {
    const name = inputs.required('name');
    const issueLabel = inputs.required('issue-label');
    const confirmRuns = inputs.number('confirm-runs', { integer: true, min: 1 });
    const payload = platform.env.payload as { repository?: { default_branch?: string } };
    const defaultRef =
      payload.repository?.default_branch ?? platform.env.ref?.replace(/^refs\/heads\//, '') ?? 'main';
    const dispatch = inputs.optional('dispatch');
    parseDispatch(dispatch, defaultRef);
    let reference = inputs.required('reference');
    let metrics: string | undefined;
    if (reference.startsWith(REGISTRY_PREFIX)) {
      const stored = await storedReportsFor(inputs, services, reference, platform.env.tempDir);
      log.info(`Reference: ${reference} is version ${stored.version}; using its stored data profile.`);
      reference = requireStoredProfile(stored, reference);
      metrics = stored.metricsPath;
    }
    const columns = inputs.list('columns');
    let modelSpec = inputs.optional('model');
    if (modelSpec?.startsWith(REGISTRY_PREFIX)) {
      const resolved = await resolveRegistryModel(
        inputs,
        services,
        modelSpec.slice(REGISTRY_PREFIX.length),
        platform.env.tempDir,
      );
      log.info(`${modelSpec} is version ${resolved.record.version} (${resolved.record.digest}).`);
      modelSpec = resolved.path;
    }
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
        issueLabel,
        runUrl: platform.env.runUrl,
        memoryLimit: inputs.optional('memory-limit'),
        exact: inputs.boolean('exact'),
        modelSpec,
        missing: featureOptions(config?.config).missing,
      },
      log,
    );
    let issueNumber = '';
    const github = services.github();
    if (github && (inputs.boolean('open-issue') || dispatch)) {
      const published = await publishDrift(github, result, {
        model: name,
        issueLabel,
        openIssue: inputs.boolean('open-issue'),
        dispatch,
        confirmRuns,
        runUrl: platform.env.runUrl,
        reportUrl: platform.env.runUrl,
        defaultRef,
      });
      // publishDrift has logged each of published.warnings once already.
      issueNumber = published.issueNumber === undefined ? '' : String(published.issueNumber);
      log.info(
        `Drift issue: ${published.action}${issueNumber ? ` (#${issueNumber})` : ''}${published.dispatched ? '; retraining dispatched' : ''}.`,
      );
    } else if (result.driftDetected) {
      log.info('No GitHub token here: the issue body is in the report summary; no issue opened.');
    }
    return {
      outputs: {
        'drift-detected': result.driftDetected,
        'drifted-columns': result.driftedColumns.join(','),
        share: result.share,
        'report-path': result.reportPath,
        'issue-number': issueNumber,
      },
      summary: result.summaryMarkdown,
      failure:
        result.driftDetected && inputs.boolean('fail-on-drift')
          ? `Data drift: ${result.driftedColumns.length} drifted columns (share ${result.share.toFixed(2)}).`
          : undefined,
    };
  },
});
