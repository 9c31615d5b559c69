import { defineAction } from '../../shared/src/actions/define.js';
import { UserError } from '../../shared/src/errors/index.js';

export const dataValidateAction = defineAction({
  name: 'data-validate',
  async run() {
    throw new UserError('data-validate is not wired into this build yet.');
  },
});
