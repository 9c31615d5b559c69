/**
 * The missing-value tokens: strings that stand for "no value" in a data file. Train's feature
 * contract (models/preprocessing.ts) fills them; data-validate and drift-check read them as null
 * when they open a delimited file (source.ts `tableExpression`), so every step agrees on what is
 * missing. mlops.yml's `features.missing` sets them; a model records the ones it was trained with.
 */

/** The missing-value tokens train uses unless mlops.yml's `features.missing` says otherwise. */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'n/a', 'null', '?', 'NaN'];

/**
 * The tokens a step reads as missing: the model's when it compares against one (what the model saw
 * as missing), else mlops.yml's `features.missing`, else the defaults.
 */
export function missingTokensFor(sources: {
  model?: readonly string[];
  config?: readonly string[];
}): readonly string[] {
  return sources.model ?? sources.config ?? DEFAULT_MISSING_TOKENS;
}
