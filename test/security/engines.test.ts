/**
 * Native engines run inside the action next to its token, so where they are loaded from is a
 * security boundary: planted `node_modules` in the workspace or above it, a fake version, a
 * tool-cache folder the action did not install, a tampered lockfile or tarball are all refused,
 * and the installer runs without the job's secrets and gives up quickly on an unreachable registry.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_PACKAGES } from '../../shared/src/engines/index.js';
import {
  engineLockfile,
  installerEnv,
  resolveEngineDir,
  suiteLockfile,
  suiteRoot,
  toolCacheDir,
} from '../../shared/src/engines/locate.js';
import { UserError } from '../../shared/src/errors/index.js';
import { REPO_ROOT } from '../harness/runner.js';

/** A copy of the suite's manifest and lockfile without node_modules, like the action's checkout on a runner. */
function bareSuite(
  mutateLock?: (lock: { packages: Record<string, { integrity?: string }> }) => void,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-suite-'));
  copyFileSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8'));
  mutateLock?.(lock);
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
  return dir;
}

/** A package whose code, if it ever runs, writes `marker` (with the token it can see). */
function plantPackage(root: string, pkg: string, version: string, marker: string): void {
  const dir = join(root, 'node_modules', ...pkg.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: pkg, version, main: 'index.js' }));
  writeFileSync(
    join(dir, 'index.js'),
    `require('fs').appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(pkg)} + ' ' + (process.env['INPUT_GITHUB-TOKEN'] || '') + '\\n');\nmodule.exports = {};\n`,
  );
}

function packTarball(pkg: string, version: string, scripts: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-engine-pkg-'));
  const src = join(dir, 'pkg');
  mkdirSync(src);
  writeFileSync(join(src, 'package.json'), JSON.stringify({ name: pkg, version, main: 'index.js', scripts }));
  writeFileSync(join(src, 'index.js'), 'module.exports = { fromTarball: true };\n');
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: src, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced nothing');
  return join(dir, tarball);
}

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

