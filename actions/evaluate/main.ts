import { defineAction } from '../../shared/src/actions/define.js';
import { runEvaluate } from '../../shared/src/evaluate/run.js';

export const evaluateAction = defineAction({
  name: 'evaluate',
  async run({ inputs, log, platform }) {
    const result = await runEvaluate(
      {
        model: inputs.optional('model'),
        predictions: inputs.optional('predictions'),
        data: inputs.optional('data'),
        target: inputs.optional('target'),
        task: inputs.choice('task', ['classification', 'regression', 'auto']),
        metrics: inputs.list('metrics'),
        slices: inputs.list('slices'),
        confidence: inputs.number('confidence', { min: 0, max: 1, exclusiveMin: true }),
        bootstrap: inputs.number('bootstrap', { integer: true, min: 0 }),
        seed: inputs.number('seed', { integer: true, min: 0 }),
        latency: inputs.boolean('latency'),
        output: inputs.required('output'),
        predictionsOutput: inputs.optional('predictions-output'),
        workingDirectory: inputs.workingDirectory,
        git: { sha: platform.env.sha, ref: platform.env.ref },
      },
      log,
    );
    return { outputs: result.outputs, summary: result.summaryMarkdown };
  },
});
