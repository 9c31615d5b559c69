import type { Database } from '../data/database.js';

/**
 * Runs a query and hands its result over in DuckDB's chunks (2048 rows), column-major, so a
 * million-row table never becomes a million JS objects.
 */
export async function streamColumns(
  db: Database,
  sql: string,
  onChunk: (columns: unknown[][], rows: number) => Promise<void> | void,
): Promise<number> {
  const result = await db.connection.stream(sql);
  let total = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    await onChunk(chunk.getColumns() as unknown[][], chunk.rowCount);
    total += chunk.rowCount;
  }
  return total;
}

/** A growable Float64Array. */
export class FloatColumn {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
