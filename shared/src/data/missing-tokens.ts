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

/**
 * The fields DuckDB reads as a token's null: the token, and with one space before, after or both.
 * The contract trims a value before matching it (models/preprocessing.ts); DuckDB's `nullstr`
 * matches whole fields only, so without these a single ' NA' made a number column text in
 * data-validate and a type change in drift-check while train read it as missing (trial3). Other
 * padding (tabs, two spaces) is not matched there.
 */
export function tokenSpellings(token: string): string[] {
  return token === '' ? [''] : [token, ` ${token}`, `${token} `, ` ${token} `];
}
