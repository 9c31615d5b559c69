import type { Log } from '../logging/index.js';
import type { VersionRecord } from '../registry/record.js';

/** One version to put in place: its verified files and its record. */
export interface DeployRequest {
  name: string;
  version: number;
  /** A local folder (or single file) holding the version's sha256-verified files. */
  path: string;
  record: VersionRecord;
  environment: string;
  /** The version the environment's alias points to now, when known from the registry. */
  previousVersion?: number;
  log: Log;
}

export interface DeployOutcome {
  /** Where the model is served or delivered (the deployment's environment_url). */
  url: string;
  /** A TF Serving-compatible root URL the smoke test can call, when the target has one. */
  serverUrl?: string;
  /** The version that was serving before, when the target knows it. */
  previousVersion?: number;
  /** A manifest the target wrote (kserve). */
  manifestPath?: string;
  /** Notes for the summary (e.g. "started a new server", "hot-swapped"). */
  notes: string[];
}

export interface StagedVersion {
  /** A TF Serving-compatible root URL serving the staged version at `/versions/<n>`. */
  serverUrl: string;
  /** For the summary. */
  note: string;
}

/** A deploy target puts a version in place and can take it back out. */
export interface DeployTarget {
  readonly kind: 'local-server' | 'tfserving-dir' | 'webhook' | 'kserve';
  /**
   * Throws a UserError when the version cannot go to this target at all (e.g. a format it cannot
   * serve); called before a GitHub Deployment is recorded or anything changes.
   */
  check?(record: VersionRecord, environment: string): void;
  /**
   * Loads the version beside the one serving, taking no traffic, so it can be smoke-tested before
   * any client reaches it; returns where to test it (its `/versions/<n>` there), or undefined when
   * there is nothing to load it beside (then `deploy` puts it in place and the test follows). A
   * later `deploy` of the same request moves the staged version in without reloading it.
   */
  stage?(request: DeployRequest): Promise<StagedVersion | undefined>;
  /** Unloads what `stage` loaded; returns a sentence saying what it did. */
  unstage?(): Promise<string>;
  deploy(request: DeployRequest): Promise<DeployOutcome>;
  /**
   * Returns to what served before the last `deploy` (or stops serving when nothing did); returns a
   * sentence saying what it did.
   */
  rollback(): Promise<string>;
  /**
   * Called once the deploy has decided to keep what `deploy` put in place (whatever the alias
   * then does): a target that holds something on probation releases it here.
   */
  confirm?(): Promise<void>;
}
