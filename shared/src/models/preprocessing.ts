/**
 * `mlops-preprocessing/v1`: how raw table columns become the model's numeric input, written by
 * `train` beside the model (`preprocessing.json`) and applied by `evaluate`, `deploy` and the
 * local server with this one function, so training and serving never disagree.
 *
 * Format (JSON):
 * ```json
 * {
 *   "schema": "mlops-preprocessing/v1",
 *   "features": [
 *     { "name": "bill_length_mm", "kind": "numeric", "mean": 43.92, "std": 5.46, "fill": 43.92 },
 *     { "name": "island", "kind": "categorical", "categories": ["Biscoe", "Dream", "Torgersen"], "fill": "Biscoe" }
 *   ],
 *   "target": "species",
 *   "task": "classification",
 *   "classes": ["Adelie", "Chinstrap", "Gentoo"]
 * }
 * ```
 * - numeric: `(x - mean) / std`, one input column. A null, NaN or non-numeric value takes `fill`
 *   (in raw units, before scaling). `std` 0 is treated as 1, as scikit-learn's StandardScaler does;
 *   `std` is the population standard deviation (ddof 0), also as StandardScaler.
 * - categorical: one-hot over `categories` in the listed order, one input column per category.
 *   A null takes `fill` (a category, or null for all zeros); a value not in `categories` is all
 *   zeros (scikit-learn's `OneHotEncoder(handle_unknown='ignore')`). Values are compared as strings.
 * - Input column order: features in the listed order, each expanded as above.
 * - `classes` (classification): the label of each output unit, in order; for a single sigmoid
 *   output the two classes are [negative, positive].
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../errors/index.js';

export const PREPROCESSING_SCHEMA = 'mlops-preprocessing/v1';

const numericFeature = z.object({
  name: z.string().min(1),
  kind: z.literal('numeric'),
  mean: z.number(),
  std: z.number().nonnegative(),
  fill: z.number(),
});

const categoricalFeature = z.object({
  name: z.string().min(1),
  kind: z.literal('categorical'),
  categories: z.array(z.string()),
  fill: z.string().nullable(),
});

const preprocessingSpec = z.object({
  schema: z.literal(PREPROCESSING_SCHEMA),
  features: z.array(z.discriminatedUnion('kind', [numericFeature, categoricalFeature])).min(1),
  target: z.string().min(1),
  task: z.enum(['classification', 'regression']),
  classes: z.array(z.string()).optional(),
});

export type NumericFeature = z.infer<typeof numericFeature>;
export type CategoricalFeature = z.infer<typeof categoricalFeature>;
export type FeatureSpec = NumericFeature | CategoricalFeature;
export type Preprocessing = z.infer<typeof preprocessingSpec>;

/** Checks a parsed JSON value against the format; `source` names the file in the message. */
export function parsePreprocessing(value: unknown, source = 'preprocessing.json'): Preprocessing {
  const parsed = preprocessingSpec.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new UserError(`${source} is not a valid ${PREPROCESSING_SCHEMA} file${where}: ${issue.message}.`, {
      file: source,
    });
  }
  const spec = parsed.data;
  if (spec.task === 'classification' && (spec.classes === undefined || spec.classes.length < 2)) {
    throw new UserError(
      `${source}: a classification preprocessing needs 'classes' with at least two labels.`,
      {
        file: source,
      },
    );
  }
  return spec;
}

export async function readPreprocessing(path: string): Promise<Preprocessing> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read the preprocessing file '${path}': ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON: ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
  return parsePreprocessing(json, path);
}

/** Number of model input columns the spec produces. */
export function inputWidth(spec: Preprocessing): number {
  let width = 0;
  for (const feature of spec.features) width += feature.kind === 'numeric' ? 1 : feature.categories.length;
  return width;
}

/** Names of the model input columns, e.g. `bill_length_mm`, `island=Biscoe`. */
export function inputNames(spec: Preprocessing): string[] {
  return spec.features.flatMap((f) =>
    f.kind === 'numeric' ? [f.name] : f.categories.map((c) => `${f.name}=${c}`),
  );
}

