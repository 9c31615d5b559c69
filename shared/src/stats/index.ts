export { betaInc, binomialSf, clopperPearsonUpper, outsideExtremesSf } from './binomial.js';
export { type ChiSquareResult, chiSquareHomogeneity, chiSquareTest } from './chisquare.js';
export {
  jensenShannonDistance,
  jensenShannonDivergenceLog2,
  lInfinityDistance,
  PSI_EPSILON,
  populationStabilityIndex,
  proportionsWithZeroFill,
} from './divergence.js';
export { kolmogorovSf, smirnovSf } from './kolmogorov.js';
export { KS_MAX_EXACT_N, type KsResult, ksPValue, ksStatisticSorted, ksTwoSample } from './ks.js';
export { twoProportionZTest, type ZTestResult } from './proportions.js';
export { binCounts, binIndex, PSI_BINS, psiQuantileBinned, quantileEdges } from './psi.js';
export { chiSquareSf, erfc, gammaIncLower, gammaIncUpper, logGamma, normalCdf, normalSf } from './special.js';
export {
  binnedWasserstein,
  normedWasserstein,
  populationStd,
  type ValueBins,
  WASSERSTEIN_STD_FLOOR,
  wassersteinDistance,
} from './wasserstein.js';
