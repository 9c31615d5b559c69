/** Where a message points: a file and, when known, a 1-based line and column (for annotations). */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/**
 * The one logging surface domain code sees. On a runner it becomes `::warning file=...::` lines
 * (with workflow commands stopped around untrusted text); in a terminal, plain lines or a
 * progress bar.
 */
export interface Log {
  info(message: string): void;
  warning(message: string, where?: SourceLocation): void;
  error(message: string, where?: SourceLocation): void;
  debug(message: string): void;
  /** Progress of a long step: `done` out of `total` units (rows, epochs, resamples). */
  progress(label: string, done: number, total: number): void;
}

/** Swallows everything: for library calls whose caller reports on its own. */
export const silentLog: Log = {
  info() {},
  warning() {},
  error() {},
  debug() {},
  progress() {},
};

/** Collects messages: handy in tests that assert on warnings. */
export function memoryLog(): Log & { lines: { level: string; message: string; where?: SourceLocation }[] } {
  const lines: { level: string; message: string; where?: SourceLocation }[] = [];
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    warning: (message, where) => lines.push({ level: 'warning', message, where }),
    error: (message, where) => lines.push({ level: 'error', message, where }),
    debug: (message) => lines.push({ level: 'debug', message }),
    progress: () => {},
  };
}