/** Raw columns by name, each with one value per row (numbers, strings, null, bigint...). */
export type RawColumns = Record<string, ArrayLike<unknown>>;

/**
 * Applies the spec to `rows` rows of raw columns: a row-major Float32Array of
 * `rows * inputWidth(spec)` values, ready to become a `[rows, width]` tensor.
 */
export function applyPreprocessing(spec: Preprocessing, columns: RawColumns, rows: number): Float32Array {
  const width = inputWidth(spec);
  const out = new Float32Array(rows * width);
  let offset = 0;
  for (const feature of spec.features) {
    const column = columns[feature.name];
    if (column === undefined) {
      throw new UserError(
        `The data has no column '${feature.name}', which the model's preprocessing expects (features: ${spec.features.map((f) => f.name).join(', ')}).`,
      );
    }
    if (feature.kind === 'numeric') {
      const scale = feature.std === 0 ? 1 : feature.std;
      for (let r = 0; r < rows; r++) {
        const x = toNumber(column[r]);
        // Only a missing value is filled: an infinity (1e999 in JSON or CSV) is a value no model
        // was fitted on, and filling it would answer silently for a row that is not what it says.
        if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY)
          throw new UserError(
            `Feature '${feature.name}' is ${x > 0 ? '' : '-'}infinite in row ${r + 1} (a number too large for a double, such as 1e999); only missing values are filled.`,
          );
        out[r * width + offset] = ((Number.isFinite(x) ? x : feature.fill) - feature.mean) / scale;
      }
      offset += 1;
    } else {
      const index = new Map(feature.categories.map((c, i) => [c, i]));
      for (let r = 0; r < rows; r++) {
        const raw = column[r];
        const value = raw === null || raw === undefined ? feature.fill : String(raw);
        const hot = value === null ? undefined : index.get(value);
        if (hot !== undefined) out[r * width + offset + hot] = 1;
      }
      offset += feature.categories.length;
    }
  }
  return out;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/**
 * Fits a spec on training columns: numeric mean/std (population, ddof 0) over finite values with
 * the mean as fill; categorical categories sorted (as OneHotEncoder does) with the most frequent
 * one as fill. `kinds` says which features are categorical; the rest are numeric.
 */
export function fitPreprocessing(
  columns: RawColumns,
  rows: number,
  options: {
    features: { name: string; kind: 'numeric' | 'categorical' }[];
    target: string;
    task: 'classification' | 'regression';
    classes?: string[];
  },
): Preprocessing {
  const features: FeatureSpec[] = options.features.map(({ name, kind }) => {
    const column = columns[name];
    if (column === undefined) throw new UserError(`The training data has no column '${name}'.`);
    if (kind === 'numeric') {
      let n = 0;
      let mean = 0;
      let m2 = 0;
      for (let r = 0; r < rows; r++) {
        const x = toNumber(column[r]);
        if (!Number.isFinite(x)) continue;
        // Welford: stable for large offsets (timestamps, prices).
        n++;
        const d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
      }
      if (n === 0) throw new UserError(`The numeric feature '${name}' has no finite value to fit on.`);
      return { name, kind, mean, std: Math.sqrt(m2 / n), fill: mean };
    }
    const counts = new Map<string, number>();
    for (let r = 0; r < rows; r++) {
      const raw = column[r];
      if (raw === null || raw === undefined) continue;
      const key = String(raw);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const categories = [...counts.keys()].sort();
    let fill: string | null = null;
    let best = 0;
    for (const c of categories) {
      const count = counts.get(c)!;
      if (count > best) {
        best = count;
        fill = c;
      }
    }
    return { name, kind, categories, fill };
  });
  const spec: Preprocessing = {
    schema: PREPROCESSING_SCHEMA,
    features,
    target: options.target,
    task: options.task,
  };
  if (options.classes !== undefined) spec.classes = options.classes;
  return parsePreprocessing(spec);
}
