import { describe, expect, it } from 'vitest';
import { assetNamesFor } from '../../../shared/src/registry/github/asset-names.js';

describe('assetNamesFor', () => {
  it('flattens paths into names GitHub keeps as they are', () => {
    const names = assetNamesFor(['model.json', 'assets/vocab.txt', 'weights (1).bin', '.hidden']);
    expect(Object.fromEntries(names)).toEqual({
      '.hidden': 'hidden',
      'assets/vocab.txt': 'assets.vocab.txt',
      'model.json': 'model.json',
      'weights (1).bin': 'weights__1_.bin',
    });
    for (const name of names.values()) expect(name).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*[A-Za-z0-9_-]$/);
  });

  it('keeps names unique, case-insensitively, and away from the record and card assets', () => {
    const paths = [
      'a/b.txt',
      'a.b.txt',
      'README.md',
      'readme.md',
      'mlops-model-version.json',
      'MODEL_CARD.md',
    ];
    const names = assetNamesFor(paths);
    const lower = [...names.values()].map((name) => name.toLowerCase());
    expect(new Set(lower).size).toBe(paths.length);
    expect(lower).not.toContain('mlops-model-version.json');
    expect(lower).not.toContain('model_card.md');
    // Same input, any order: same mapping (readers recompute it from the record).
    expect(assetNamesFor([...paths].reverse())).toEqual(names);
  });
});
