import { defineAction } from '../../shared/src/actions/define.js';
import { UserError } from '../../shared/src/errors/index.js';

export const trainAction = defineAction({
  name: 'train',
  async run() {
    throw new UserError('train is not wired into this build yet.');
  },
});
