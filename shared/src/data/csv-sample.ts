import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** The first rows of a delimited file, header first, read from at most `maxBytes` of it. */
export interface CsvSample {
  header: string[];
  rows: string[][];
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/**
 * Reads the start of a delimited file (gunzipped when it ends in .gz) and splits it into rows by
 * RFC 4180 rules (quoted fields, `""` for a quote, CRLF or LF). The last row, cut by the byte
 * limit, is dropped. Cheap on purpose: it only has to tell what the data looks like.
 */
export async function readCsvSample(
  path: string,
  delimiter: string,
  maxBytes = 256 * 1024,
): Promise<CsvSample> {
  const text = (await readStart(path, maxBytes)).toString('utf8');
  const delim = delimiter.charCodeAt(0);
  const rows: string[][] = [];
  let row: string[] = [];
  let start = 0; // where the current unquoted run of the field starts
  let quoted = ''; // the field so far, once it had a quoted part
  let inQuotes = false;
  let hadQuotes = false;
  const endField = (end: number) => {
    row.push(hadQuotes ? quoted + text.slice(start, end) : text.slice(start, end));
    quoted = '';
    hadQuotes = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c !== QUOTE) continue;
      quoted += text.slice(start, i);
      if (text.charCodeAt(i + 1) === QUOTE) {
        quoted += '"';
        i++;
        start = i + 1;
      } else {
        inQuotes = false;
        start = i + 1;
      }
    } else if (c === QUOTE) {
      quoted += text.slice(start, i);
      hadQuotes = true;
      inQuotes = true;
      start = i + 1;
    } else if (c === delim) {
      endField(i);
      start = i + 1;
    } else if (c === NEWLINE) {
      endField(i > start && text.charCodeAt(i - 1) === RETURN ? i - 1 : i);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      start = i + 1;
    }
  }
  // Whatever follows the last newline may be cut short by the byte limit: it is left out.
  const [header = [], ...rest] = rows;
  return { header, rows: rest };
}

async function readStart(path: string, maxBytes: number): Promise<Buffer> {
  const source = createReadStream(path, path.toLowerCase().endsWith('.gz') ? {} : { end: maxBytes - 1 });
  const stream = path.toLowerCase().endsWith('.gz') ? source.pipe(createGunzip()) : source;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) break;
    }
  } finally {
    source.destroy();
  }
  return Buffer.concat(chunks).subarray(0, maxBytes);
}

/**
 * Distinct values per data row, summed over the columns, in a sample: about how many rows a table
 * of every column's value counts would hold per row of data. A table of categories and small
 * numbers is far below 1; every column unique (ids, continuous measurements) is the column count.
 */
export function distinctShare(sample: CsvSample): number {
  if (sample.rows.length === 0) return 0;
  let share = 0;
  for (let c = 0; c < sample.header.length; c++) {
    const values = new Set<string>();
    for (const row of sample.rows) values.add(row[c] ?? '');
    share += values.size / sample.rows.length;
  }
  return share;
}
