import { compareBaselineAction } from '../../../actions/compare-baseline/main.js';
import { dataValidateAction } from '../../../actions/data-validate/main.js';
import { deployAction } from '../../../actions/deploy/main.js';
import { driftCheckAction } from '../../../actions/drift-check/main.js';
import { evaluateAction } from '../../../actions/evaluate/main.js';
import { registerAction } from '../../../actions/register/main.js';
import { trainAction } from '../../../actions/train/main.js';
import type { ActionDefinition } from './define.js';
import type { ActionName } from './specs.generated.js';

export const ACTIONS: Readonly<Record<ActionName, ActionDefinition>> = {
  'data-validate': dataValidateAction,
  train: trainAction,
  evaluate: evaluateAction,
  'compare-baseline': compareBaselineAction,
  register: registerAction,
  deploy: deployAction,
  'drift-check': driftCheckAction,
};
