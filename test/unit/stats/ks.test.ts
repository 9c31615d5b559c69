import { describe, expect, it } from 'vitest';
import { kolmogorovSf, ksPValue, ksTwoSample, smirnovSf } from '../../../shared/src/stats/index.js';
import { expectClose, golden, sampleFrom } from './golden.js';

describe('ksTwoSample against scipy 1.10 ks_2samp(method="auto")', () => {
  for (const c of golden.ksSamples) {
    const label = `n=${sampleFrom(c.a).length} m=${sampleFrom(c.b).length}`;
    it(`matches on ${label}`, () => {
      const result = ksTwoSample(sampleFrom(c.a), sampleFrom(c.b));
      expect(result.statistic, `${label} statistic`).toBe(c.statistic);
      expectClose(result.pValue, c.pValue, 1e-9, 1e-300, `${label} p-value`);
    });
  }
});

describe('ksPValue from (n1, n2, d)', () => {
  it('matches scipy on the exact and asymptotic paths', () => {
    for (const c of golden.ksPValues) {
      const result = ksPValue(c.n1, c.n2, c.d);
      const label = `n1=${c.n1} n2=${c.n2} d=${c.d}`;
      expect(result.statistic, label).toBe(c.statistic);
      expectClose(result.pValue, c.pValue, 1e-9, 1e-300, label);
    }
  });

  it('switches to the asymptotic distribution above 10,000 per side', () => {
    expect(ksPValue(10_000, 10_000, 0.02).method).toBe('exact');
    expect(ksPValue(10_001, 10_000, 0.02).method).toBe('asymp');
  });

  it('rejects empty samples with a clear message', () => {
    expect(() => ksTwoSample([], [1])).toThrow(/non-empty/);
  });
});

describe('Kolmogorov and Smirnov distributions', () => {
  it('kolmogorovSf matches scipy kstwo.sf', () => {
    for (const c of golden.kstwo)
      expectClose(kolmogorovSf(c.n, c.x), c.sf, 1e-9, 1e-300, `n=${c.n} x=${c.x}`);
  });
  it('smirnovSf matches scipy.special.smirnov', () => {
    for (const c of golden.smirnov) expectClose(smirnovSf(c.n, c.x), c.sf, 1e-9, 1e-300, `n=${c.n} x=${c.x}`);
  });
});
