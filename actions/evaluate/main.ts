import { defineAction } from '../../shared/src/actions/define.js';
import { resolveRegistryModel } from '../../shared/src/actions/registry-inputs.js';
import { featureOptions } from '../../shared/src/config/schema.js';
import { UserError } from '../../shared/src/errors/index.js';
import { runEvaluate } from '../../shared/src/evaluate/run.js';
import { ON_INVALID_POLICIES } from '../../shared/src/models/preprocessing.js';
import { REGISTRY_PREFIX } from '../../shared/src/registry/stored-reports.js';
import { trackEvaluate } from '../../shared/src/tracking/evaluate-record.js';
import { publishRunRecordFiles } from '../../shared/src/tracking/record-file.js';
import { openRunStore } from '../../shared/src/tracking/store.js';

export const evaluateAction = defineAction({
  name: 'evaluate',
  async run({ inputs, config, log, platform, services }) {
    let model = inputs.optional('model');
    if (model?.startsWith(REGISTRY_PREFIX)) {
      const resolved = await resolveRegistryModel(
        inputs,
        services,
        model.slice(REGISTRY_PREFIX.length),
        platform.env.tempDir,
      );
      log.info(`${model} is version ${resolved.record.version} (${resolved.record.digest}).`);
      model = resolved.path;
    }
    const tracking = inputs.choice('tracking', ['local', 'github', 'off']);
    const store =
      tracking === 'off'
        ? undefined
        : openRunStore(
            {
              backend: tracking,
              location: inputs.string('tracking-store'),
              workingDirectory: inputs.workingDirectory,
            },
            tracking === 'github' ? { octokit: services.github()?.octokit, repo: services.repo() } : {},
          );
    const trainRecords = inputs.optional('run-records');
    if (trainRecords) {
      if (!store)
        throw new UserError(
          'run-records needs a tracking store to publish to; set tracking: local or github.',
          {
            input: 'run-records',
          },
        );
      // Before the evaluation: a malformed record is refused before anything is written.
      await publishRunRecordFiles(store, inputs.resolvePath(trainRecords), 'run-records', log);
    }
    const result = await trackEvaluate(store, config?.config.name ?? 'default', log, () =>
      runEvaluate(
        {
          model,
          predictions: inputs.optional('predictions'),
          data: inputs.optional('data'),
          target: inputs.optional('target'),
          task: inputs.choice('task', ['classification', 'regression', 'auto']),
          onInvalid:
            (inputs.optional('on-invalid')
              ? inputs.choice('on-invalid', [...ON_INVALID_POLICIES])
              : undefined) ?? featureOptions(config?.config).onInvalid,
          metrics: inputs.list('metrics'),
          slices: inputs.list('slices'),
          importance: inputs.boolean('importance')
            ? {
                nRepeats: inputs.number('importance-repeats', { integer: true }),
                seed: inputs.number('seed', { integer: true, min: 0 }),
                scoring: inputs.optional('importance-scoring'),
              }
            : null,
          fairness: {
            features: inputs.list('sensitive-features'),
            intersection: inputs.boolean('fairness-intersection'),
            minGroupSize: inputs.number('fairness-min-group-size', { integer: true, min: 1 }),
          },
          confidence: inputs.number('confidence', { min: 0, max: 1, exclusiveMin: true }),
          bootstrap: inputs.number('bootstrap', { integer: true, min: 0 }),
          seed: inputs.number('seed', { integer: true, min: 0 }),
          latency: inputs.boolean('latency'),
          output: inputs.required('output'),
          predictionsOutput: inputs.optional('predictions-output'),
          report: inputs.optional('report'),
          workingDirectory: inputs.workingDirectory,
          git: { sha: platform.env.sha, ref: platform.env.ref },
        },
        log,
      ),
    );
    return { outputs: result.outputs, summary: result.summaryMarkdown };
  },
});
