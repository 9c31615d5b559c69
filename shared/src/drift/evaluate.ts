/**
 * Runs one drift method on one column. The inputs are lazy so each column computes only what its
 * method needs (a KS column never builds category counts).
 */
import {
  chiSquareHomogeneity,
  jensenShannonDistance,
  jensenShannonDivergenceLog2,
  ksPValue,
  lInfinityDistance,
  populationStabilityIndex,
  proportionsWithZeroFill,
  twoProportionZTest,
  WASSERSTEIN_STD_FLOOR,
} from '../stats/index.js';
import type { CountTable } from './ecdf.js';
import type { DriftColumnType, DriftMethod } from './methods.js';

export interface ColumnInputs {
  type: DriftColumnType;
  /** Non-missing values on each side. */
  n: number;
  m: number;
  ksStatistic(): Promise<number>;
  wasserstein(): Promise<number>;
  /** Population std of the reference (numpy `std`). */
  referenceStd(): Promise<number>;
  psiCounts(): Promise<{ reference: number[]; current: number[] }>;
  /** Evidently's JS bins: 30 equal-width bins over both samples when the reference has > 20 distinct numbers. */
  binnedForDivergence(): Promise<CountTable>;
  categories(): Promise<CountTable>;
}

export interface MethodResult {
  statistic: number;
  p_value: number | null;
  test_statistic: number | null;
}

/** The Z-test compares the share of one category: the reference's most frequent (ties: first label). */
function zTestOnCategories(table: CountTable, n: number, m: number): MethodResult {
  let target = 0;
  for (let i = 1; i < table.labels.length; i++) if (table.reference[i] > table.reference[target]) target = i;
  const r = twoProportionZTest(table.reference[target], n, table.current[target], m);
  return { statistic: r.pValue, p_value: r.pValue, test_statistic: r.statistic };
}

export async function runMethod(method: DriftMethod, inputs: ColumnInputs): Promise<MethodResult> {
  const { n, m } = inputs;
  switch (method) {
    case 'ks': {
      const r = ksPValue(n, m, await inputs.ksStatistic());
      return { statistic: r.pValue, p_value: r.pValue, test_statistic: r.statistic };
    }
    case 'wasserstein': {
      const w = await inputs.wasserstein();
      const value = w / Math.max(await inputs.referenceStd(), WASSERSTEIN_STD_FLOOR);
      return { statistic: value, p_value: null, test_statistic: null };
    }
    case 'psi': {
      const counts = await inputs.psiCounts();
      return {
        statistic: populationStabilityIndex(counts.reference, counts.current),
        p_value: null,
        test_statistic: null,
      };
    }
    case 'chi2': {
      const table = await inputs.categories();
      const r = chiSquareHomogeneity(table.reference, table.current);
      return { statistic: r.pValue, p_value: r.pValue, test_statistic: r.statistic };
    }
    case 'z':
      return zTestOnCategories(await inputs.categories(), n, m);
    case 'jensenshannon': {
      const table = await inputs.binnedForDivergence();
      const value = jensenShannonDistance(
        proportionsWithZeroFill(table.reference, n),
        proportionsWithZeroFill(table.current, m),
      );
      return { statistic: value, p_value: null, test_statistic: null };
    }
    case 'jsd_log2': {
      const table = await inputs.binnedForDivergence();
      return {
        statistic: jensenShannonDivergenceLog2(table.reference, table.current),
        p_value: null,
        test_statistic: null,
      };
    }
    case 'linf': {
      const table = await inputs.binnedForDivergence();
      return {
        statistic: lInfinityDistance(table.reference, table.current),
        p_value: null,
        test_statistic: null,
      };
    }
  }
}
