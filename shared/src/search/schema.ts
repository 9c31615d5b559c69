import { z } from 'zod';

/** Search strategies (docs/train.md, Hyperparameter search). */
export const SEARCH_STRATEGIES = ['grid', 'random', 'halving'] as const;
export type SearchStrategy = (typeof SEARCH_STRATEGIES)[number];

const bounds = (what: string) =>
  z
    .tuple([z.number(), z.number()])
    .refine(([low, high]) => low < high, `${what} needs [low, high] with low below high`);

/**
 * One parameter's domain: exactly one of `choices`, `int`, `float`, `log-uniform`. `steps` gives a
 * float or log-uniform range its grid points (grid strategy only).
 */
export const searchParameterSchema = z
  .object({
    choices: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1, 'choices is empty: give at least one value')
      .optional(),
    int: bounds('int')
      .refine(
        ([low, high]) => Number.isInteger(low) && Number.isInteger(high),
        'int bounds must be whole numbers',
      )
      .optional(),
    float: bounds('float').optional(),
    'log-uniform': bounds('log-uniform')
      .refine(([low]) => low > 0, 'log-uniform bounds must be above 0')
      .optional(),
    steps: z.number().int().min(2, 'steps must be at least 2').optional(),
  })
  .strict()
  .refine(
    (p) => [p.choices, p.int, p.float, p['log-uniform']].filter((d) => d !== undefined).length === 1,
    'give exactly one of choices, int, float or log-uniform',
  );
export type SearchParameter = z.infer<typeof searchParameterSchema>;

/** mlops.yml's `search:` section. */
export const searchSectionSchema = z
  .object({
    metric: z.string().min(1).optional(),
    direction: z.enum(['higher', 'lower']).optional(),
    strategy: z.enum(SEARCH_STRATEGIES).optional(),
    budget: z
      .number()
      .int('budget must be a whole number of trials')
      .min(1, 'budget must be at least 1 trial (0 would run nothing)')
      .optional(),
    seed: z.number().int().min(0).optional(),
    halving: z
      .object({
        'min-epochs': z.number().int().min(1).optional(),
        'reduction-factor': z.number().int().min(2).optional(),
      })
      .strict()
      .optional(),
    parameters: z
      .record(z.string(), searchParameterSchema, {
        error: 'the search space is empty: give at least one parameter',
      })
      .refine(
        (parameters) => Object.keys(parameters).length > 0,
        'the search space is empty: give at least one parameter',
      ),
  })
  .strict();
export type SearchSection = z.infer<typeof searchSectionSchema>;
