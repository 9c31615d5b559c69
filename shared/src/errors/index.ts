/**
 * Errors the user can fix (bad input, missing file, invalid config) are `UserError`s: the action
 * prints their message as one `::error::` line and exits 1 without a stack trace. Anything else is
 * a bug and keeps its stack.
 */
export class UserError extends Error {
  /** Where the problem is, when known: a file and optionally a 1-based line and column. */
  readonly location?: { file: string; line?: number; column?: number };
  /** The input or config key the message is about, when there is one. */
  readonly input?: string;

  constructor(
    message: string,
    options: { file?: string; line?: number; column?: number; input?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    if (options.file !== undefined) {
      this.location = { file: options.file, line: options.line, column: options.column };
    }
    this.input = options.input;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** A check the step ran and that failed (a gate, a regression, drift): exit 1, but not an error in our code. */
export class GateFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateFailure';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
