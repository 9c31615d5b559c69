import { isAbsolute, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { sharedKeyApplies } from '../config/schema.js';
import { UserError } from '../errors/index.js';
import type { ActionName, ActionSpec } from './specs.generated.js';

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

interface Resolved {
  value: string;
  /** Where the value came from, for error messages. */
  origin: string;
}

/**
 * One place that turns raw strings into typed inputs, with the documented precedence:
 * an input set in the workflow or on the command line, then mlops.yml, then the action.yml default.
 * On a runner, defaults arrive already filled in, so a value equal to the default counts as unset.
 */
export class ActionInputs {
  readonly workingDirectory: string;

  constructor(
    private readonly action: ActionName,
    private readonly spec: ActionSpec,
    private readonly raw: (name: string) => string | undefined,
    private readonly config: LoadedConfig | undefined,
    baseDirectory: string,
  ) {
    const dir = this.resolveValue('working-directory').value || '.';
    this.workingDirectory = resolve(baseDirectory, dir);
  }

  private declared(name: string): void {
    if (!(name in this.spec.inputs)) throw new Error(`Bug: ${this.action} reads undeclared input '${name}'`);
  }

  private resolveValue(name: string): Resolved {
    const spec = this.spec.inputs[name];
    const fallback = spec?.default?.includes('${{') ? '' : (spec?.default ?? '');
    const given = this.raw(name);
    if (given !== undefined && given.trim() !== (spec?.default ?? '').trim()) {
      return { value: given.trim(), origin: `input '${name}'` };
    }
    const fromConfig = this.configValue(name);
    if (fromConfig !== undefined) return fromConfig;
    return { value: given?.trim() ?? fallback, origin: `input '${name}'` };
  }

  private configValue(name: string): Resolved | undefined {
    if (!this.config) return undefined;
    const { config, source, file } = this.config;
    const section = (config as Record<string, Record<string, unknown> | undefined>)[this.action];
    let value: unknown;
    let path: string[] = [];
    if (section && section[name] !== undefined) {
      value = section[name];
      path = [this.action, name];
    } else if (sharedKeyApplies(name, this.action)) {
      value = (config as Record<string, unknown>)[name];
      path = [name];
    }
    if (value === undefined) return undefined;
    const text = Array.isArray(value) ? value.map(String).join('\n') : String(value);
    return { value: text, origin: `'${path.join('.')}' in ${file}:${source.lineOf(path) ?? '?'}` };
  }

  /** The input as text, '' when unset. */
  string(name: string): string {
    this.declared(name);
    return this.resolveValue(name).value;
  }

  optional(name: string): string | undefined {
    const value = this.string(name);
    return value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === '')
      throw new UserError(`Input '${name}' is required: ${this.spec.inputs[name].description}`, {
        input: name,
      });
    return value;
  }

  boolean(name: string): boolean {
    this.declared(name);
    const { value, origin } = this.resolveValue(name);
    if (TRUE.includes(value)) return true;
    if (FALSE.includes(value) || value === '') return false;
    throw new UserError(`${capitalise(origin)} must be true or false; got '${value}'.`, { input: name });
  }

  number(
    name: string,
    rules: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
  ): number {
    this.declared(name);
    const { value, origin } = this.resolveValue(name);
    const parsed = value.trim() === '' ? Number.NaN : Number(value);
    const kind = rules.integer ? 'a whole number' : 'a number';
    const range = describeRange(rules);
    if (!Number.isFinite(parsed) || (rules.integer && !Number.isInteger(parsed))) {
      throw new UserError(`${capitalise(origin)} must be ${kind}${range}; got '${value}'.`, { input: name });
    }
    const tooLow = rules.min !== undefined && (rules.exclusiveMin ? parsed <= rules.min : parsed < rules.min);
    const tooHigh = rules.max !== undefined && parsed > rules.max;
    if (tooLow || tooHigh)
      throw new UserError(`${capitalise(origin)} must be ${kind}${range}; got '${value}'.`, { input: name });
    return parsed;
  }

  optionalNumber(
    name: string,
    rules: { min?: number; max?: number; integer?: boolean } = {},
  ): number | undefined {
    return this.string(name) === '' ? undefined : this.number(name, rules);
  }

  choice<const T extends string>(name: string, choices: readonly T[]): T {
    this.declared(name);
    const { value, origin } = this.resolveValue(name);
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new UserError(`${capitalise(origin)} must be one of ${choices.join(', ')}; got '${value}'.`, {
      input: name,
    });
  }

  /** Commas or newlines separate items; blanks are dropped. */
  list(name: string): string[] {
    return this.string(name)
      .split(/[,\n]/)
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  /** A path input resolved against the working directory, undefined when unset. */
  path(name: string): string | undefined {
    const value = this.optional(name);
    return value === undefined ? undefined : this.resolvePath(value);
  }

  resolvePath(value: string): string {
    return isAbsolute(value) ? value : resolve(this.workingDirectory, value);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeRange(rules: { min?: number; max?: number; exclusiveMin?: boolean }): string {
  if (rules.min !== undefined && rules.max !== undefined) return ` between ${rules.min} and ${rules.max}`;
  if (rules.min !== undefined)
    return rules.exclusiveMin ? ` above ${rules.min}` : ` of at least ${rules.min}`;
  if (rules.max !== undefined) return ` of at most ${rules.max}`;
  return '';
}
