// Types of release.mjs (a plain Node script, run by the release workflow without a build step).
export function majorTag(version: string): string;
export function changelogSection(changelog: string, version: string): string | undefined;
export function releaseProblems(facts: {
  version: string;
  packageVersion: string;
  changelog: string;
  tags: string[];
}): string[];
export function distDifferences(repoRoot?: string): string[];
