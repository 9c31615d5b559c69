/**
 * Where a reference lands (DESIGN.md §7): `name/3` is that version, `name@latest` the highest one,
 * `name@alias` the version the alias points to. At register an alias moves only forward: a
 * version older than the one the alias points to leaves it there, and says so.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { parseModelReference, parseVersion } from '../../../shared/src/registry/names.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { resolveModel, resolveVersionNumber } from '../../../shared/src/registry/resolve.js';
import { tempDir, writeModelFolder } from './helpers.js';

let work: string;
let registryRoot: string;
const base = () => ({ backend: 'local' as const, registry: '.mlops/registry', workingDirectory: work });

beforeEach(async () => {
  work = await tempDir();
  registryRoot = join(work, '.mlops/registry');
  for (const seed of [1, 2, 3]) await writeModelFolder(join(work, `model${seed}`), seed);
});

async function register(seed: number, alias?: string) {
  const log = memoryLog();
  const result = await runRegister(
    { ...base(), model: `model${seed}`, name: 'm', ...(alias ? { alias } : {}) },
    { log },
  );
  return {
    version: result.version,
    lines: log.lines.map((l) => l.message).filter((m) => m.startsWith('Alias')),
  };
}

describe('an alias moves only forward at register', () => {
  it('new, then forward; an older version (registered again) leaves it; the same version says it already points there', async () => {
    expect(await register(1, 'prod')).toEqual({ version: 1, lines: ['Alias prod of m: new -> version 1'] });
    expect(await register(2, 'prod')).toEqual({
      version: 2,
      lines: ['Alias prod of m: version 1 -> version 2'],
    });
    // Same files as version 1: nothing new is stored, and the alias stays at the newer version 2.
    expect(await register(1, 'prod')).toEqual({
      version: 1,
      lines: [
        'Alias prod of m stays at version 2: it is newer than version 1 (registered meanwhile); an alias moves only forward here.',
      ],
    });
    expect(await register(2, 'prod')).toEqual({
      version: 2,
      lines: ['Alias prod of m already points to version 2.'],
    });
    const registry = new LocalRegistry(registryRoot);
    expect((await registry.listAliases('m'))['prod']?.version).toBe(2);
    // One move event per move: the two that left the alias where it was wrote nothing.
    const moves = (await registry.readEvents('m')).filter((event) => event.type === 'alias');
    expect(moves.map((event) => [event.previous, event.version])).toEqual([
      [null, 1],
      [1, 2],
    ]);
  });

  it('the move records the run that made it, trimmed, or null without one', async () => {
    const log = memoryLog();
    await runRegister(
      { ...base(), model: 'model1', name: 'm', alias: 'prod', runUrl: ' https://ci.example/run/1 ' },
      { log },
    );
    await runRegister({ ...base(), model: 'model2', name: 'm', alias: 'prod', runUrl: '  ' }, { log });
    const moves = (await new LocalRegistry(registryRoot).readEvents('m')).filter((e) => e.type === 'alias');
    expect(moves.map((event) => event.run_url)).toEqual(['https://ci.example/run/1', null]);
  });

  it('without an alias nothing moves', async () => {
    expect(await register(1)).toEqual({ version: 1, lines: [] });
    expect(await new LocalRegistry(registryRoot).listAliases('m')).toEqual({});
  });
});

describe('resolving a reference', () => {
  beforeEach(async () => {
    await register(1, 'prod');
    await register(2);
    await register(3, 'staging');
  });

  it('latest is the highest version; an alias its version; a version itself', async () => {
    const registry = new LocalRegistry(registryRoot);
    const number = (text: string) => resolveVersionNumber(registry, parseModelReference(text));
    expect(await number('m@latest')).toBe(3);
    expect(await number('m@prod')).toBe(1);
    expect(await number('m@staging')).toBe(3);
    expect(await number('m/2')).toBe(2);
  });

  it('the resolved model names the alias it went through, and only then', async () => {
    const registry = new LocalRegistry(registryRoot);
    const viaAlias = await resolveModel(registry, 'm@prod', { cacheDir: join(work, 'cache') });
    expect(viaAlias.record.version).toBe(1);
    expect(viaAlias.alias).toBe('prod');
    const direct = await resolveModel(registry, 'm/2', { cacheDir: join(work, 'cache') });
    expect(direct.record.version).toBe(2);
    expect('alias' in direct).toBe(false);
    expect('alias' in (await resolveModel(registry, 'm@latest', { cacheDir: join(work, 'cache') }))).toBe(
      false,
    );
  });

  it('an unknown alias lists the known ones, sorted, or says there are none; both name the model input', async () => {
    const registry = new LocalRegistry(registryRoot);
    await expect(resolveVersionNumber(registry, parseModelReference('m@canary'))).rejects.toMatchObject({
      message: "Model 'm' has no alias 'canary' (aliases: prod, staging).",
      input: 'model',
    });
    const log = memoryLog();
    await runRegister({ ...base(), model: 'model1', name: 'k', alias: 'zed' }, { log });
    await runRegister({ ...base(), model: 'model2', name: 'k', alias: 'abc' }, { log });
    await expect(resolveVersionNumber(registry, parseModelReference('k@x'))).rejects.toThrow(
      "Model 'k' has no alias 'x' (aliases: abc, zed).",
    );
    await runRegister({ ...base(), model: 'model1', name: 'n' }, { log });
    await expect(resolveVersionNumber(registry, parseModelReference('n@prod'))).rejects.toMatchObject({
      message: "Model 'n' has no alias 'prod' (it has no aliases yet).",
      input: 'model',
    });
    await expect(resolveVersionNumber(registry, parseModelReference('ghost@latest'))).rejects.toMatchObject({
      input: 'model',
    });
  });
});

describe('reading a reference or a version', () => {
  it('a version is an integer >= 1, given as a number or trimmed text; the error names the input', () => {
    expect(parseVersion(3)).toBe(3);
    expect(parseVersion(' 7 ')).toBe(7);
    expect(() => parseVersion(0)).toThrow('Invalid model version "0"');
    expect(() => parseVersion('9007199254740993')).toThrow('expected an integer >= 1');
    expect(parseVersion('9007199254740991')).toBe(9007199254740991);
    expect(() => parseVersion('x', 'expected')).toThrow(expect.objectContaining({ input: 'expected' }));
  });

  it('a reference is trimmed; its errors name the input it came from', () => {
    expect(parseModelReference(' m/2 ')).toEqual({ name: 'm', kind: 'version', version: 2 });
    expect(parseModelReference(' m@prod ')).toEqual({ name: 'm', kind: 'alias', alias: 'prod' });
    // A reference of neither shape is refused as a reference (not as a name, alias or version
    // read from the wrong part of it).
    for (const text of ['@prod', '/1', 'm@a/1', 'm/1@a', 'm', 'm/1/2', 'a/b@c']) {
      expect(() => parseModelReference(text, 'baseline'), text).toThrow(
        expect.objectContaining({
          input: 'baseline',
          message: expect.stringMatching(/^Invalid model reference /),
        }),
      );
    }
    for (const text of ['m@a/1', 'm/1@a', 'm', 'm/0', 'm@a b', 'bad name/1', 'bad name@a']) {
      expect(() => parseModelReference(text, 'baseline'), text).toThrow(
        expect.objectContaining({ input: 'baseline' }),
      );
    }
  });
});
