/**
 * The conventions of a published action suite: licence, changelog, release workflow and its
 * checks, one pinning policy, the minimum runner version, and JSON outputs declared once.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isJsonOutput } from '../../shared/src/actions/json-outputs.js';
import { ACTION_NAMES, ACTION_SPECS } from '../../shared/src/actions/specs.generated.js';
import { MIN_RUNNER_VERSION, runtimeProblem } from '../../shared/src/platform/runtime.js';
import { changelogSection, majorTag, releaseProblems } from '../../shared/tools/release.mjs';
import { REPO_ROOT } from '../harness/runner.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const packageJson = JSON.parse(read('package.json'));

describe('licence and changelog', () => {
  it('LICENSE is the MIT licence package.json declares', () => {
    expect(packageJson.license).toBe('MIT');
    const licence = read('LICENSE');
    expect(licence.split('\n')[0]).toBe('MIT License');
    expect(licence).toContain('Permission is hereby granted, free of charge');
    expect(licence).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('CHANGELOG.md keeps an Unreleased section, and every released section is a version with a date', () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog).toMatch(/^# Changelog$/m);
    expect(changelogSection(changelog, 'Unreleased')?.length ?? 0).toBeGreaterThan(0);
    for (const heading of changelog.split('\n').filter((line) => line.startsWith('## ')))
      expect(heading).toMatch(/^## \[(Unreleased|\d+\.\d+\.\d+)\]( - \d{4}-\d{2}-\d{2})?$/);
  });
});

describe('release', () => {
  const workflow = parse(read('.github/workflows/release.yml'));
  const steps: { name?: string; uses?: string; run?: string; env?: Record<string, string> }[] =
    workflow.jobs.release.steps;
  const index = (pattern: RegExp) => steps.findIndex((step) => pattern.test(step.run ?? ''));

  it('checks the version and that dist/ matches the source, and runs the tests, before it tags', () => {
    const tagging = index(/git push origin "refs\/tags\/v\$VERSION"/);
    expect(tagging).toBeGreaterThan(0);
    for (const check of [/release\.mjs check "\$VERSION"/, /release\.mjs verify-dist/, /^npm test$/])
      expect(index(check), String(check)).toBeGreaterThanOrEqual(0);
    for (const check of [/release\.mjs check/, /release\.mjs verify-dist/, /^npm test$/])
      expect(index(check), String(check)).toBeLessThan(tagging);
    // The major tag follows the release, and nothing else is force-pushed.
    const script = steps[tagging].run ?? '';
    expect(script).toContain('MAJOR="v${VERSION%%.*}"');
    expect(script).toContain('git push --force origin "refs/tags/$MAJOR"');
    expect(script.match(/--force/g)).toHaveLength(1);
    // The dispatch input reaches scripts through env only, never pasted into the script text.
    for (const step of steps) expect(step.run ?? '').not.toContain('${{');
    expect(workflow.on.workflow_dispatch.inputs.version.required).toBe(true);
    expect(workflow.permissions).toEqual({ contents: 'write' });
  });

  it('refuses a malformed, unprepared or already tagged version', () => {
    const changelog =
      '# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-12-07\n\n- Added things.\n\n## [1.1.0]\n';
    const facts = { version: '1.2.0', packageVersion: '1.2.0', changelog, tags: ['v1.1.0', 'v1'] };
    expect(releaseProblems(facts)).toEqual([]);
    expect(releaseProblems({ ...facts, version: 'v1.2.0' })[0]).toMatch(/not a version like 1\.2\.3/);
    expect(releaseProblems({ ...facts, version: '1.2' })[0]).toMatch(/not a version/);
    expect(releaseProblems({ ...facts, packageVersion: '1.1.0' })).toEqual([
      'package.json says version 1.1.0; set it to 1.2.0 in the release commit.',
    ]);
    expect(releaseProblems({ ...facts, version: '1.3.0', packageVersion: '1.3.0' })).toEqual([
      "CHANGELOG.md has no '## [1.3.0]' section; move the Unreleased notes under it.",
    ]);
    expect(releaseProblems({ ...facts, version: '1.1.0', packageVersion: '1.1.0' })).toEqual([
      "CHANGELOG.md's section for 1.1.0 is empty.",
      'The tag v1.1.0 exists already: a release is never re-tagged.',
    ]);
    expect(changelogSection(changelog, '1.2.0')).toBe('- Added things.');
    expect(majorTag('1.2.0')).toBe('v1');
    expect(majorTag('2.0.0')).toBe('v2');
  });

  it('`release.mjs check` runs against this repository and explains what is missing', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, ['shared/tools/release.mjs', 'check', '9.9.9'], {
        cwd: REPO_ROOT,
        stdio: 'pipe',
      });
    } catch (error) {
      failure = {
        status: (error as { status: number }).status,
        stderr: String((error as { stderr: Buffer }).stderr),
      };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain(`package.json says version ${packageJson.version}`);
    expect(failure?.stderr).toContain("CHANGELOG.md has no '## [9.9.9]' section");
  });

  it('docs/releasing.md describes the workflow it documents', () => {
    const doc = read('docs/releasing.md');
    expect(doc).toContain('.github/workflows/release.yml');
    expect(doc).toContain('release.mjs verify-dist');
    expect(doc).toContain(`v${MIN_RUNNER_VERSION}`);
  });
});

describe('pinning', () => {
  const folders = ['workflows-examples', 'docs/examples', '.github/workflows'];
  const uses = folders.flatMap((folder) =>
    readdirSync(join(REPO_ROOT, folder)).flatMap((file) =>
      read(`${folder}/${file}`)
        .split('\n')
        .filter((line) => /^\s*(- )?uses: /.test(line))
        .map((line) => ({ file: `${folder}/${file}`, line: line.trim().replace(/^- /, '') })),
    ),
  );

  it('third-party actions by commit SHA with the version in a comment; the suite by its major tag', () => {
    expect(uses.length).toBeGreaterThan(10);
    for (const { file, line } of uses) {
      if (line.includes('octo-org/mlops-actions')) expect(line, file).toMatch(/@v1$/);
      else expect(line, file).toMatch(/^uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it('SECURITY.md explains the choice and how to pin the suite by SHA instead', () => {
    const security = read('SECURITY.md');
    expect(security).toMatch(/Pinning\. The examples pin every third-party action by full commit SHA/);
    expect(security).toContain('reference this suite by its major tag (`@v1`)');
    expect(security).toContain('pin the suite by SHA as well');
  });
});

describe('runner version', () => {
  it('every action runs on node24, whose minimum runner version is documented', () => {
    for (const name of ACTION_NAMES)
      expect(read(`actions/${name}/action.yml`)).toMatch(/^ {2}using: "node24"$/m);
    expect(read('README.md')).toContain(`v${MIN_RUNNER_VERSION}`);
  });

  it('a runner that starts the actions on an older Node.js gets one clear message; 20 and newer run', () => {
    expect(runtimeProblem('16.20.2')).toBe(
      `The mlops actions need Node.js 20 or newer (they declare node24, which GitHub's runner runs from v${MIN_RUNNER_VERSION}), but this runner started them with Node.js 16.20.2. Update the self-hosted runner to v${MIN_RUNNER_VERSION} or later.`,
    );
    expect(runtimeProblem('20.19.0')).toBeUndefined();
    expect(runtimeProblem('24.4.1')).toBeUndefined();
    expect(runtimeProblem(process.versions.node)).toBeUndefined();
  });
});

describe('JSON outputs', () => {
  it('exactly the outputs documented "as JSON" are nested by the CLI', () => {
    for (const name of ACTION_NAMES) {
      for (const [output, spec] of Object.entries(ACTION_SPECS[name].outputs))
        expect(isJsonOutput(name, output), `${name}.${output}`).toBe(/\bas JSON\b/.test(spec.description));
    }
  });
});
