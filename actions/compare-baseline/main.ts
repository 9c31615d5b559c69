import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineAction } from '../../shared/src/actions/define.js';
import { localRegistry } from '../../shared/src/actions/registry-inputs.js';
import { loadPairedRows } from '../../shared/src/compare/paired-rows.js';
import { registryBaselineResolver } from '../../shared/src/compare/registry-baseline.js';
import { runCompareBaseline } from '../../shared/src/compare/run.js';
import { githubBaselineResolver } from '../../shared/src/platform/github/branch-baseline.js';
import { publishComparison } from '../../shared/src/platform/github/publish-comparison.js';

export const compareBaselineAction = defineAction({
  name: 'compare-baseline',
  async run({ inputs, config, log, platform, services }) {
    const name = inputs.required('name');
    const significance = inputs.number('significance', { min: 0, max: 1 });
    const github = services.github();
    const registry = () => localRegistry(inputs);
    const current = inputs.required('current');
    const baseline = inputs.optional('baseline');
    // A baseline metrics file evaluated on the same rows allows the paired bootstrap (fewer false alarms).
    const baselineFile =
      baseline && !/^(registry|branch):/.test(baseline) ? inputs.resolvePath(baseline) : undefined;
    const payload = platform.env.payload as { pull_request?: { head?: { sha?: string } } };
    const compared = await runCompareBaseline(
      {
        current,
        baseline,
        thresholds: inputs.optional('thresholds'),
        configThresholds: config?.config.metrics,
        significance: significance > 0 ? significance : undefined,
        failOnRegression: inputs.boolean('fail-on-regression'),
        overrideLabel: inputs.optional('override-label'),
        reportPath: inputs.required('report'),
        workingDirectory: inputs.workingDirectory,
        modelKey: name,
        sha: payload.pull_request?.head?.sha ?? platform.env.sha,
      },
      {
        log,
        resolveBaseline: githubBaselineResolver(github, registryBaselineResolver(registry)),
        pairedRows: baselineFile
          ? () => loadPairedRows(inputs.resolvePath(current), baselineFile, { log })
          : undefined,
      },
    );

    let result = compared;
    let commentUrl = '';
    if (github && platform.env.eventName) {
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
    } else {
      // No GitHub here (a terminal, or no token): the comment a PR would get goes to a file.
      const file = join(dirname(result.reportPath), `pr-comment-${name}.md`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, result.commentMarkdown);
      log.info(`PR comment written to ${file}`);
    }

    return {
      outputs: {
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
      },
      summary: result.summaryMarkdown,
      failure: result.passed
        ? undefined
        : `Metrics regressed: ${result.regressions.join(', ')}. Add the '${inputs.string('override-label')}' label to accept.`,
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
