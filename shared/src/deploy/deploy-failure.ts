/**
 * A deploy step that failed in a way that leaves production as it was (a version that did not
 * load, a server that did not come up, a webhook that did not accept): runDeploy reports it as
 * status `failure` rather than throwing.
 */
export class DeployFailure extends Error {
  /** The new version did serve for a while (a canary) and was taken back out. */
  readonly rolledBack: boolean;

  constructor(message: string, options: { rolledBack?: boolean } = {}) {
    super(message);
    this.name = 'DeployFailure';
    this.rolledBack = options.rolledBack ?? false;
  }
}
