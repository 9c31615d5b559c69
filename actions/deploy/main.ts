import { defineAction } from '../../shared/src/actions/define.js';
import { UserError } from '../../shared/src/errors/index.js';

export const deployAction = defineAction({
  name: 'deploy',
  async run() {
    throw new UserError('deploy is not wired into this build yet.');
  },
});
