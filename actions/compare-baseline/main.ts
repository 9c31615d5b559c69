import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineAction, type OutputValue } from '../../shared/src/actions/define.js';
import { registryFromInputs } from '../../shared/src/actions/registry-inputs.js';
import type { GateMode } from '../../shared/src/compare/default-gate.js';
import { loadPairedRows } from '../../shared/src/compare/paired-rows.js';
import { registryBaselineResolver } from '../../shared/src/compare/registry-baseline.js';
import {
  annotateRegressions,
  type CompareBaselineResult,
  runCompareBaseline,
} from '../../shared/src/compare/run.js';
import { githubBaselineResolver } from '../../shared/src/platform/github/branch-baseline.js';
import { publishComparison } from '../../shared/src/platform/github/publish-comparison.js';
import { describeGitHubFailure } from '../../shared/src/platform/github/request-failure.js';

function outputsOf(result: CompareBaselineResult, commentUrl: string): Record<string, OutputValue> {
  return {
    passed: result.passed,
    regressions: result.regressions.length,
    diff: JSON.stringify(
      result.diff.rows.map((row) => ({
        metric: row.metric,
        baseline: row.baseline,
        current: row.current,
        delta: row.delta,
        verdict: row.verdict,
      })),
    ),
    'report-path': result.reportPath,
    'comment-url': commentUrl,
  };
}

export const compareBaselineAction = defineAction({
  name: 'compare-baseline',
  async run({ inputs, config, log, platform, services, checkpoint }) {
    const name = inputs.required('name');
    const significance = inputs.number('significance', { min: 0, max: 1 });
    const github = services.github();
    const registry = () => registryFromInputs(inputs, services);
    const current = inputs.string('current');
    const reported = inputs.optional('reported-metrics');
    const baseline = inputs.optional('baseline');
    // A baseline metrics file evaluated on the same rows allows the paired bootstrap (fewer false alarms).
    const baselineFile =
      baseline && !/^(registry|branch):/.test(baseline) ? inputs.resolvePath(baseline) : undefined;
    const payload = platform.env.payload as { pull_request?: { head?: { sha?: string } } };
    const compared = await runCompareBaseline(
      {
        current,
        baseline,
        reported,
        gate: inputs.string('gate') as GateMode,
        allowMissingBaseline: inputs.boolean('allow-missing-baseline'),
        thresholds: inputs.optional('thresholds'),
        configThresholds: config?.config.metrics,
        significance: significance > 0 ? significance : undefined,
        failOnRegression: inputs.boolean('fail-on-regression'),
        overrideLabel: inputs.optional('override-label'),
        reportPath: inputs.required('report'),
        searchSummary: inputs.optional('search-summary'),
        workingDirectory: inputs.workingDirectory,
        modelKey: name,
        sha: payload.pull_request?.head?.sha ?? platform.env.sha,
      },
      {
        log,
        resolveBaseline: githubBaselineResolver(github, registryBaselineResolver(registry)),
        pairedRows:
          baselineFile && current !== ''
            ? () => loadPairedRows(inputs.resolvePath(current), baselineFile, { log })
            : undefined,
      },
    );
    // The comparison exists: its outputs and summary survive whatever publishing does next.
    checkpoint({ outputs: outputsOf(compared, ''), summary: compared.summaryMarkdown });

    let result = compared;
    let commentUrl = '';
    let publishingError: string | undefined;
    if (github && platform.env.eventName) {
      try {
        const published = await publishComparison(
          github,
          { eventName: platform.env.eventName, sha: platform.env.sha ?? '', payload: platform.env.payload },
          compared,
          {
            comment: inputs.boolean('comment'),
            check: inputs.boolean('check'),
            statusContext: inputs.required('status-context'),
            detailsUrl: platform.env.runUrl,
          },
        );
        result = published.result;
        commentUrl = published.commentUrl ?? '';
        for (const warning of published.warnings) log.warning(warning);
        if (published.readOnly) await keepReportAsArtifact(services, name, result.reportPath, log);
      } catch (error) {
        const described = describeGitHubFailure(error);
        if (!described) throw error;
        publishingError = described;
      }
    } else {
      // No GitHub here (a terminal, or no token): the comment a PR would get goes to a file.
      const file = join(dirname(result.reportPath), `pr-comment-${name}.md`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, result.commentMarkdown);
      log.info(`PR comment written to ${file}`);
    }
    annotateRegressions(result, log);

    const gateFailure = result.passed
      ? undefined
      : `Metrics regressed: ${result.regressions.join(', ')}. Add the '${inputs.string('override-label')}' label to accept.`;
    return {
      outputs: outputsOf(result, commentUrl),
      summary: result.summaryMarkdown,
      failure: publishingError
        ? `Publishing the comparison to GitHub failed, so the PR comment or check may be missing: ${publishingError} ` +
          `The comparison itself ${result.passed ? 'passed' : `found regressions (${result.regressions.join(', ')})`}; its outputs and the job summary are written.`
        : gateFailure,
    };
  },
});

async function keepReportAsArtifact(
  services: { artifacts(): { upload(name: string, files: string[], root: string): Promise<unknown> } },
  name: string,
  reportPath: string,
  log: { warning(message: string): void },
): Promise<void> {
  try {
    await services.artifacts().upload(`mlops-compare-${name}`, [reportPath], dirname(reportPath));
  } catch (error) {
    log.warning(`Could not upload the comparison report as an artifact: ${(error as Error).message}`);
  }
}
