import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { MAX_NAME_LENGTH, NAME_PATTERN } from './names.js';

export const VERSION_RECORD_SCHEMA = 'mlops-model-version/v1';
/** Stored with every version beside the files; also the name of the release asset on GitHub. */
export const RECORD_FILE = 'mlops-model-version.json';
export const MODEL_CARD_FILE = 'MODEL_CARD.md';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const modelName = z.string().max(MAX_NAME_LENGTH).regex(NAME_PATTERN, 'expected a valid model name');

const gateResultSchema = z.object({
  metric: z.string(),
  operator: z.enum(['>=', '<=', '>', '<', '==']),
  threshold: z.number(),
  value: z.number().nullable(),
  passed: z.boolean(),
});

/**
 * The immutable description of one model version (docs/schemas/registry-version.schema.json is
 * the public copy of this shape; a test keeps the two in step).
 */
export const versionRecordSchema = z.object({
  schema: z.literal(VERSION_RECORD_SCHEMA),
  name: modelName,
  version: z.number().int().min(1),
  created_at: z.string(),
  created_by: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  model: z.object({
    kind: z.enum(['file', 'directory']),
    /** The file to load for a single-file model (e.g. `model.onnx`). */
    entry: z.string().nullable(),
  }),
  files: z
    .array(z.object({ path: z.string().min(1), sha256: sha256Hex, size: z.number().int().min(0) }))
    .min(1),
  git_sha: z.string().nullable(),
  run_url: z.string().nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  profile: z.record(z.string(), z.unknown()).nullable(),
  signature: z.object({ inputs: z.unknown(), outputs: z.unknown() }).nullable(),
  preprocessing: z.record(z.string(), z.unknown()).nullable(),
  tags: z.array(z.string()),
  /** `validated`: `require` gates passed; `unvalidated`: none given; `forced`: gates failed and `force` was set. */
  status: z.enum(['validated', 'unvalidated', 'forced']),
  gates: z.array(gateResultSchema),
});

export type VersionRecord = z.infer<typeof versionRecordSchema>;
export type GateResult = z.infer<typeof gateResultSchema>;

/** Parses a stored record; anything off is reported as a corrupted registry entry, not a crash. */
export function parseVersionRecord(value: unknown, where: string): VersionRecord {
  const parsed = versionRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new UserError(
      `The version record in ${where} is not a valid ${VERSION_RECORD_SCHEMA}:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

export function parseVersionRecordText(text: string, where: string): VersionRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`The version record in ${where} is not JSON: ${(error as Error).message}`);
  }
  return parseVersionRecord(value, where);
}

/** Tags are free text shown in cards and lists; they are bounded so they cannot flood a report. */
export function validateTags(tags: readonly string[], input = 'tags'): string[] {
  const result: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    if (tag === '') continue;
    if (tag.length > 100 || /[\u0000-\u001f\u007f]/.test(tag)) {
      throw new UserError(`Invalid tag ${JSON.stringify(tag)}: at most 100 printable characters.`, { input });
    }
    if (!result.includes(tag)) result.push(tag);
  }
  return result;
}
