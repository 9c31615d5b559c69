import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/index.js';
import type { ModelSource } from './files.js';
import type { VersionRecord } from './record.js';

async function readJsonObject(path: string, input: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`The ${input} file '${path}' does not exist.`, { input, file: path });
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`The ${input} file '${path}' is not valid JSON: ${(error as Error).message}`, {
      input,
      file: path,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`The ${input} file '${path}' must hold a JSON object.`, { input, file: path });
  }
  return value as Record<string, unknown>;
}

/** Reads a report written by another step and checks its `schema` tag, so a swapped file is caught. */
export async function readReport(
  path: string,
  input: string,
  schema: string,
): Promise<Record<string, unknown>> {
  const value = await readJsonObject(path, input);
  if (value['schema'] !== schema) {
    throw new UserError(
      `The ${input} file '${path}' has "schema": ${JSON.stringify(value['schema'] ?? null)}, expected "${schema}".`,
      { input, file: path },
    );
  }
  return value;
}

/**
 * The signature and preprocessing shipped inside a model folder by train: `signature.json`
 * (`{inputs, outputs}`) wins; otherwise `preprocessing.json` supplies both when it carries
 * `inputs`/`outputs` (or a nested `signature`).
 */
export async function readModelMetadata(
  source: ModelSource,
): Promise<Pick<VersionRecord, 'signature' | 'preprocessing'>> {
  const has = (name: string) =>
    source.kind === 'directory' && source.files.some((file) => file.path === name);
  let signature: VersionRecord['signature'] = null;
  let preprocessing: VersionRecord['preprocessing'] = null;
  if (has('preprocessing.json')) {
    preprocessing = await readJsonObject(join(source.path, 'preprocessing.json'), 'model');
  }
  if (has('signature.json')) {
    const value = await readJsonObject(join(source.path, 'signature.json'), 'model');
    if (!('inputs' in value) || !('outputs' in value)) {
      throw new UserError(`The model's signature.json must have "inputs" and "outputs".`, {
        input: 'model',
        file: join(source.path, 'signature.json'),
      });
    }
    signature = { inputs: value['inputs'], outputs: value['outputs'] };
  } else if (preprocessing !== null) {
    const nested = preprocessing['signature'];
    const holder =
      nested !== null && typeof nested === 'object' ? (nested as Record<string, unknown>) : preprocessing;
    if ('inputs' in holder && 'outputs' in holder)
      signature = { inputs: holder['inputs'], outputs: holder['outputs'] };
  }
  return { signature, preprocessing };
}
