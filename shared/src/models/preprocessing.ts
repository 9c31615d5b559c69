/**
 * The feature contract: how a raw row becomes the model's numeric input. `train` fits it and
 * writes it beside the model (`preprocessing.json`, format `mlops-preprocessing/v2`, JSON Schema
 * docs/schemas/preprocessing.schema.json); `evaluate` (file and DuckDB paths), the server (row and
 * columnar requests), the request log and drift-check all read raw values through this one module,
 * so no step has a copy of any encoding rule. Documented in docs/features.md.
 *
 * Format (JSON):
 * ```json
 * {
 *   "schema": "mlops-preprocessing/v2",
 *   "missing": ["", "NA", "N/A", "n/a", "null", "?", "NaN"],
 *   "features": [
 *     { "name": "Horsepower", "kind": "numeric", "mean": 104.5, "std": 38.4, "fill": 104.5 },
 *     { "name": "Origin", "kind": "categorical", "categories": ["Europe", "Japan", "USA"], "fill": "USA" },
 *     { "name": "Turbo", "kind": "boolean", "fill": 0 },
 *     { "name": "Year", "kind": "date", "parts": [{ "part": "year", "mean": 1976, "std": 3.7, "fill": 1976 }, ...] }
 *   ],
 *   "dropped": [{ "name": "Name", "reason": "text-id" }],
 *   "target": "Miles_per_Gallon",
 *   "task": "regression"
 * }
 * ```
 * Reading a raw value (one rule per kind, identical on every path):
 * - missing: null, an absent value, a string equal (after trimming) to one of `missing`, and a
 *   numeric NaN when `NaN` is one of them. A missing value takes the feature's `fill`.
 * - numeric: a number, or a string that is a decimal number; `(x - mean) / std` (std 0 counts as
 *   1, population std, as scikit-learn's StandardScaler). ±Infinity is `non_finite`; any other
 *   string, a boolean or a date is `unparseable`.
 * - boolean: true/false, 1/0, or the strings true/false/t/f/yes/no/1/0 (any case); one input, 1 or 0.
 * - categorical: compared as text (numbers as JS writes them, booleans as true/false, dates as ISO
 *   8601 UTC); one-hot over `categories`. A value not in `categories` is `unseen_category`.
 * - date / datetime: a date object, or an ISO 8601 string `YYYY-MM-DD[(T| )hh:mm[:ss[.fff]]][Z|±hh:mm]`
 *   (no offset means UTC). Expanded into the numeric `parts` listed (UTC calendar fields;
 *   `day_of_week` 0 = Monday; `epoch_days` days since 1970-01-01, fractional for datetime), each
 *   standardised like a numeric feature. Anything else is `unparseable`.
 * - Input column order: features in the listed order, each expanded as above.
 * - `dropped`: columns train saw and left out (identifiers, all-null, unsupported types, or set so in
 *   mlops.yml); they are no model input.
 * - `classes` (classification): the label of each output unit, in order; for a single sigmoid
 *   output the two classes are [negative, positive].
 * - `training_data` (optional): the training file's name and sha256, for evaluate's warning.
 *
 * Invalid values (`unseen_category`, `unparseable`, `non_finite`, `missing_column`) follow the
 * caller's `on-invalid` policy: `error` stops at the first one naming column, row and value;
 * `warn` and `impute` replace it by the feature's `fill` and count it (`warn` also prints the counts).
 *
 * `mlops-preprocessing/v1` files (numeric and categorical features only) are read as v2 with no
 * missing-value tokens, except one whose categories are dates, which v1 spelled differently in
 * each step: that model must be retrained.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { nearUniqueReason } from '../data/column-kind.js';
import { DEFAULT_MISSING_TOKENS } from '../data/missing-tokens.js';
import { UserError } from '../errors/index.js';

export const PREPROCESSING_SCHEMA = 'mlops-preprocessing/v2';
export const PREPROCESSING_SCHEMA_V1 = 'mlops-preprocessing/v1';

export { DEFAULT_MISSING_TOKENS };

export const FEATURE_KINDS = ['numeric', 'categorical', 'boolean', 'date', 'datetime'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** What mlops.yml's `features.types` may force a column to: a kind, or `text-id` to drop it. */
export const FEATURE_TYPE_CHOICES = [...FEATURE_KINDS, 'text-id'] as const;
export type FeatureTypeChoice = (typeof FEATURE_TYPE_CHOICES)[number];

export const ON_INVALID_POLICIES = ['error', 'warn', 'impute'] as const;
export type OnInvalid = (typeof ON_INVALID_POLICIES)[number];
/**
 * `error`: a value the model cannot read is a silent wrong prediction unless someone is told, and
 * the one who can fix it is the caller; `warn`/`impute` are opt-ins for known-dirty data.
 */
