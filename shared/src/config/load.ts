import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { ACTION_NAMES, ACTION_SPECS } from '../actions/specs.generated.js';
import { UserError } from '../errors/index.js';
import { didYouMean } from '../text/nearest.js';
import { type MlopsConfig, mlopsConfigSchema, NOT_CONFIGURABLE, SHARED_KEYS } from './schema.js';
import { readYamlFile, type YamlSource } from './yaml-source.js';

export const DEFAULT_CONFIG_FILE = 'mlops.yml';

export interface LoadedConfig {
  file: string;
  config: MlopsConfig;
  source: YamlSource;
}

/**
 * Loads mlops.yml: the named file (an error if missing) or `mlops.yml` in the working directory
 * when present. Every problem is reported with the file, the line and the key.
 */
export function loadConfig(path: string | undefined, workingDirectory: string): LoadedConfig | undefined {
  // Spread on purpose: ncc's asset relocator rewrites resolve(dir, 'literal') into a bundle path.
  const file = resolve(...[workingDirectory, path || DEFAULT_CONFIG_FILE]);
  if (!path && !existsSync(file)) return undefined;
  const source = readYamlFile(file);
  if (source.value === null || source.value === undefined) return { file, config: {}, source };
  const parsed = mlopsConfigSchema.safeParse(source.value);
  if (!parsed.success) throw configError(parsed.error.issues[0], source);
  return { file, config: parsed.data, source };
}

function knownKeysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return ['version', 'metrics', 'features', 'search', ...SHARED_KEYS, ...ACTION_NAMES];
  if (path[0] === 'search') {
    if (path.length === 1)
      return ['metric', 'direction', 'strategy', 'budget', 'seed', 'halving', 'parameters'];
    if (path.length === 2 && path[1] === 'halving') return ['min-epochs', 'reduction-factor'];
    if (path.length === 3 && path[1] === 'parameters')
      return ['choices', 'int', 'float', 'log-uniform', 'steps'];
  }
  if (path.length === 1 && path[0] === 'features') return ['missing', 'on-invalid', 'types'];
  const section = String(path[0]);
  if (path.length === 1 && (ACTION_NAMES as readonly string[]).includes(section)) {
    const inputs = Object.keys(ACTION_SPECS[section as (typeof ACTION_NAMES)[number]].inputs);
    return [
      ...inputs.filter((name) => !NOT_CONFIGURABLE.has(name)),
      ...(section === 'drift-check' ? ['per-column'] : []),
    ];
  }
  if (section === 'metrics' && path.length === 2)
    return ['direction', 'min', 'max', 'tolerance', 'tolerance-pct'];
  if (section === 'drift-check' && path.length === 3) return ['method', 'threshold', 'ignore'];
  return [];
}

function configError(issue: z.core.$ZodIssue, source: YamlSource): UserError {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const keyPath = [...path, key];
    const line = source.keyLineOf(keyPath);
    const where = path.length > 0 ? ` in '${path.join('.')}'` : '';
    return new UserError(
      `${source.file}:${line ?? '?'}: unknown key '${key}'${where}.${didYouMean(key, knownKeysAt(path))}`,
      { file: source.file, line, input: keyPath.join('.') },
    );
  }
  const line = source.lineOf(path);
  return new UserError(
    `${source.file}:${line ?? '?'}: '${path.join('.') || '(top level)'}': ${issue.message}.`,
    {
      file: source.file,
      line,
      input: path.join('.'),
    },
  );
}
