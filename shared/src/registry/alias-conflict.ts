import { UserError } from '../errors/index.js';

/** The alias moved since the caller looked: compare-and-swap refused. */
export class AliasConflictError extends UserError {
  constructor(
    readonly model: string,
    readonly alias: string,
    readonly expected: number | null,
    readonly actual: number | null,
  ) {
    super(
      `Alias '${alias}' of model '${model}' points to ${actual === null ? 'nothing' : `version ${actual}`}, ` +
        `expected ${expected === null ? 'no alias' : `version ${expected}`}: someone moved it meanwhile; look again and retry.`,
      { input: 'alias' },
    );
    this.name = 'AliasConflictError';
  }
}