export const DEFAULT_ON_INVALID: OnInvalid = 'error';

export const INVALID_KINDS = ['unseen_category', 'unparseable', 'non_finite', 'missing_column'] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

export const DATE_PARTS = ['year', 'month', 'day', 'day_of_week', 'epoch_days'] as const;
export const DATETIME_PARTS = [
  'year',
  'month',
  'day',
  'day_of_week',
  'hour',
  'minute',
  'epoch_days',
] as const;
export type DatePart = (typeof DATETIME_PARTS)[number];

const scaled = { mean: z.number(), std: z.number().nonnegative(), fill: z.number() };

const numericFeature = z.object({ name: z.string().min(1), kind: z.literal('numeric'), ...scaled });
const categoricalFeature = z.object({
  name: z.string().min(1),
  kind: z.literal('categorical'),
  categories: z.array(z.string()),
  fill: z.string().nullable(),
});
const booleanFeature = z.object({
  name: z.string().min(1),
  kind: z.literal('boolean'),
  fill: z.union([z.literal(0), z.literal(1)]),
});
const datePart = z.object({ part: z.enum(DATETIME_PARTS), ...scaled });
const dateFeature = z.object({
  name: z.string().min(1),
  kind: z.enum(['date', 'datetime']),
  parts: z.array(datePart).min(1),
});
const droppedColumn = z.object({
  name: z.string(),
  reason: z.enum(['text-id', 'all-null', 'unsupported-type', 'config']),
  detail: z.string().optional(),
});

const featureSpec = z.union([numericFeature, categoricalFeature, booleanFeature, dateFeature]);

const preprocessingSpec = z.object({
  schema: z.literal(PREPROCESSING_SCHEMA),
  missing: z.array(z.string()),
  features: z.array(featureSpec).min(1),
  dropped: z.array(droppedColumn).optional(),
  target: z.string().min(1),
  task: z.enum(['classification', 'regression']),
  classes: z.array(z.string()).optional(),
  /** The file train fitted on (name and `sha256:<hex>`), so evaluate can warn when scoring it again. */
  training_data: z.object({ file: z.string(), digest: z.string() }).optional(),
});

const v1Spec = z.object({
  schema: z.literal(PREPROCESSING_SCHEMA_V1),
  features: z.array(z.discriminatedUnion('kind', [numericFeature, categoricalFeature])).min(1),
  target: z.string().min(1),
  task: z.enum(['classification', 'regression']),
  classes: z.array(z.string()).optional(),
});

export type NumericFeature = z.infer<typeof numericFeature>;
export type CategoricalFeature = z.infer<typeof categoricalFeature>;
export type BooleanFeature = z.infer<typeof booleanFeature>;
export type DateFeature = z.infer<typeof dateFeature>;
export type FeatureSpec = z.infer<typeof featureSpec>;
export type DroppedColumn = z.infer<typeof droppedColumn>;
export type Preprocessing = z.infer<typeof preprocessingSpec>;

function invalidSpec(source: string, schema: string, issue: z.core.$ZodIssue): UserError {
  const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return new UserError(`${source} is not a valid ${schema} file${where}: ${issue.message}.`, {
    file: source,
  });
}

