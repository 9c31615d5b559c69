import { defineAction } from '../../shared/src/actions/define.js';
import { UserError } from '../../shared/src/errors/index.js';

export const compareBaselineAction = defineAction({
  name: 'compare-baseline',
  async run() {
    throw new UserError('compare-baseline is not wired into this build yet.');
  },
});
