import { defineAction } from '../../shared/src/actions/define.js';
import { UserError } from '../../shared/src/errors/index.js';

export const registerAction = defineAction({
  name: 'register',
  async run() {
    throw new UserError('register is not wired into this build yet.');
  },
});