describe('where engines are loaded from', () => {
  it("the suite's root is this repository, found from the module's own folder", () => {
    expect(suiteRoot()).toBe(REPO_ROOT);
    // A folder whose nearest package.json is someone else's is not the suite.
    const other = mkdtempSync(join(tmpdir(), 'mlops-other-'));
    writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'mlops-actions-fork' }));
    mkdirSync(join(other, 'dist'));
    expect(suiteRoot(join(other, 'dist'))).toBeUndefined();
  });

  it('never loads node_modules planted in the working directory or its parents', () => {
    const parent = mkdtempSync(join(tmpdir(), 'mlops-work-'));
    const workspace = join(parent, 'repo');
    mkdirSync(workspace);
    const marker = join(parent, 'planted-ran');
    const { pkg, version } = ENGINE_PACKAGES.duckdb;
    plantPackage(workspace, pkg, version, marker);
    plantPackage(parent, pkg, version, marker);
    const suite = bareSuite();
    const script = `
      import { resolveEngineDir } from ${JSON.stringify(join(REPO_ROOT, 'shared/src/engines/locate.ts'))};
      try {
        const dir = await resolveEngineDir('duckdb', { suite: ${JSON.stringify(suite)}, install: false, env: {} });
        console.log('resolved ' + dir);
      } catch (error) { console.log('refused ' + error.message); }`;
    const file = join(mkdtempSync(join(tmpdir(), 'mlops-script-')), 'resolve.mts');
    writeFileSync(file, script);
    const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs')).href;
    const out = execFileSync(process.execPath, ['--import', tsx, file], {
      cwd: workspace,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(out).toMatch(/^refused The duckdb engine .* is not installed/m);
    expect(out).toContain('MLOPS_ENGINE_SOURCE_DUCKDB');
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a fake version in the suite's own node_modules", async () => {
    const suite = bareSuite();
    plantPackage(suite, '@duckdb/node-api', '1.0.0', join(suite, 'ran'));
    const error = await resolveEngineDir('duckdb', { suite, env: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('@duckdb/node-api@1.0.0, not the pinned @duckdb/node-api@1.5.6-r.1');
  });

  it('refuses a tool-cache folder the action did not install, or one stamped with another integrity', async () => {
    const suite = bareSuite();
    const toolCache = mkdtempSync(join(tmpdir(), 'mlops-toolcache-'));
    const dir = toolCacheDir('duckdb', { RUNNER_TOOL_CACHE: toolCache }) as string;
    plantPackage(dir, '@duckdb/node-api', '1.5.6-r.1', join(toolCache, 'ran'));
    const unstamped = await resolveEngineDir('duckdb', {
      suite,
      env: { RUNNER_TOOL_CACHE: toolCache },
    }).catch((e) => e);
    expect(unstamped.message).toMatch(/has no \.mlops-engine\.json/);
    writeFileSync(join(dir, '.mlops-engine.json'), JSON.stringify({ integrity: 'sha512-forged' }));
    const forged = await resolveEngineDir('duckdb', { suite, env: { RUNNER_TOOL_CACHE: toolCache } }).catch(
      (e) => e,
    );
    expect(forged.message).toMatch(/integrity \(sha512-forged\) is not the lockfile's/);
  });

  it('loads from an explicit MLOPS_ENGINE_SOURCE_<ENGINE> folder only when it holds the pinned version', async () => {
    const suite = bareSuite();
    const good = mkdtempSync(join(tmpdir(), 'mlops-engine-dir-'));
    plantPackage(good, '@duckdb/node-api', '1.5.6-r.1', join(good, 'ran'));
    expect(await resolveEngineDir('duckdb', { suite, env: { MLOPS_ENGINE_SOURCE_DUCKDB: good } })).toBe(good);
    const bad = mkdtempSync(join(tmpdir(), 'mlops-engine-dir-'));
    plantPackage(bad, '@duckdb/node-api', '1.0.0', join(bad, 'ran'));
    await expect(
      resolveEngineDir('duckdb', { suite, env: { MLOPS_ENGINE_SOURCE_DUCKDB: bad } }),
    ).rejects.toThrow(/MLOPS_ENGINE_SOURCE_DUCKDB names .* not the pinned engine/);
  });
});

describe('installing an engine', () => {
  it("writes an install plan from the suite's lockfile: the engine and its dependencies with their integrity", () => {
    const lock = suiteLockfile(REPO_ROOT);
    if (!lock) throw new Error('no lockfile');
    const { lockfile } = engineLockfile('duckdb', lock);
    expect(Object.keys(lockfile.packages).sort()).toEqual(
      [
        '',
        'node_modules/@duckdb/node-api',
        'node_modules/@duckdb/node-bindings',
        ...Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/@duckdb/node-bindings-')),
        'node_modules/detect-libc',
      ].sort(),
    );
    for (const [path, entry] of Object.entries(lockfile.packages))
      if (path !== '') expect(entry.integrity, path).toBe(lock.packages[path].integrity);
  });

  it('refuses to install from a lockfile whose integrity does not match what the registry serves', async () => {
    const suite = bareSuite((lock) => {
      lock.packages['node_modules/detect-libc'].integrity =
        `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
    });
    const toolCache = mkdtempSync(join(tmpdir(), 'mlops-toolcache-'));
    const error = await resolveEngineDir('duckdb', {
      suite,
      env: { ...process.env, RUNNER_TOOL_CACHE: toolCache },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/EINTEGRITY|integrity/);
    expect(readdirSync(join(toolCache, 'mlops-engines/duckdb'))).toEqual([]);
  }, 120_000);

  it('refuses a tarball override whose integrity is not the lockfile’s', async () => {
    const suite = bareSuite();
    const toolCache = mkdtempSync(join(tmpdir(), 'mlops-toolcache-'));
    const fake = packTarball('@duckdb/node-api', '1.5.6-r.1');
    const error = await resolveEngineDir('duckdb', {
      suite,
      env: { ...process.env, RUNNER_TOOL_CACHE: toolCache, MLOPS_ENGINE_SOURCE_DUCKDB: fake },
    }).catch((e) => e);
    expect(error.message).toMatch(/integrity .* is not the lockfile's for @duckdb\/node-api/);
    expect(existsSync(join(toolCache, 'mlops-engines'))).toBe(false);
  });

  it("runs the installer without the job's secrets, with its proxy and CA settings", async () => {
    const suite = bareSuite();
    const toolCache = mkdtempSync(join(tmpdir(), 'mlops-toolcache-'));
    const seen = join(toolCache, 'install-env.json');
    const tarball = packTarball(
      ENGINE_PACKAGES['tfjs-node-gpu'].pkg,
      ENGINE_PACKAGES['tfjs-node-gpu'].version,
      {
        install: `node -e "require('fs').writeFileSync(${JSON.stringify(seen).replace(/"/g, '\\"')}, JSON.stringify(process.env))"`,
      },
    );
    const secrets = {
      'INPUT_GITHUB-TOKEN': 'ghs_inputToken',
      GITHUB_TOKEN: 'ghs_envToken',
      ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret',
      'INPUT_WEBHOOK-SECRET': 'whsec_x',
    };
    await resolveEngineDir('tfjs-node-gpu', {
      suite,
      env: {
        ...process.env,
        ...secrets,
        RUNNER_TOOL_CACHE: toolCache,
        MLOPS_ENGINE_SOURCE_TFJS_NODE_GPU: tarball,
        NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt',
        npm_config_https_proxy: 'http://127.0.0.1:9',
        HTTPS_PROXY: 'http://127.0.0.1:9',
      },
    });
    const env = JSON.parse(readFileSync(seen, 'utf8')) as Record<string, string>;
    const text = JSON.stringify(env);
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/certs/ca-certificates.crt');
    expect(env.HTTPS_PROXY).toBe('http://127.0.0.1:9');
    expect(env.npm_config_https_proxy).toBe('http://127.0.0.1:9');
    expect(installerEnv({ GITHUB_TOKEN: 'x', INPUT_A: 'y', PATH: '/bin' })).toMatchObject({ PATH: '/bin' });
    expect(installerEnv({ GITHUB_TOKEN: 'x', INPUT_A: 'y' })).not.toHaveProperty('GITHUB_TOKEN');
  }, 60_000);

  it('gives up within 15 s on a registry that never answers, naming the offline override', async () => {
    // A registry that accepts connections and never answers: the worst case, a silent firewall.
    const server = createServer(() => {});
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as { port: number }).port;
    const suite = bareSuite();
    const toolCache = mkdtempSync(join(tmpdir(), 'mlops-toolcache-'));
    const started = Date.now();
    const error = await resolveEngineDir('duckdb', {
      suite,
      env: {
        PATH: process.env.PATH,
        HOME: mkdtempSync(join(tmpdir(), 'mlops-home-')),
        RUNNER_TOOL_CACHE: toolCache,
        npm_config_registry: `http://127.0.0.1:${port}/`,
      },
    }).catch((e) => e);
    const seconds = (Date.now() - started) / 1000;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/registry is unreachable/);
    expect(error.message).toContain('MLOPS_ENGINE_SOURCE_DUCKDB=');
    expect(error.message).toContain('npm install --prefix');
    expect(seconds).toBeLessThan(15);
    expect(readdirSync(join(toolCache, 'mlops-engines/duckdb'))).toEqual([]);
  }, 30_000);
});
