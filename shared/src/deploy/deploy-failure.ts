/**
 * A deploy step that failed in a way that leaves production as it was (a version that did not
 * load, a server that did not come up, a webhook that did not accept): runDeploy reports it as
 * status `failure` rather than throwing.
 */
export class DeployFailure extends Error {
  /** The new version did serve for a while (a canary) and was taken back out. */
  readonly rolledBack: boolean;
  /** The version that serves again after the rollback, when there is one. */
  readonly restoredVersion: number | undefined;

  constructor(message: string, options: { rolledBack?: boolean; restoredVersion?: number } = {}) {
    super(message);
    this.name = 'DeployFailure';
    this.rolledBack = options.rolledBack ?? false;
    this.restoredVersion = options.restoredVersion;
  }
}
