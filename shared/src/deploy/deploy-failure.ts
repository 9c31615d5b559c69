/**
 * A deploy step that failed in a way that leaves production as it was (a version that did not
 * load, a server that did not come up, a webhook that did not accept): runDeploy reports it as
 * status `failure` rather than throwing.
 */
export class DeployFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployFailure';
  }
}
