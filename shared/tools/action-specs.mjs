// Reads actions/*/action.yml (the public contract) and derives what must agree with it:
// shared/src/actions/specs.generated.ts (inputs/outputs for parsing and CLI help) and the root
// action.yml (the Marketplace entry, whose inputs are the union of every action's).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export const ACTION_NAMES = [
  'data-validate',
  'train',
  'evaluate',
  'compare-baseline',
  'register',
  'deploy',
  'drift-check',
];

export function readActionSpecs(root) {
  const found = readdirSync(join(root, 'actions'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const expected = [...ACTION_NAMES].sort();
  if (JSON.stringify(found) !== JSON.stringify(expected)) {
    throw new Error(`actions/ holds ${found.join(', ')}; expected ${expected.join(', ')}`);
  }
  const specs = {};
  for (const name of ACTION_NAMES) {
    const doc = parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8'));
    const inputs = {};
    for (const [key, value] of Object.entries(doc.inputs ?? {})) {
      inputs[key] = {
        description: value.description,
        required: value.required === true,
        ...(value.default !== undefined ? { default: String(value.default) } : {}),
      };
    }
    const outputs = {};
    for (const [key, value] of Object.entries(doc.outputs ?? {}))
      outputs[key] = { description: value.description };
    specs[name] = { description: doc.description, inputs, outputs };
  }
  return specs;
}

export function renderSpecsModule(specs) {
  return `// Generated from actions/*/action.yml by shared/tools/action-specs.mjs (npm run build). Do not edit.
export interface InputSpec {
  readonly description: string;
  readonly required: boolean;
  readonly default?: string;
}

export interface ActionSpec {
  readonly description: string;
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly outputs: Readonly<Record<string, { readonly description: string }>>;
}

export const ACTION_NAMES = ${JSON.stringify(ACTION_NAMES)} as const;

export type ActionName = (typeof ACTION_NAMES)[number];

export const ACTION_SPECS: Readonly<Record<ActionName, ActionSpec>> = ${JSON.stringify(specs, null, 2)};
`;
}

export function renderRootActionYml(specs) {
  const inputs = {
    command: {
      description: `Which step to run: ${ACTION_NAMES.join(', ')}. Every other input is that step's; see actions/<command>/action.yml.`,
      required: true,
    },
  };
  const outputs = {};
  for (const name of ACTION_NAMES) {
    for (const [key, value] of Object.entries(specs[name].inputs)) {
      if (inputs[key]) continue;
      // Not required here: a required input of one step is irrelevant to the others.
      inputs[key] = {
        description: `(${name}) ${value.description}`,
        required: false,
        ...(value.default !== undefined ? { default: value.default } : {}),
      };
    }
    for (const [key, value] of Object.entries(specs[name].outputs)) {
      outputs[key] ??= { description: `(${name}) ${value.description}` };
    }
  }
  const doc = {
    name: 'MLOps actions suite',
    description:
      'Validate data, train, evaluate, compare against the production baseline, register, deploy and watch for drift.',
    author: 'mlops-actions',
    branding: { icon: 'activity', color: 'blue' },
    inputs,
    outputs,
    runs: { using: 'node24', main: 'dist/main.js' },
  };
  return `# Generated from actions/*/action.yml by shared/tools/action-specs.mjs (npm run build). Do not edit.\n${stringify(doc, { lineWidth: 0 })}`;
}
