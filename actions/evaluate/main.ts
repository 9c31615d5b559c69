import { defineAction } from '../../shared/src/actions/define.js';
import { UserError } from '../../shared/src/errors/index.js';

export const evaluateAction = defineAction({
  name: 'evaluate',
  async run() {
    throw new UserError('evaluate is not wired into this build yet.');
  },
});
