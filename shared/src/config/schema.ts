import { z } from 'zod';
import { ACTION_NAMES, ACTION_SPECS, type ActionName } from '../actions/specs.generated.js';
import { FEATURE_TYPE_CHOICES, ON_INVALID_POLICIES } from '../models/preprocessing.js';
import { searchSectionSchema } from '../search/schema.js';

/** Inputs that only make sense per run, never in a committed config file. */
export const NOT_CONFIGURABLE = new Set(['config', 'github-token', 'working-directory']);

/**
 * Top-level keys and the steps whose input of the same name means the same thing. `target` is the
 * label column for train/evaluate/drift-check but the kind of server for deploy, so it is listed
 * per step rather than applied to every step that has an input called `target`.
 */
export const SHARED_KEY_STEPS = {
  name: ['compare-baseline', 'register', 'drift-check'],
  // evaluate scores its own data (`evaluate: data:`): scoring the training file by default would
  // report training-set metrics as if they were held-out ones.
  data: ['data-validate', 'train'],
  target: ['train', 'evaluate', 'drift-check'],
  task: ['train', 'evaluate'],
  registry: ['compare-baseline', 'register', 'deploy', 'drift-check', 'data-validate', 'evaluate'],
} as const satisfies Record<string, readonly ActionName[]>;

export const SHARED_KEYS = Object.keys(SHARED_KEY_STEPS) as (keyof typeof SHARED_KEY_STEPS)[];

export function sharedKeyApplies(key: string, action: ActionName): boolean {
  const steps = (SHARED_KEY_STEPS as Record<string, readonly ActionName[]>)[key];
  return steps?.includes(action) ?? false;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const inputValue = z.union([scalar, z.array(scalar)]);

const direction = z.enum(['higher', 'lower']);
export const metricThreshold = z
  .object({
    direction: direction.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    tolerance: z.number().min(0).optional(),
    'tolerance-pct': z.number().min(0).optional(),
  })
  .strict();

const driftColumn = z
  .object({
    method: z
      .enum(['auto', 'ks', 'chi2', 'z', 'psi', 'jensenshannon', 'wasserstein', 'linf', 'js_divergence'])
      .optional(),
    threshold: z.number().optional(),
    ignore: z.boolean().optional(),
  })
  .strict();

/**
 * `features:`: the feature contract train fits (models/preprocessing.ts). `missing` and `types`
 * are used by train and written into preprocessing.json; `missing` is also what data-validate and
 * drift-check (without a model) read as missing (data/missing-tokens.ts); `on-invalid` is the
 * policy of train, evaluate and `mlops serve` for values the contract cannot read.
 */
export const featuresSection = z
  .object({
    missing: z.array(z.string()).optional(),
    'on-invalid': z.enum(ON_INVALID_POLICIES).optional(),
    types: z.record(z.string(), z.enum(FEATURE_TYPE_CHOICES)).optional(),
  })
  .strict();
export type FeaturesConfig = z.infer<typeof featuresSection>;

function actionSection(name: ActionName) {
  const shape: Record<string, z.ZodType> = {};
  for (const input of Object.keys(ACTION_SPECS[name].inputs)) {
    if (!NOT_CONFIGURABLE.has(input)) shape[input] = inputValue.optional();
  }
  if (name === 'drift-check') shape['per-column'] = z.record(z.string(), driftColumn).optional();
  return z.object(shape).strict();
}

const sections: Record<string, z.ZodType> = {};
for (const name of ACTION_NAMES) sections[name] = actionSection(name).optional();

/** mlops.yml: shared keys, metric thresholds, then one section per step keyed by its input names. */
export const mlopsConfigSchema = z
  .object({
    version: z.literal(1).optional(),
    name: z
      .string()
      .regex(/^[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$/, 'letters, digits, - and _')
      .optional(),
    data: z.string().optional(),
    target: z.string().optional(),
    task: z.enum(['classification', 'regression', 'auto']).optional(),
    registry: z.string().optional(),
    metrics: z.record(z.string(), metricThreshold).optional(),
    features: featuresSection.optional(),
    /** Hyperparameter search run by train (search/). */
    search: searchSectionSchema.optional(),
    ...sections,
  })
  .strict();

type InputValue = z.infer<typeof inputValue>;

/** The step sections are built from action.yml at run time, so their type is spelled out here. */
export type MlopsConfig = z.infer<typeof mlopsConfigSchema> & {
  [K in ActionName]?: Record<string, InputValue | undefined>;
} & { 'drift-check'?: { 'per-column'?: Record<string, z.infer<typeof driftColumn>> } };
export type MetricThreshold = z.infer<typeof metricThreshold>;

/** The `features:` section as train, evaluate and serve take it (and its `missing`, data-validate and drift-check). */
export function featureOptions(config: MlopsConfig | undefined): {
  missing?: string[];
  types?: FeaturesConfig['types'];
  onInvalid?: FeaturesConfig['on-invalid'];
} {
  const features = config?.features;
  return { missing: features?.missing, types: features?.types, onInvalid: features?.['on-invalid'] };
}
