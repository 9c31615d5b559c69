import { defineAction } from '../../shared/src/actions/define.js';
import { featureOptions } from '../../shared/src/config/schema.js';
import { runTrain } from '../../shared/src/train/runTrain.js';

export const trainAction = defineAction({
  name: 'train',
  async run({ inputs, config, log, services }) {
    const artifactName = inputs.optional('artifact-name');
    const cache = inputs.boolean('cache');
    const result = await runTrain(
      {
        command: inputs.optional('command'),
        model: inputs.optional('model'),
        data: inputs.path('data'),
        target: inputs.optional('target'),
        task: inputs.choice('task', ['classification', 'regression', 'auto']),
        epochs: inputs.number('epochs', { integer: true, min: 1 }),
        batchSize: inputs.number('batch-size', { integer: true, min: 1 }),
        learningRate: inputs.number('learning-rate', { min: 0, exclusiveMin: true }),
        seed: inputs.number('seed', { integer: true, min: 0 }),
        validationSplit: inputs.number('validation-split', { min: 0, max: 0.9 }),
        outputDir: inputs.resolvePath(inputs.required('output-dir')),
        resume: inputs.boolean('resume'),
        cache,
        artifactName,
        gpu: inputs.choice('gpu', ['auto', 'require', 'off']),
        timeoutMinutes: inputs.number('timeout-minutes', { min: 0 }) || undefined,
        runnerFileCommands: inputs.boolean('runner-file-commands'),
        workingDirectory: inputs.workingDirectory,
        features: featureOptions(config?.config),
      },
      {
        log,
        artifacts: artifactName ? services.artifacts() : undefined,
        cache: cache ? services.cache() : undefined,
      },
    );
    return {
      outputs: {
        'model-path': result.modelPath,
        'metrics-path': result.metricsPath,
        backend: result.backend,
        'gpu-count': result.gpuCount,
        'duration-seconds': result.durationSeconds.toFixed(1),
        'cache-hit': result.cacheHit,
        'artifact-id': result.artifactId,
        'artifact-url': result.artifactUrl,
      },
      summary: result.summaryMarkdown,
    };
  },
});
