import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_PACKAGES } from '../../../shared/src/engines/index.js';
import { engineSourceVariable, resolveEngineDir, toolCacheDir } from '../../../shared/src/engines/locate.js';
import { loadTf, resetTfForTests } from '../../../shared/src/engines/tfjs.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { REPO_ROOT } from '../../harness/runner.js';

/** A local package tarball standing in for an engine that is absent here (tfjs-node-gpu). */
function packTarball(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-engine-pkg-'));
  const pkg = join(dir, 'pkg');
  mkdirSync(pkg);
  const { pkg: name, version } = ENGINE_PACKAGES['tfjs-node-gpu'];
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), 'module.exports = { installedFromTarball: true };\n');
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: pkg, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced nothing');
  return join(dir, tarball);
}

describe('engine resolution', () => {
  it('pins the same versions as package.json', async () => {
    const pkg = (await import('../../../package.json', { with: { type: 'json' } })).default as {
      dependencies: Record<string, string>;
      optionalDependencies: Record<string, string>;
    };
    for (const name of ['duckdb', 'onnxruntime', 'tfjs', 'tfjs-wasm', 'tfjs-node'] as const) {
      const { pkg: id, version } = ENGINE_PACKAGES[name];
      expect(pkg.dependencies[id] ?? pkg.optionalDependencies[id], id).toBe(version);
    }
  });

  it("finds an engine in the suite's own node_modules", async () => {
    expect(await resolveEngineDir('duckdb', { env: {} })).toBe(REPO_ROOT);
  });

  it('installs a missing engine once into RUNNER_TOOL_CACHE from a local tarball, then reuses it', async () => {
    const toolCache = mkdtempSync(join(tmpdir(), 'mlops-toolcache-'));
    const env = {
      ...process.env,
      RUNNER_TOOL_CACHE: toolCache,
      MLOPS_ENGINE_SOURCE_TFJS_NODE_GPU: packTarball(),
    };
    const dir = await resolveEngineDir('tfjs-node-gpu', { env });
    expect(dir).toBe(toolCacheDir('tfjs-node-gpu', env));
    expect(existsSync(join(dir, 'node_modules/@tensorflow/tfjs-node-gpu/index.js'))).toBe(true);
    expect(readdirSync(join(toolCache, 'mlops-engines/tfjs-node-gpu'))).toEqual([
      ENGINE_PACKAGES['tfjs-node-gpu'].version,
    ]);
    // A second resolution must not reinstall: a broken source would fail if it tried.
    const again = await resolveEngineDir('tfjs-node-gpu', {
      env: { ...env, MLOPS_ENGINE_SOURCE_TFJS_NODE_GPU: '/nonexistent.tgz' },
    });
    expect(again).toBe(dir);
  }, 60_000);

  it('says what to do when an engine is missing and cannot be installed', async () => {
    const error = await resolveEngineDir('tfjs-node-gpu', { env: {}, install: false }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(
      'npm install --prefix /opt/mlops-engines/tfjs-node-gpu @tensorflow/tfjs-node-gpu@4.22.0',
    );
    expect(error.message).toContain('MLOPS_ENGINE_SOURCE_TFJS_NODE_GPU=/opt/mlops-engines/tfjs-node-gpu');
  });

  it('a failed install leaves nothing half-written in the tool cache', async () => {
    const toolCache = mkdtempSync(join(tmpdir(), 'mlops-toolcache-'));
    const env = {
      ...process.env,
      RUNNER_TOOL_CACHE: toolCache,
      MLOPS_ENGINE_SOURCE_TFJS_NODE_GPU: '/nonexistent/engine.tgz',
    };
    await expect(resolveEngineDir('tfjs-node-gpu', { env })).rejects.toThrow(
      /neither a package tarball nor a folder/,
    );
    expect(existsSync(join(toolCache, 'mlops-engines'))).toBe(false);
    // A tarball npm cannot install fails the install, and leaves no staging folder behind.
    const broken = join(toolCache, 'broken.tgz');
    writeFileSync(broken, 'not a tarball');
    await expect(
      resolveEngineDir('tfjs-node-gpu', { env: { ...env, MLOPS_ENGINE_SOURCE_TFJS_NODE_GPU: broken } }),
    ).rejects.toThrow(/exit code/);
    expect(readdirSync(join(toolCache, 'mlops-engines/tfjs-node-gpu'))).toEqual([]);
  }, 60_000);

  it('uses the fastest backend installed here: tfjs-node when it is installed, else wasm', async () => {
    resetTfForTests();
    const loaded = await loadTf('auto');
    const nodeInstalled = existsSync(join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-node/package.json'));
    expect(loaded.backend).toBe(nodeInstalled ? 'tensorflow' : 'wasm');
    const sum = loaded.tf.tidy(() => loaded.tf.tensor1d([1, 2, 3]).sum().dataSync()[0]);
    expect(sum).toBe(6);
  });

  it('falls back from tfjs-node to the wasm backend when tfjs-node cannot load, and says why', async () => {
    // Whether or not tfjs-node is installed here, a source folder that does not hold the pinned
    // engine makes it (and tfjs-node-gpu) fail to load, so the fallback is always exercised.
    const empty = mkdtempSync(join(tmpdir(), 'mlops-no-tfjs-node-'));
    const variables = [engineSourceVariable('tfjs-node'), engineSourceVariable('tfjs-node-gpu')];
    const saved = variables.map((v) => process.env[v]);
    for (const v of variables) process.env[v] = empty;
    resetTfForTests();
    try {
      const loaded = await loadTf('auto');
      expect(loaded.backend).toBe('wasm');
      expect(loaded.notes).toHaveLength(2);
      expect(loaded.notes[0]).toMatch(
        /^gpu: MLOPS_ENGINE_SOURCE_TFJS_NODE_GPU names .*not the pinned engine/,
      );
      expect(loaded.notes[1]).toMatch(/^node: MLOPS_ENGINE_SOURCE_TFJS_NODE names .*not the pinned engine/);
      const sum = loaded.tf.tidy(() => loaded.tf.tensor1d([1, 2, 3]).sum().dataSync()[0]);
      expect(sum).toBe(6);
    } finally {
      variables.forEach((v, i) => {
        if (saved[i] === undefined) delete process.env[v];
        else process.env[v] = saved[i];
      });
      resetTfForTests();
    }
  });
});
