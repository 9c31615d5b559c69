/**
 * Every action.yml says `using: node24`, which runners run from this release on. An older runner
 * refuses the action while loading it, before any of our code starts, so the only thing the code
 * itself can catch is a runner that starts it on a Node.js older than the bundle supports.
 */
export const MIN_RUNNER_VERSION = '2.327.1';

/** The oldest Node.js the bundle runs on (package.json `engines`). */
export const MIN_NODE_MAJOR = 20;

/** Why this Node.js cannot run the actions, or undefined when it can. */
export function runtimeProblem(nodeVersion: string = process.versions.node): string | undefined {
  const major = Number(nodeVersion.split('.')[0]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return (
    `The mlops actions need Node.js ${MIN_NODE_MAJOR} or newer (they declare node24, which GitHub's runner ` +
    `runs from v${MIN_RUNNER_VERSION}), but this runner started them with Node.js ${nodeVersion}. ` +
    `Update the self-hosted runner to v${MIN_RUNNER_VERSION} or later.`
  );
}
