import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { modelDigest, resolveInside, scanModel } from '../../../shared/src/registry/files.js';
import { tempDir, writeModelFolder } from './helpers.js';

describe('scanModel and modelDigest', () => {
  it('hashes like sha256sum and digests the sorted sha256sum listing', async () => {
    const dir = await writeModelFolder(await tempDir());
    const source = await scanModel(dir);
    expect(source.kind).toBe('directory');
    expect(source.files.map((file) => file.path)).toEqual([
      'assets/vocab.txt',
      'group1-shard1of1.bin',
      'model.json',
      'signature.json',
    ]);
    // Reference: coreutils. `sha256sum` prints "<hex>  <path>" lines; digest is sha256 of the sorted listing.
    const listing = execFileSync(
      'sh',
      ['-c', 'find . -type f | sed "s|^./||" | LC_ALL=C sort | xargs sha256sum'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    for (const line of listing.trim().split('\n')) {
      const [hex, path] = line.split(/\s+/);
      expect(source.files.find((file) => file.path === path)?.sha256).toBe(hex);
    }
    const expected = execFileSync('sha256sum', { input: listing, encoding: 'utf8' }).split(' ')[0];
    expect(modelDigest(source.files)).toBe(`sha256:${expected}`);
    expect(modelDigest([...source.files].reverse())).toBe(modelDigest(source.files));
  });

  it('takes a single file as a one-file model with its name as entry', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'model.onnx'), 'onnx bytes');
    const source = await scanModel(join(dir, 'model.onnx'));
    expect(source).toMatchObject({
      kind: 'file',
      entry: 'model.onnx',
      files: [{ path: 'model.onnx', size: 10 }],
    });
  });

  it('rejects a missing path, an empty folder and symbolic links', async () => {
    const dir = await tempDir();
    await expect(scanModel(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    await mkdir(join(dir, 'empty'));
    await expect(scanModel(join(dir, 'empty'))).rejects.toThrow(/contains no files/);
    const model = await writeModelFolder(join(dir, 'm'));
    await symlink('/etc/passwd', join(model, 'passwd'));
    await expect(scanModel(model)).rejects.toThrow(UserError);
    await expect(scanModel(model)).rejects.toThrow(/symbolic link 'passwd'/);
  });

  it('never resolves a recorded path outside its folder', () => {
    for (const path of ['../x', 'a/../../x', '/etc/passwd', 'a//b', './a', 'a\\b', '']) {
      expect(() => resolveInside('/tmp/m', path, 'test'), path).toThrow(UserError);
    }
    expect(resolveInside('/tmp/m', 'a/b.bin', 'test')).toBe('/tmp/m/a/b.bin');
  });
});
