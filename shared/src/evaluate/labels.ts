/**
 * Class labels are strings everywhere (a CSV's `1` and a Parquet's 1.0 are the same class `1`).
 * Order follows scikit-learn's `np.unique`: numeric labels numerically, others as strings; for
 * two classes the second is the positive class (1 of {0, 1}, true of {false, true}).
 */
export function sortLabels(labels: Iterable<string>): string[] {
  const unique = [...new Set(labels)];
  const numeric = unique.every((l) => l.trim() !== '' && Number.isFinite(Number(l)));
  return numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

/** SQL turning a column into its label text; integral numbers lose the `.0` a DOUBLE column adds. */
export function labelSql(column: string, duckdbType: string): string {
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL)/i.test(duckdbType)) {
    return `CASE WHEN ${column} = round(${column}) AND abs(${column}) < 9e15 THEN CAST(CAST(${column} AS BIGINT) AS VARCHAR) ELSE CAST(${column} AS VARCHAR) END`;
  }
  if (/^BOOL/i.test(duckdbType)) return `lower(CAST(${column} AS VARCHAR))`;
  return `CAST(${column} AS VARCHAR)`;
}
