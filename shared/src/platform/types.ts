import type { Log } from '../logging/index.js';

/** Facts about the run that the steps need, read once from the environment. */
export interface RunEnvironment {
  /** `owner/repo`, when known. */
  repository?: string;
  sha?: string;
  ref?: string;
  eventName?: string;
  /** The parsed event payload (GITHUB_EVENT_PATH), `{}` when there is none. */
  payload: Record<string, unknown>;
  /** Link to this workflow run, for reports. */
  runUrl?: string;
  actor?: string;
  serverUrl: string;
  apiUrl: string;
  workspace: string;
  tempDir: string;
  toolCache?: string;
}

/** Why a step failed, for machine-readable output (`mlops … --json`). */
export interface StepFailure {
  /** user-error: bad input to fix; gate: a check ran and failed; github-api: GitHub refused or failed; bug: ours. */
  kind: 'user-error' | 'gate' | 'github-api' | 'bug';
  message: string;
  /** The input the message is about, when known. */
  input?: string;
  location?: { file: string; line?: number; column?: number };
}

/**
 * Where a step runs: a GitHub runner (through @actions/core) or a terminal (CLI flags in, printed
 * outputs and files out). Action code talks to this and never to `@actions/*` directly.
 */
export interface Platform {
  readonly kind: 'github' | 'local';
  readonly log: Log;
  readonly env: RunEnvironment;
  /** The raw value the user gave for an input, or undefined when it was not given. */
  rawInput(name: string): string | undefined;
  /** Names of inputs the user gave that the step does not declare. */
  unknownInputs(declared: readonly string[]): string[];
  /** `json`: the value is JSON text (the CLI's --json output nests it instead of quoting it). */
  setOutput(name: string, value: string, json?: boolean): void;
  /** Masks a value in every later log line. */
  setSecret(value: string): void;
  appendSummary(markdown: string): Promise<void>;
  /** The token for the GitHub API, when there is one. */
  token(): string | undefined;
  /** Keeps a value for this step's post step (the runner's GITHUB_STATE); the CLI has no post step. */
  saveState(name: string, value: string): void;
  /** A value the main step saved, read in the post step. */
  state(name: string): string | undefined;
  /** Called once at the end, with the step's exit code and, when it failed, why. */
  finish(exitCode: number, failure?: StepFailure): Promise<void>;
}
