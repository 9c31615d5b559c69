import { defaultDirection } from '../compare/thresholds.js';
import type { YamlSource } from '../config/yaml-source.js';
import { UserError } from '../errors/index.js';
import { didYouMean } from '../text/nearest.js';
import { SeededRandom } from '../train/rng.js';
import type { SearchParameter, SearchSection, SearchStrategy } from './schema.js';

/** Hyperparameters the built-in trainer takes from a trial (the train inputs of the same name). */
export const BUILTIN_SEARCH_PARAMETERS = [
  'epochs',
  'batch-size',
  'learning-rate',
  'validation-split',
  'patience',
  'model',
  'seed',
] as const;

/** A parameter name a user's command can receive: it becomes MLOPS_PARAM_<NAME> (see paramEnvName). */
const COMMAND_PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export type ParamValue = string | number | boolean;
export type TrialParams = Record<string, ParamValue>;

export interface SearchPlan {
  strategy: SearchStrategy;
  /** The metric trials are ranked by: a key of training-metrics.json's `final`. */
  metric: string;
  direction: 'higher' | 'lower';
  budget: number;
  seed: number;
  parameters: Record<string, SearchParameter>;
  halving: { minEpochs: number; reductionFactor: number };
  /** The trials, in the order they run; trial numbers start at 1. */
  trials: TrialParams[];
  /** Grid points left out by the budget (grid only). */
  gridSkipped: number;
}

export const DEFAULT_SEARCH_BUDGET = 10;
export const DEFAULT_SEARCH_SEED = 0;

/**
 * Checks the `search:` section against what will run it (the built-in trainer takes only
 * BUILTIN_SEARCH_PARAMETERS) and draws its trials. Errors name the mlops.yml line.
 */
export function planSearch(
  section: SearchSection,
  options: { mode: 'builtin' | 'command'; source?: YamlSource; defaultMetric: string },
): SearchPlan {
  const { source } = options;
  const where = (path: (string | number)[]) => {
    const line = source?.lineOf(['search', ...path]);
    return {
      prefix: source ? `${source.file}:${line ?? '?'}: ` : '',
      meta: { file: source?.file, line, input: ['search', ...path].join('.') },
    };
  };
  const names = Object.keys(section.parameters);
  if (names.length === 0) {
    const at = where(['parameters']);
    throw new UserError(`${at.prefix}the search space is empty: give at least one parameter.`, at.meta);
  }
  for (const name of names) {
    const known =
      options.mode === 'builtin'
        ? (BUILTIN_SEARCH_PARAMETERS as readonly string[]).includes(name)
        : COMMAND_PARAMETER_NAME.test(name);
    if (!known) {
      const at = where(['parameters', name]);
      throw new UserError(
        options.mode === 'builtin'
          ? `${at.prefix}unknown search parameter '${name}': the built-in trainer takes ${BUILTIN_SEARCH_PARAMETERS.join(', ')}.${didYouMean(name, BUILTIN_SEARCH_PARAMETERS)}`
          : `${at.prefix}search parameter '${name}' cannot be an environment variable name: use letters, digits, - and _, starting with a letter.`,
        at.meta,
      );
    }
  }
  const strategy = section.strategy ?? 'random';
  if (strategy === 'halving' && options.mode !== 'builtin') {
    const at = where(['strategy']);
    throw new UserError(
      `${at.prefix}strategy halving stops trials on the per-epoch validation metric, which only the built-in trainer reports while it runs; use grid or random with a command.`,
      at.meta,
    );
  }
  const budget = section.budget ?? DEFAULT_SEARCH_BUDGET;
  const seed = section.seed ?? DEFAULT_SEARCH_SEED;
  const metric = section.metric ?? options.defaultMetric;
  let trials: TrialParams[];
  let gridSkipped = 0;
  if (strategy === 'grid') {
    for (const name of names) {
      const p = section.parameters[name];
      if ((p.float || p['log-uniform']) && p.steps === undefined) {
        const at = where(['parameters', name]);
        throw new UserError(
          `${at.prefix}grid search needs 'steps' (the number of grid points) for the continuous range of '${name}'.`,
          at.meta,
        );
      }
    }
    const all = gridTrials(section.parameters);
    trials = all.slice(0, budget);
    gridSkipped = all.length - trials.length;
  } else {
    trials = randomTrials(section.parameters, budget, seed);
  }
  return {
    strategy,
    metric,
    direction: section.direction ?? defaultDirection(metric),
    budget,
    seed,
    parameters: section.parameters,
    halving: {
      minEpochs: section.halving?.['min-epochs'] ?? 1,
      reductionFactor: section.halving?.['reduction-factor'] ?? 3,
    },
    trials,
    gridSkipped,
  };
}

/** The grid values of one parameter: choices, every int, or `steps` evenly (log-)spaced points. */
export function gridValues(parameter: SearchParameter): ParamValue[] {
  if (parameter.choices) return [...parameter.choices];
  if (parameter.int) {
    const [low, high] = parameter.int;
    return Array.from({ length: high - low + 1 }, (_, i) => low + i);
  }
  const steps = parameter.steps ?? 2;
  if (parameter.float) {
    const [low, high] = parameter.float;
    return Array.from({ length: steps }, (_, i) =>
      i === steps - 1 ? high : low + ((high - low) * i) / (steps - 1),
    );
  }
  const [low, high] = parameter['log-uniform'] as [number, number];
  const [a, b] = [Math.log(low), Math.log(high)];
  return Array.from({ length: steps }, (_, i) =>
    i === 0 ? low : i === steps - 1 ? high : Math.exp(a + ((b - a) * i) / (steps - 1)),
  );
}

/** The full grid in declaration order, the last parameter changing fastest. */
export function gridTrials(parameters: Record<string, SearchParameter>): TrialParams[] {
  let trials: TrialParams[] = [{}];
  for (const [name, parameter] of Object.entries(parameters)) {
    const values = gridValues(parameter);
    trials = trials.flatMap((trial) => values.map((value) => ({ ...trial, [name]: value })));
  }
  return trials;
}

/**
 * `count` trials drawn from one SeededRandom(seed), parameters in declaration order, one draw
 * each: choices uniformly, int uniformly on [low, high], float uniformly on [low, high),
 * log-uniform as exp(uniform(ln low, ln high)).
 */
export function randomTrials(
  parameters: Record<string, SearchParameter>,
  count: number,
  seed: number,
): TrialParams[] {
  const rng = new SeededRandom(seed);
  const trials: TrialParams[] = [];
  for (let t = 0; t < count; t++) {
    const trial: TrialParams = {};
    for (const [name, p] of Object.entries(parameters)) {
      if (p.choices) trial[name] = p.choices[rng.nextInt(p.choices.length)];
      else if (p.int) trial[name] = p.int[0] + rng.nextInt(p.int[1] - p.int[0] + 1);
      else if (p.float) trial[name] = p.float[0] + rng.next() * (p.float[1] - p.float[0]);
      else {
        const [low, high] = p['log-uniform'] as [number, number];
        trial[name] = Math.exp(Math.log(low) + rng.next() * (Math.log(high) - Math.log(low)));
      }
    }
    trials.push(trial);
  }
  return trials;
}

/** The environment variable a command trial gets a parameter in: MLOPS_PARAM_LEARNING_RATE. */
export function paramEnvName(name: string): string {
  return `MLOPS_PARAM_${name.toUpperCase().replace(/-/g, '_')}`;
}
