import { defineAction } from '../../shared/src/actions/define.js';
import { UserError } from '../../shared/src/errors/index.js';

export const driftCheckAction = defineAction({
  name: 'drift-check',
  async run() {
    throw new UserError('drift-check is not wired into this build yet.');
  },
});