/** Checks a parsed JSON value against the format; `source` names the file in the message. */
export function parsePreprocessing(value: unknown, source = 'preprocessing.json'): Preprocessing {
  const schema = (value as { schema?: unknown } | null)?.schema;
  let spec: Preprocessing;
  if (schema === PREPROCESSING_SCHEMA_V1) {
    const parsed = v1Spec.safeParse(value);
    if (!parsed.success) throw invalidSpec(source, PREPROCESSING_SCHEMA_V1, parsed.error.issues[0]!);
    spec = migrateV1(parsed.data, source);
  } else if (schema === PREPROCESSING_SCHEMA || schema === undefined) {
    const parsed = preprocessingSpec.safeParse(value);
    if (!parsed.success) throw invalidSpec(source, PREPROCESSING_SCHEMA, parsed.error.issues[0]!);
    spec = parsed.data;
  } else {
    throw new UserError(
      `${source} has schema '${String(schema)}', which this version does not read (it reads ${PREPROCESSING_SCHEMA} and ${PREPROCESSING_SCHEMA_V1}). Retrain the model with this version's train.`,
      { file: source },
    );
  }
  if (spec.task === 'classification' && (spec.classes === undefined || spec.classes.length < 2)) {
    throw new UserError(
      `${source}: a classification preprocessing needs 'classes' with at least two labels.`,
      {
        file: source,
      },
    );
  }
  const seen = new Set<string>();
  for (const f of spec.features) {
    if (seen.has(f.name))
      throw new UserError(`${source}: feature '${f.name}' is listed twice.`, { file: source });
    seen.add(f.name);
  }
  return spec;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * v1 had numeric and categorical features and no missing-value tokens; it reads as v2 with an
 * empty token list. v1 one-hot encoded dates as whatever text each step made of them, so a v1
 * feature whose categories are timestamps cannot be served faithfully: retrain.
 */
function migrateV1(v1: z.infer<typeof v1Spec>, source: string): Preprocessing {
  for (const f of v1.features) {
    if (
      f.kind === 'categorical' &&
      f.categories.length > 0 &&
      f.categories.every((c) => ISO_INSTANT.test(c))
    ) {
      throw new UserError(
        `${source} (${PREPROCESSING_SCHEMA_V1}) encodes the date column '${f.name}' as text categories, which evaluate and serve spelled differently from train (every row became all zeros). Retrain the model with this version's train: it writes ${PREPROCESSING_SCHEMA} with '${f.name}' as a date feature.`,
        { file: source },
      );
    }
  }
  const spec: Preprocessing = {
    schema: PREPROCESSING_SCHEMA,
    missing: [],
    features: v1.features,
    target: v1.target,
    task: v1.task,
  };
  if (v1.classes !== undefined) spec.classes = v1.classes;
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

function widthOf(f: FeatureSpec): number {
  switch (f.kind) {
    case 'numeric':
    case 'boolean':
      return 1;
    case 'categorical':
      return f.categories.length;
    default:
      return f.parts.length;
  }
}

/**
 * Where each raw feature sits in a model input row: applyPreprocessing writes the features in the
 * spec's order, each into `width` consecutive slots (one for a number or boolean, one per category,
 * one per date part). Permutation importance shuffles these blocks.
 */
export function featureBlocks(spec: Preprocessing): { feature: string; start: number; width: number }[] {
  let start = 0;
  return spec.features.map((f) => {
    const block = { feature: f.name, start, width: widthOf(f) };
    start += block.width;
    return block;
  });
}

/** Number of model input columns the spec produces. */
export function inputWidth(spec: Preprocessing): number {
  let width = 0;
  for (const feature of spec.features) width += widthOf(feature);
  return width;
}

/** Names of the model input columns, e.g. `bill_length_mm`, `island=Biscoe`, `Year.month`. */
export function inputNames(spec: Preprocessing): string[] {
  return spec.features.flatMap((f) => {
    switch (f.kind) {
      case 'numeric':
      case 'boolean':
        return [f.name];
      case 'categorical':
        return f.categories.map((c) => `${f.name}=${c}`);
      default:
        return f.parts.map((p) => `${f.name}.${p.part}`);
    }
  });
}

/** The dtype a raw feature has in the serving signature (TF.js / numpy names). */
export function featureDtype(kind: FeatureKind): string {
  return kind === 'numeric' ? 'float32' : kind === 'boolean' ? 'bool' : 'string';
}

/** Raw columns by name, each with one value per row (numbers, strings, booleans, dates, null...). */
export type RawColumns = Record<string, ArrayLike<unknown>>;

// ---------------------------------------------------------------------------------------------
// Reading one raw value: the only place these rules exist.

/** Result of reading a raw value: the parsed value, `null` for missing, or the kind of problem. */
type Read<T> = T | null | InvalidKind;

/**
 * The tokens as the readers test them: as text (trimmed), and, for a token that reads as a finite
 * number ('-999'), as that number too: a numeric column read by DuckDB holds -999 as a number,
 * and a request may send it as one (trial3: '-999' filled as text, kept as a value as a number).
 */
function missingSet(tokens: readonly string[]): { tokens: Set<string>; nan: boolean; numbers: Set<number> } {
  const numbers = new Set<number>();
  for (const token of tokens) {
    const text = token.trim();
    if (DECIMAL.test(text) && Number.isFinite(Number(text))) numbers.add(Number(text));
  }
  return { tokens: new Set(tokens), nan: tokens.includes('NaN'), numbers };
}
type Missing = ReturnType<typeof missingSet>;

/**
 * The contract's test for a missing value (null, or a missing-value token after trimming, or NaN
 * when 'NaN' is a token), for a column it does not encode: the target, which train and evaluate
 * leave out when it is missing, so that a label 'NA' means what it means in a feature.
 */
export function missingValueTest(tokens: readonly string[]): (raw: unknown) => boolean {
  const missing = missingSet(tokens);
  return (raw) => isMissing(raw, missing);
}

function isMissing(raw: unknown, missing: Missing): boolean {
  if (raw === null || raw === undefined) return true;
  if (typeof raw === 'string') return missing.tokens.has(raw.trim());
  if (typeof raw === 'number') return Number.isNaN(raw) ? missing.nan : missing.numbers.has(raw);
  if (typeof raw === 'bigint') return missing.numbers.has(Number(raw));
  return false;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITE = /^[+-]?(inf|infinity)$/i;

function readNumber(raw: unknown, missing: Missing): Read<number> {
  if (isMissing(raw, missing)) return null;
  let x: number;
  if (typeof raw === 'number') x = raw;
  else if (typeof raw === 'bigint') x = Number(raw);
  else if (typeof raw === 'string') {
    const text = raw.trim();
    if (DECIMAL.test(text)) x = Number(text);
    else return INFINITE.test(text) ? 'non_finite' : 'unparseable';
    // '-999.0' where the token is '-999': the same number, missing as a number would be.
    if (missing.numbers.has(x)) return null;
  } else return 'unparseable';
  return Number.isFinite(x) ? x : 'non_finite';
}

const TRUE_WORDS = new Set(['true', 't', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', '0']);

function readBoolean(raw: unknown, missing: Missing): Read<0 | 1> {
  if (isMissing(raw, missing)) return null;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    const x = Number(raw);
    return x === 1 ? 1 : x === 0 ? 0 : Number.isFinite(x) ? 'unparseable' : 'non_finite';
  }
  if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return 1;
    if (FALSE_WORDS.has(word)) return 0;
  }
  return 'unparseable';
}

/** A value as category text: strings as they are, numbers as JS writes them, dates in ISO 8601 UTC. */
function categoryText(raw: unknown, missing: Missing): string | null {
  if (isMissing(raw, missing)) return null;
  if (typeof raw === 'string') return raw;
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? 'Invalid Date' : raw.toISOString();
  if (typeof raw === 'object') return JSON.stringify(raw);
  return String(raw);
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds since the epoch of a date object or an ISO 8601 string (UTC unless it has an offset). */
function readInstant(raw: unknown, missing: Missing): Read<number> {
  if (isMissing(raw, missing)) return null;
  if (raw instanceof Date) {
    const t = raw.getTime();
    return Number.isNaN(t) ? 'unparseable' : t;
  }
  if (typeof raw !== 'string') return 'unparseable';
  const m = ISO_DATE.exec(raw.trim());
  if (m === null) return 'unparseable';
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) =>
    Number(m[i] ?? 0),
  ) as number[];
  const millis = m[7] === undefined ? 0 : Math.floor(Number(m[7]) * 1000);
  if (month! < 1 || month! > 12 || hour! > 23 || minute! > 59 || second! > 60) return 'unparseable';
  let t = Date.UTC(year!, month! - 1, day!, hour, minute, second, millis);
  // Date.UTC rolls 2021-02-31 over into March; a calendar date that does not exist is not a date.
  if (new Date(t).getUTCDate() !== day) return 'unparseable';
  const offset = m[8];
  if (offset !== undefined && offset !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}

const DAY_MS = 86_400_000;

function datePartValue(t: number, part: DatePart, kind: 'date' | 'datetime'): number {
  const d = new Date(t);
  switch (part) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'day_of_week':
      return (d.getUTCDay() + 6) % 7;
    case 'hour':
      return d.getUTCHours();
    case 'minute':
      return d.getUTCMinutes();
    case 'epoch_days':
      return kind === 'date' ? Math.floor(t / DAY_MS) : t / DAY_MS;
  }
}

// ---------------------------------------------------------------------------------------------
// Counting what was imputed or invalid.

/**
 * What a missing value of `feature` becomes, for messages: `"USA" (most frequent)`,
 * `104.5 (training mean)`; the one wording train, evaluate and serve use.
 */
export function describeFill(feature: FeatureSpec): string {
  const number = (x: number) => String(Number(x.toPrecision(6)));
  switch (feature.kind) {
    case 'numeric':
      return `${number(feature.fill)} (training mean)`;
    case 'categorical':
      return feature.fill === null
        ? 'no category (all its inputs 0)'
        : `${JSON.stringify(feature.fill)} (most frequent)`;
    case 'boolean':
      return `${feature.fill === 1 ? 'true' : 'false'} (more frequent)`;
    default:
      return `training means (${feature.parts.map((p) => `${p.part} ${number(p.fill)}`).join(', ')})`;
  }
}

/** `Director: 970 filled with "Steven Spielberg" (most frequent)`; a column not in the contract: `name: n`. */
export function describeFilled(spec: Preprocessing, column: string, n: number): string {
  const feature = spec.features.find((f) => f.name === column);
  return feature ? `${column}: ${n} filled with ${describeFill(feature)}` : `${column}: ${n}`;
}

/** Per column: missing values filled, and invalid values by kind. Accumulates over batches. */
export class FeatureCounts {
  rows = 0;
  readonly missing: Record<string, number> = {};
  readonly invalid: Record<string, Partial<Record<InvalidKind, number>>> = {};

  addMissing(column: string, n = 1): void {
    this.missing[column] = (this.missing[column] ?? 0) + n;
  }

  addInvalid(column: string, kind: InvalidKind, n = 1): void {
    const byKind = this.invalid[column] ?? {};
    byKind[kind] = (byKind[kind] ?? 0) + n;
    this.invalid[column] = byKind;
  }

  merge(other: FeatureCounts): void {
    this.rows += other.rows;
    for (const [c, n] of Object.entries(other.missing)) this.addMissing(c, n);
    for (const [c, kinds] of Object.entries(other.invalid))
      for (const [k, n] of Object.entries(kinds)) this.addInvalid(c, k as InvalidKind, n);
  }

  get invalidTotal(): number {
    let total = 0;
    for (const kinds of Object.values(this.invalid)) for (const n of Object.values(kinds)) total += n ?? 0;
    return total;
  }

  get missingTotal(): number {
    return Object.values(this.missing).reduce((a, n) => a + n, 0);
  }

  /**
   * `Horsepower: 6; Origin: 1`, for messages; with the contract, what each was filled with:
   * `Origin: 1 filled with "USA" (most frequent)` (`describeFilled`).
   */
  describeMissing(spec?: Preprocessing): string {
    return Object.entries(this.missing)
      .map(([c, n]) => (spec ? describeFilled(spec, c, n) : `${c}: ${n}`))
      .join('; ');
  }

  /** `Origin: 2 unseen_category; Horsepower: 1 unparseable`, for messages. */
  describeInvalid(): string {
    return Object.entries(this.invalid)
      .map(
        ([c, kinds]) =>
          `${c}: ${Object.entries(kinds)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}`,
      )
      .join('; ');
  }

  /** The JSON form written to metrics.json, request-log lines and drift reports. */
  toJSON(): {
    rows: number;
    missing: Record<string, number>;
    invalid: Record<string, Partial<Record<InvalidKind, number>>>;
  } {
    return { rows: this.rows, missing: { ...this.missing }, invalid: structuredClone(this.invalid) };
  }
}

/** An invalid value under `on-invalid: error`: names the column, the row (0-based in the batch) and the value. */
export class InvalidFeatureValueError extends UserError {
  constructor(
    readonly column: string,
    readonly kind: InvalidKind,
    readonly row: number,
    readonly value: unknown,
    readonly detail: string,
  ) {
    super(detail, { input: column });
    this.name = 'UserError';
  }
}

function showValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function invalidMessage(feature: FeatureSpec, kind: InvalidKind, value: unknown, rowText: string): string {
  switch (kind) {
    case 'unseen_category': {
      const cats = (feature as CategoricalFeature).categories;
      const shown = cats
        .slice(0, 10)
        .map((c) => JSON.stringify(c))
        .join(', ');
      return `${rowText}: '${feature.name}' is ${showValue(value)}, a category the model never saw in training (it knows ${shown}${cats.length > 10 ? ', ...' : ''}).`;
    }
    case 'unparseable':
      return `${rowText}: '${feature.name}' is ${showValue(value)}, which is not a ${feature.kind === 'numeric' ? 'number' : feature.kind === 'boolean' ? 'boolean (true/false)' : `${feature.kind} (ISO 8601, e.g. 2024-01-31)`} nor a missing-value token.`;
    case 'non_finite':
      return `${rowText}: '${feature.name}' is ${showValue(value)}, not a finite number.`;
    case 'missing_column':
      return `The data has no column '${feature.name}', which the model takes as input.`;
  }
}

export interface TransformOptions {
  onInvalid?: OnInvalid;
  /** Counts are added here (created when absent). */
  counts?: FeatureCounts;
  /** Says where a batch row is, for the error under `on-invalid: error` (default `row <i+1>`). */
  describeRow?: (row: number) => string;
  /** Told of each invalid value that was filled (warn/impute), e.g. for the request log's lines. */
  onInvalidValue?: (row: number, column: string, kind: InvalidKind) => void;
}

/**
 * Applies the spec to `rows` rows of raw columns: a row-major Float32Array of
 * `rows * inputWidth(spec)` values, ready to become a `[rows, width]` tensor. Every value is read
 * by the rules above; missing values take the fill and are counted; invalid ones follow `onInvalid`.
 */
export function applyPreprocessing(
  spec: Preprocessing,
  columns: RawColumns,
  rows: number,
  options: TransformOptions = {},
): Float32Array {
  const policy = options.onInvalid ?? DEFAULT_ON_INVALID;
  const counts = options.counts ?? new FeatureCounts();
  const describeRow = options.describeRow ?? ((r: number) => `row ${r + 1}`);
  const missing = missingSet(spec.missing);
  const width = inputWidth(spec);
  const out = new Float32Array(rows * width);
  counts.rows += rows;
  let offset = 0;
  for (const feature of spec.features) {
    let column = columns[feature.name];
    const invalid = (kind: InvalidKind, r: number, value: unknown): void => {
      if (policy === 'error') {
        throw new InvalidFeatureValueError(
          feature.name,
          kind,
          r,
          value,
          invalidMessage(feature, kind, value, describeRow(r)),
        );
      }
      counts.addInvalid(feature.name, kind);
      options.onInvalidValue?.(r, feature.name, kind);
    };
    if (column === undefined) {
      if (policy === 'error') {
        throw new InvalidFeatureValueError(
          feature.name,
          'missing_column',
          0,
          undefined,
          `The data has no column '${feature.name}', which the model takes as input (inputs: ${spec.features.map((f) => f.name).join(', ')}).`,
        );
      }
      for (let r = 0; r < rows; r++) invalid('missing_column', r, undefined);
      column = { length: rows } as ArrayLike<unknown>;
    }
    const absent = columns[feature.name] === undefined;
    switch (feature.kind) {
      case 'numeric': {
        const scale = feature.std === 0 ? 1 : feature.std;
        for (let r = 0; r < rows; r++) {
          let x = absent ? feature.fill : readNumber(column[r], missing);
          if (x === null) {
            counts.addMissing(feature.name);
            x = feature.fill;
          } else if (typeof x === 'string') {
            invalid(x, r, column[r]);
            x = feature.fill;
          }
          out[r * width + offset] = (x - feature.mean) / scale;
        }
        break;
      }
      case 'boolean': {
        for (let r = 0; r < rows; r++) {
          let x = absent ? feature.fill : readBoolean(column[r], missing);
          if (x === null) {
            counts.addMissing(feature.name);
            x = feature.fill;
          } else if (typeof x === 'string') {
            invalid(x, r, column[r]);
            x = feature.fill;
          }
          out[r * width + offset] = x;
        }
        break;
      }
      case 'categorical': {
        const index = new Map(feature.categories.map((c, i) => [c, i]));
        for (let r = 0; r < rows; r++) {
          const text = absent ? feature.fill : categoryText(column[r], missing);
          let hot: number | undefined;
          if (text === null) {
            if (!absent) counts.addMissing(feature.name);
            hot = feature.fill === null ? undefined : index.get(feature.fill);
          } else {
            hot = index.get(text);
            if (hot === undefined && !absent) {
              invalid('unseen_category', r, column[r]);
              hot = feature.fill === null ? undefined : index.get(feature.fill);
            }
          }
          if (hot !== undefined) out[r * width + offset + hot] = 1;
        }
        break;
      }
      default: {
        const kind = feature.kind;
        const parts = feature.parts;
        for (let r = 0; r < rows; r++) {
          const t = absent ? null : readInstant(column[r], missing);
          if (t === null && !absent) counts.addMissing(feature.name);
          else if (typeof t === 'string') invalid(t, r, column[r]);
          parts.forEach((p, j) => {
            const x = typeof t === 'number' ? datePartValue(t, p.part, kind) : p.fill;
            out[r * width + offset + j] = (x - p.mean) / (p.std === 0 ? 1 : p.std);
          });
        }
      }
    }
    offset += widthOf(feature);
  }
  return out;
}

/**
 * One row's raw inputs as this contract reads them, for the request log that drift-check compares
 * with the training data: a numeric feature's value becomes the number it reads as, a boolean's
 * `true`/`false`, and a missing one (null or a missing token) of any kind `null`. Without this a
 * client that sends CSV text ("300", "" for missing) logs a text column, which drift-check can only
 * call a changed type: a false alarm on the very rows the model read as numbers; and a category
 * sent as "NA", which the model filled as missing, would be counted as a new category. A value the
 * contract cannot read, and other categories and dates (compared as text), stay as sent.
 */
export function contractInputs(spec: Preprocessing, row: Record<string, unknown>): Record<string, unknown> {
  const missing = missingSet(spec.missing);
  const out: Record<string, unknown> = { ...row };
  for (const feature of spec.features) {
    if (!(feature.name in row)) continue;
    const raw = row[feature.name];
    if (feature.kind === 'numeric') {
      const x = readNumber(raw, missing);
      if (x === null || typeof x === 'number') out[feature.name] = x;
    } else if (feature.kind === 'boolean') {
      const x = readBoolean(raw, missing);
      if (x === null) out[feature.name] = null;
      else if (typeof x === 'number') out[feature.name] = x === 1;
    } else if (isMissing(raw, missing)) out[feature.name] = null;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inferring kinds and fitting, at train time.

/** What the data source says a column is, before its values are looked at. */
export type SourceType = 'number' | 'boolean' | 'date' | 'timestamp' | 'text' | 'other';

export interface InferredKind {
  kind: FeatureKind | 'text-id' | 'all-null' | 'unsupported-type';
  /** Why, for the step summary: `DuckDB DOUBLE`, `text whose values all parse as numbers`... */
  why: string;
  /**
   * A value of a text column whose values all look like dates in a format other than ISO 8601
   * ('Jan 1 2000', '01/02/2000'): the contract reads dates only as ISO 8601, so such a column is
   * text (each later date an unseen category), and train says so with this example.
   */
  nonIsoDate?: string;
}

const MONTH_NAME = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b/i;
const NUMERIC_DATE = /^\d{1,4}[/.]\d{1,2}[/.]\d{1,4}\b/;

/** A date written another way than ISO 8601: a four-digit year with a month name or slashes/dots. */
function looksLikeNonIsoDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const text = value.trim();
  return (
    /\b\d{4}\b/.test(text) &&
    (MONTH_NAME.test(text) || NUMERIC_DATE.test(text)) &&
    !Number.isNaN(Date.parse(text))
  );
}

/**
 * The kind train gives a column: numbers, booleans, dates and timestamps by their source type;
 * text by its values (all numbers -> numeric, all true/false -> boolean, all ISO dates -> date or
 * datetime), else categorical, or `text-id` when its values are near-unique (`nearUniqueReason`, the
 * rule data-validate uses to leave identifiers out of comparisons).
 */
export function inferFeatureKind(
  values: ArrayLike<unknown>,
  sourceType: SourceType,
  missingTokens: readonly string[],
  sourceName: string,
): InferredKind {
  const missing = missingSet(missingTokens);
  const present: unknown[] = [];
  for (let i = 0; i < values.length; i++) if (!isMissing(values[i], missing)) present.push(values[i]);
  if (present.length === 0)
    return {
      kind: 'all-null',
      why: `every value is missing (null or ${missingTokens.map((t) => JSON.stringify(t)).join(', ')})`,
    };
  switch (sourceType) {
    case 'number':
      return { kind: 'numeric', why: `${sourceName} column` };
    case 'boolean':
      return { kind: 'boolean', why: `${sourceName} column` };
    case 'date':
      return { kind: 'date', why: `${sourceName} column` };
    case 'timestamp':
      return { kind: 'datetime', why: `${sourceName} column` };
    case 'other':
      return { kind: 'unsupported-type', why: `${sourceName} is not a number, text, boolean or date` };
  }
  if (present.every((v) => typeof readNumber(v, missing) === 'number'))
    return { kind: 'numeric', why: 'text whose values all read as numbers' };
  if (present.every((v) => typeof v === 'string' && /^(true|false)$/i.test(v.trim())))
    return { kind: 'boolean', why: 'text whose values are all true/false' };
  if (present.every((v) => typeof readInstant(v, missing) === 'number')) {
    const dateOnly = present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(String(v).trim()));
    return dateOnly
      ? { kind: 'date', why: 'text whose values are all ISO dates' }
      : { kind: 'datetime', why: 'text whose values are all ISO date-times' };
  }
  const distinct = new Set(present.map((v) => categoryText(v, missing))).size;
  const nonIsoDate = present.every(looksLikeNonIsoDate) ? String(present[0]).trim() : undefined;
  // Mostly numbers with a few words: often a missing-value token the tokens do not list (trial3:
  // 'NA' taken out of features.missing made a weight column an identifier without saying why).
  const words = present.filter((v) => typeof readNumber(v, missing) !== 'number');
  const numbersBut =
    words.length > 0 && words.length * 10 <= present.length
      ? `; ${present.length - words.length} of ${present.length} values are numbers, the others text such as ${JSON.stringify(String(words[0]).trim())} (not a missing-value token: add it to features.missing to read the column as numbers)`
      : '';
  const dates =
    (nonIsoDate === undefined ? '' : ` that look like dates not in ISO 8601 (e.g. '${nonIsoDate}')`) +
    numbersBut;
  const nearUnique = nearUniqueReason(distinct, present.length);
  if (nearUnique !== undefined)
    return {
      kind: 'text-id',
      why: `${nearUnique} non-missing values${dates}`,
      ...(nonIsoDate ? { nonIsoDate } : {}),
    };
  return {
    kind: 'categorical',
    why: `text with ${distinct} distinct values${dates}`,
    ...(nonIsoDate ? { nonIsoDate } : {}),
  };
}

function welford(values: Iterable<number>): { n: number; mean: number; std: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const x of values) {
    // Welford: stable for large offsets (timestamps, prices).
    n++;
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  return { n, mean, std: n > 0 ? Math.sqrt(m2 / n) : 0 };
}

function* valid<T>(column: ArrayLike<unknown>, rows: number, read: (raw: unknown) => Read<T>): Generator<T> {
  for (let r = 0; r < rows; r++) {
    const v = read(column[r]);
    if (v !== null && !(typeof v === 'string' && (INVALID_KINDS as readonly string[]).includes(v)))
      yield v as T;
  }
}

/** What a value of each kind must look like, for messages. */
const EXPECTED_TEXT: Record<FeatureKind, string> = {
  numeric: 'a number',
  categorical: 'any value',
  boolean: 'true/false, 1/0, t/f or yes/no',
  date: 'an ISO 8601 date (YYYY-MM-DD)',
  datetime: 'an ISO 8601 date-time (YYYY-MM-DDThh:mm[:ss][Z|±hh:mm])',
};

/**
 * Fits a spec on training columns: numeric and date-part mean/std (population, ddof 0) over the
 * values that read, with the mean as fill; categories sorted (as OneHotEncoder does) with the
 * most frequent as fill; a boolean's fill is its more frequent value. A feature with no readable
 * value is a UserError naming it.
 */
export function fitPreprocessing(
  columns: RawColumns,
  rows: number,
  options: {
    features: { name: string; kind: FeatureKind }[];
    target: string;
    task: 'classification' | 'regression';
    classes?: string[];
    missing?: readonly string[];
    dropped?: DroppedColumn[];
  },
): Preprocessing {
  const tokens = [...(options.missing ?? DEFAULT_MISSING_TOKENS)];
  const missing = missingSet(tokens);
  const features: FeatureSpec[] = options.features.map(({ name, kind }) => {
    const column = columns[name];
    if (column === undefined) throw new UserError(`The training data has no column '${name}'.`);
    const none = () => {
      let example: unknown;
      for (let r = 0; r < rows && example === undefined; r++)
        if (column !== undefined && !isMissing(column[r], missing)) example = column[r];
      const expected = EXPECTED_TEXT[kind];
      const seen =
        example === undefined ? 'all missing' : `e.g. ${JSON.stringify(example)}, expected ${expected}`;
      return new UserError(
        `The ${kind} feature '${name}' has no readable value in the ${rows} training rows (${seen}); drop it (features.types: { '${name}': text-id } in mlops.yml) or fix the data.`,
        { input: name },
      );
    };
    switch (kind) {
      case 'numeric': {
        const { n, mean, std } = welford(valid(column, rows, (v) => readNumber(v, missing)));
        if (n === 0) throw none();
        return { name, kind, mean, std, fill: mean };
      }
      case 'boolean': {
        let ones = 0;
        let n = 0;
        for (const b of valid(column, rows, (v) => readBoolean(v, missing))) {
          n++;
          ones += b;
        }
        if (n === 0) throw none();
        return { name, kind, fill: ones * 2 > n ? 1 : 0 };
      }
      case 'categorical': {
        const counts = new Map<string, number>();
        for (let r = 0; r < rows; r++) {
          const key = categoryText(column[r], missing);
          if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        if (counts.size === 0) throw none();
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
      }
      default: {
        const instants = [...valid(column, rows, (v) => readInstant(v, missing))];
        if (instants.length === 0) throw none();
        const partNames = kind === 'date' ? DATE_PARTS : DATETIME_PARTS;
        const parts = partNames.map((part) => {
          const { mean, std } = welford(instants.map((t) => datePartValue(t, part, kind)));
          return { part, mean, std, fill: mean };
        });
        return { name, kind, parts };
      }
    }
  });
  const spec: Preprocessing = {
    schema: PREPROCESSING_SCHEMA,
    missing: tokens,
    features,
    target: options.target,
    task: options.task,
  };
  if (options.dropped !== undefined && options.dropped.length > 0) spec.dropped = options.dropped;
  if (options.classes !== undefined) spec.classes = options.classes;
  return parsePreprocessing(spec);
}
