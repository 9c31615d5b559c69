import { UserError } from '../errors/index.js';

/** DESIGN.md §7: model and alias names. ASCII only, so Unicode lookalikes never pass. */
export const NAME_PATTERN = /^[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$/;
/** Git refs, release asset names and path components all stay short with this bound. */
export const MAX_NAME_LENGTH = 100;
/** `latest` is computed (highest version), so it can never be stored as an alias. */
export const RESERVED_ALIASES = new Set(['latest']);

/** Why a candidate name fails NAME_PATTERN, in words a user can act on. */
function describeNameProblem(value: string): string {
  if (value.length === 0) return 'it is empty';
  if (value.length > MAX_NAME_LENGTH)
    return `it is ${value.length} characters long (at most ${MAX_NAME_LENGTH})`;
  const nonAscii = [...value].find((ch) => ch.codePointAt(0)! > 0x7e);
  if (nonAscii !== undefined) {
    const code = nonAscii.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `it contains the non-ASCII character U+${code} (lookalike letters are not accepted)`;
  }
  if (value.includes('/') || value.includes('\\')) return 'it contains a path separator';
  if (value.includes('..')) return "it contains '..'";
  if (/\s/.test(value)) return 'it contains whitespace';
  const bad = [...value].find((ch) => !/[a-zA-Z0-9_-]/.test(ch));
  if (bad !== undefined) return `it contains ${JSON.stringify(bad)}`;
  return 'it must start and end with a letter or digit';
}

function checkName(kind: string, value: unknown, input: string): string {
  if (typeof value !== 'string') {
    throw new UserError(`The ${kind} must be a string, got ${typeof value}.`, { input });
  }
  if (value.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(value)) {
    throw new UserError(
      `Invalid ${kind} ${JSON.stringify(value)}: ${describeNameProblem(value)}. ` +
        `Expected letters, digits, '-' or '_', starting and ending with a letter or digit (${NAME_PATTERN.source}).`,
      { input },
    );
  }
  return value;
}

/** A model name, safe to use as one path component, inside a git ref, and in an asset name. */
export function validateModelName(value: unknown, input = 'name'): string {
  return checkName('model name', value, input);
}

export function validateAliasName(value: unknown, input = 'alias'): string {
  const alias = checkName('alias', value, input);
  if (RESERVED_ALIASES.has(alias.toLowerCase())) {
    throw new UserError(
      `The alias ${JSON.stringify(alias)} is reserved: 'latest' always means the highest version and cannot be set.`,
      { input },
    );
  }
  return alias;
}

/** A version is an integer >= 1 without leading zeros, because it doubles as a TF Serving folder name. */
export const VERSION_PATTERN = /^[1-9][0-9]*$/;

export function parseVersion(value: string | number, input = 'version'): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!VERSION_PATTERN.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UserError(
      `Invalid model version ${JSON.stringify(text)}: expected an integer >= 1 without leading zeros.`,
      { input },
    );
  }
  return Number(text);
}

/** A reference to one version: `name/3`, `name@production` or `name@latest`. */
export type ModelReference =
  | { name: string; kind: 'version'; version: number }
  | { name: string; kind: 'alias'; alias: string }
  | { name: string; kind: 'latest' };

export function parseModelReference(value: string, input = 'model'): ModelReference {
  const text = value.trim();
  const at = text.indexOf('@');
  const slash = text.indexOf('/');
  if (at > 0 && slash === -1) {
    const name = validateModelName(text.slice(0, at), input);
    const alias = text.slice(at + 1);
    if (alias === 'latest') return { name, kind: 'latest' };
    return { name, kind: 'alias', alias: checkName('alias', alias, input) };
  }
  if (slash > 0 && at === -1 && text.indexOf('/', slash + 1) === -1) {
    const name = validateModelName(text.slice(0, slash), input);
    return { name, kind: 'version', version: parseVersion(text.slice(slash + 1), input) };
  }
  throw new UserError(
    `Invalid model reference ${JSON.stringify(text)}: expected 'name@alias', 'name@latest' or 'name/version' (e.g. 'churn@production', 'churn/3').`,
    { input },
  );
}

export function formatModelReference(ref: ModelReference): string {
  switch (ref.kind) {
    case 'version':
      return `${ref.name}/${ref.version}`;
    case 'alias':
      return `${ref.name}@${ref.alias}`;
    case 'latest':
      return `${ref.name}@latest`;
  }
}
