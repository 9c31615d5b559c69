// Release checks, run by .github/workflows/release.yml (docs/releasing.md):
//   node shared/tools/release.mjs check <version>   the version is new, well-formed, in package.json and CHANGELOG.md
//   node shared/tools/release.mjs verify-dist       dist/ is exactly what the source builds to
//   node shared/tools/release.mjs notes <version>   the CHANGELOG.md section of that version
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** `v1` for 1.4.2: the tag users write in `uses: …@v1`, moved to every release of that major. */
export function majorTag(version) {
  return `v${version.split('.')[0]}`;
}

/** The body of `## [<version>] …` in a Keep a Changelog file, or undefined. */
export function changelogSection(changelog, version) {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`## [${version}]`));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
}

/** Problems that stop a release of `version`; empty when it may go ahead. */
export function releaseProblems({ version, packageVersion, changelog, tags }) {
  if (!VERSION.test(version)) return [`'${version}' is not a version like 1.2.3 (no v, no suffix).`];
  const problems = [];
  if (packageVersion !== version)
    problems.push(`package.json says version ${packageVersion}; set it to ${version} in the release commit.`);
  const notes = changelogSection(changelog, version);
  if (notes === undefined)
    problems.push(`CHANGELOG.md has no '## [${version}]' section; move the Unreleased notes under it.`);
  else if (notes === '') problems.push(`CHANGELOG.md's section for ${version} is empty.`);
  if (tags.includes(`v${version}`))
    problems.push(`The tag v${version} exists already: a release is never re-tagged.`);
  return problems;
}

/** Files of dist/ that differ from a fresh build of the source (added, missing or changed). */
export function distDifferences(repoRoot = root) {
  const out = mkdtempSync(join(tmpdir(), 'mlops-release-dist-'));
  try {
    execFileSync(process.execPath, [join(repoRoot, 'shared/tools/build.mjs'), out], {
      cwd: repoRoot,
      stdio: 'pipe',
    });
    const committed = readdirSync(join(repoRoot, 'dist')).sort();
    const fresh = readdirSync(out).sort();
    const differences = [];
    for (const file of fresh) if (!committed.includes(file)) differences.push(`dist/${file}: missing`);
    for (const file of committed) {
      if (!fresh.includes(file)) differences.push(`dist/${file}: not built from the source`);
      else if (!readFileSync(join(out, file)).equals(readFileSync(join(repoRoot, 'dist', file))))
        differences.push(`dist/${file}: differs from a fresh build`);
    }
    return differences;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function main([command, version]) {
  if (command === 'check') {
    const problems = releaseProblems({
      version: version ?? '',
      packageVersion: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
      changelog: readFileSync(join(root, 'CHANGELOG.md'), 'utf8'),
      tags: execFileSync('git', ['tag', '--list'], { cwd: root, encoding: 'utf8' }).split('\n'),
    });
    for (const problem of problems) console.error(`error: ${problem}`);
    if (problems.length === 0)
      console.log(`v${version} may be released; ${majorTag(version)} will follow it.`);
    return problems.length === 0 ? 0 : 1;
  }
  if (command === 'verify-dist') {
    const differences = distDifferences();
    for (const difference of differences) console.error(`error: ${difference}`);
    if (differences.length > 0) console.error('Run `npm run build` and commit dist/ before releasing.');
    else console.log('dist/ matches the source.');
    return differences.length === 0 ? 0 : 1;
  }
  if (command === 'notes') {
    const notes = changelogSection(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version ?? '');
    if (notes === undefined) {
      console.error(`error: CHANGELOG.md has no section for ${version}.`);
      return 1;
    }
    console.log(notes);
    return 0;
  }
  console.error('usage: release.mjs check <version> | verify-dist | notes <version>');
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
