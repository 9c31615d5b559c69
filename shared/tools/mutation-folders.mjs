/**
 * The domain code under mutation testing (issue #25): per folder, the source files Stryker
 * mutates and the test files that may kill those mutants. One folder is run at a time and only
 * with its own unit tests (not the whole suite), so that a run stays short on a small machine.
 *
 * The files are the ones that decide something a user acts on (a verdict, a threshold, a
 * statistic, a fill value), smallest first; the rest of each folder is not yet under mutation
 * (a mutant costs a vitest run, ~8 a minute on the shared 2-core machine). Left out, each for
 * its reason (see test/mutation/README.md):
 * - stats/kolmogorov.ts and stats/ks.ts: the exact KS distribution's inner loops; instrumented,
 *   the scipy golden over them outlasts Stryker's dry run (>5 min) on two shared cores. They are
 *   checked against scipy's ks_2samp/kstwo in test/unit/stats/ks.test.ts.
 * - metrics/bootstrap*.ts, resample-kernel.ts, permutation-importance.ts, fairness.ts: worker
 *   pools and resampling loops, same reason; golden-tested against scikit-learn/Fairlearn.
 * - compare/render.ts, drift/render.ts, validate/report.ts: markdown for people, not decisions.
 * - the run*.ts orchestration, SQL-building and file-reading modules: exercised by the
 *   integration tests, whose real DuckDB runs take seconds per mutant.
 */
export const MUTATION_FOLDERS = {
  drift: {
    // The verdict's decisions without DuckDB: method choice and verdicts (methods.ts), the
    // per-column choices, identifier eligibility, the within-noise rule and the sketch's
    // undecided band (choice.ts), and the sketch's normed distance and chart bins (binned.ts from
    // normedBinnedWasserstein on; binnedPair above it is one DuckDB query).
    mutate: [
      'shared/src/drift/methods.ts',
      'shared/src/drift/choice.ts',
      'shared/src/drift/binned.ts:88-108',
    ],
    tests: ['test/unit/drift/boundaries.test.ts', 'test/unit/drift/choice.test.ts'],
  },
  validate: {
    // The bounds, significance (p < TEST_ALPHA), a bound's severity and the share limits
    // (sample-bounds.ts), and fail-on (should-fail.ts), against their pure tests. Not
    // boundaries.test.ts: validateDataset now calls these rules, so its DuckDB runs (the same
    // boundaries end to end) would cover every mutant at ~40 s each, and they killed none of them.
    mutate: ['shared/src/validate/sample-bounds.ts', 'shared/src/validate/should-fail.ts'],
    tests: ['test/unit/validate/sample-bounds.test.ts'],
  },
  stats: {
    mutate: [
      'shared/src/stats/chisquare.ts',
      'shared/src/stats/proportions.ts',
      'shared/src/stats/psi.ts',
      'shared/src/stats/wasserstein.ts',
      'shared/src/stats/divergence.ts',
    ],
    tests: [
      'test/unit/stats/distances.test.ts',
      'test/unit/stats/special.test.ts',
      'test/unit/stats/edges.test.ts',
    ],
  },
  compare: {
    // The gate's decisions: value bounds, change bounds, significance and the verdict (compareOne,
    // changeBoundViolations; Stryker's `file:from-to` syntax mutates only those lines), and how
    // each entry's keys, bounds and direction are read (thresholds.ts parseThresholdObject). Not
    // yet: thresholds.ts lines 36-96 (which input wins, path or text, the pasted metrics: section,
    // the YAML error plumbing), tested in thresholds.test.ts.
    mutate: ['shared/src/compare/gate.ts:145-262', 'shared/src/compare/thresholds.ts:114-182'],
    tests: [
      'test/unit/compare/gate.test.ts',
      'test/unit/compare/thresholds.test.ts',
      'test/unit/compare/inputs.test.ts',
      'test/unit/compare/boundaries.test.ts',
      'test/unit/compare/verdicts.test.ts',
      'test/unit/compare/default-gate.test.ts',
    ],
  },
  metrics: {
    // The metric definitions: per-row log loss with its clipping (classification.ts); from
    // confusionScores, MCC, Cohen's kappa and the final step of every confusion-matrix score
    // (balanced accuracy, macro, micro and weighted averages, with their NaN cases), and
    // precision/recall/F1 with scikit-learn's zero_division (resample-kernel.ts lines 76-121);
    // force_finite and the median; confusionScores' accumulation and per-class loop (lines 35-75);
    // ROC AUC and average precision over groups of tied scores (rocAucFromGroups,
    // averagePrecisionFromGroups; lines 123-188 with the dot product MCC uses). Not yet: the
    // per-class averaging in classificationPass, the regression pass, calibration, the random
    // streams and the paired pass.
    mutate: [
      'shared/src/metrics/classification.ts:31-45',
      'shared/src/metrics/resample-kernel.ts:35-75',
      'shared/src/metrics/resample-kernel.ts:76-121',
      'shared/src/metrics/resample-kernel.ts:123-188',
      'shared/src/metrics/resample-kernel.ts:605-626',
    ],
    tests: [
      'test/unit/metrics/golden.test.ts',
      'test/unit/metrics/log-loss-float32.test.ts',
      'test/unit/metrics/resample-definitions.test.ts',
    ],
  },
  serve: {
    // Request handling's decisions: parsing a :predict / :classify / :regress body against the
    // model's inputs (which body is a 400 or a 413, what the rest becomes), the canary's verdict,
    // its output comparison and traffic split, and the admin endpoint's canary criteria. The
    // feature contract that reads each value is the preprocessing folder. Not mutated: the HTTP
    // plumbing of server.ts and rest-path.ts, covered by the server tests (a server per test).
    // With it, deploy's smoke-test decisions (deploy/smoke-test.ts): which inputs a case names
    // against the model's signature, the numeric match |got - want| <= atol + rtol * |want| and
    // the inclusive latency bound; not runSmokeTest's HTTP calls (a server per test).
    mutate: [
      'shared/src/serve/predict-request.ts',
      'shared/src/serve/classify-regress.ts:23-58',
      'shared/src/serve/canary.ts',
      'shared/src/deploy/smoke-test.ts:83-127',
      'shared/src/deploy/smoke-test.ts:171-203',
    ],
    tests: [
      'test/unit/serve/predict-request.test.ts',
      'test/unit/serve/canary.test.ts',
      'test/unit/serve/canary-boundaries.test.ts',
      'test/unit/deploy/smoke-test.test.ts',
      'test/unit/deploy/smoke-boundaries.test.ts',
      'test/unit/deploy/smoke-signature.test.ts',
    ],
  },
  registry: {
    // The registry's decisions: a `require` bound's operator (min -> >=, max -> <=) and each
    // gate's verdict (a missing or non-finite metric fails), versions and references, version
    // resolution (`latest` = the highest version, an alias to its version) and the alias's
    // forward-only compare-and-swap move at register. Not yet mutated (time on the shared
    // machine): the parsing of the `require` text, model and alias name checks, the queries of
    // `mlops registry`.
    mutate: [
      'shared/src/registry/gates.ts:76-100',
      'shared/src/registry/gates.ts:110-139',
      'shared/src/registry/names.ts:61-96',
      'shared/src/registry/resolve.ts:19-47',
      'shared/src/registry/register.ts:83-115',
    ],
    tests: [
      'test/unit/registry/gates.test.ts',
      'test/unit/registry/names.test.ts',
      'test/unit/registry/register.test.ts',
      'test/unit/registry/alias-resolution.test.ts',
      'test/unit/registry/gates-boundaries.test.ts',
    ],
  },
  preprocessing: {
    // The feature transform: reading each raw value (missing tokens, numbers, booleans, category
    // text, ISO dates and their parts: lines 306-415), applying the contract (fills, scaling,
    // one-hot, date parts, on-invalid and its counts: applyPreprocessing), the scaler's
    // mean/std (Welford, population std) and fitting the contract (most-frequent fills with their
    // ties, sorted categories, the boolean fill, what has no readable value: fitPreprocessing).
    // Not mutated: the request log's reading of a row (contractInputs), FeatureCounts,
    // inferFeatureKind; not decisions: the zod format and the message wording.
    mutate: [
      'shared/src/models/preprocessing.ts:306-415',
      'shared/src/models/preprocessing.ts:561-670',
      'shared/src/models/preprocessing.ts:790-811',
      'shared/src/models/preprocessing.ts:827-913',
    ],
    tests: [
      'test/unit/models/preprocessing.test.ts',
      'test/unit/models/preprocessing-sklearn.test.ts',
      'test/unit/models/preprocessing-rules.test.ts',
      'test/unit/models/preprocessing-dates.test.ts',
    ],
  },
};

/** The folder a source file belongs to, or undefined when it is not under mutation testing. */
export function folderOf(file) {
  for (const [name, folder] of Object.entries(MUTATION_FOLDERS)) {
    if (folder.mutate.some((m) => m.replace(/:\d+-\d+$/, '') === file)) return name;
  }
  return undefined;
}
