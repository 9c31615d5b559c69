import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** The first thing that makes a delimited file unreadable, and the 1-based file line it is on. */
export interface CsvProblem {
  line: number;
  message: string;
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/**
 * Finds the first malformed row of a delimited file (RFC 4180 rules, `""` as escaped quote):
 * a row whose field count differs from the header's, text after a closing quote, a quote never
 * closed, or a line that is not UTF-8. DuckDB says "could not
 * detect the dialect" without a line when the problem sits inside its sniffing sample; this says
 * where. Used only on the error path; reads at most `maxBytes`.
 */
export async function findCsvProblem(
  path: string,
  delimiter: string,
  maxBytes = 256 * 1024 * 1024,
): Promise<CsvProblem | undefined> {
  const delim = delimiter.charCodeAt(0);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let rowLine = 1;
  let fields = 0;
  let expected: number | undefined;
  let inQuotes = false;
  let quoteLine = 0;
  let pendingQuote = false; // saw a quote inside a quoted value: escaped quote or the closing one
  let fieldStart = true;
  let afterClose = false;
  let rowHasBytes = false;
  let lineBytes: number[] = [];
  let read = 0;
  let previous = -1; // the byte before the current one
  let firstEnding: 'CRLF' | 'LF' | undefined;
  let firstEndingLine = 0;

  const endRow = (): CsvProblem | undefined => {
    if (!rowHasBytes) return undefined; // blank lines are skipped by readers
    const found = fields + 1;
    if (expected === undefined) expected = found;
    else if (found !== expected) {
      return { line: rowLine, message: `expected ${expected} fields (as in the header), found ${found}` };
    }
    return undefined;
  };
  const checkUtf8 = (): CsvProblem | undefined => {
    try {
      decoder.decode(Uint8Array.from(lineBytes));
    } catch {
      return { line, message: 'the line is not valid UTF-8 (save the file as UTF-8)' };
    }
    return undefined;
  };

  const stream = path.toLowerCase().endsWith('.gz')
    ? createReadStream(path).pipe(createGunzip())
    : createReadStream(path);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const b of chunk) {
        const before = previous;
        previous = b;
        if (lineBytes.length < 1 << 20) lineBytes.push(b);
        if (pendingQuote) {
          pendingQuote = false;
          if (b === QUOTE) continue; // an escaped quote inside the value
          inQuotes = false;
          afterClose = true;
        }
        if (inQuotes) {
          if (b === QUOTE) pendingQuote = true;
          else if (b === NEWLINE) {
            const bad = checkUtf8();
            if (bad) return bad;
            lineBytes = [];
            line++;
          }
          continue;
        }
        if (b === QUOTE && fieldStart) {
          // A quote inside an unquoted value (ab"c) is kept literally, as DuckDB and pandas do.
          inQuotes = true;
          quoteLine = line;
          fieldStart = false;
          rowHasBytes = true;
        } else if (b === delim) {
          fields++;
          fieldStart = true;
          afterClose = false;
          rowHasBytes = true;
        } else if (b === NEWLINE) {
          const bad = checkUtf8() ?? endRow();
          if (bad) return bad;
          // DuckDB's sniffer gives up on a file whose rows end in CRLF and LF both (files joined
          // from two systems), even with the delimiter given.
          const ending = before === RETURN ? 'CRLF' : 'LF';
          if (firstEnding === undefined) {
            firstEnding = ending;
            firstEndingLine = line;
          } else if (ending !== firstEnding) {
            return {
              line,
              message: `this line ends in ${ending} but line ${firstEndingLine} ends in ${firstEnding}: mixed line endings (convert the file to one, e.g. with dos2unix)`,
            };
          }
          lineBytes = [];
          line++;
          rowLine = line;
          fields = 0;
          fieldStart = true;
          afterClose = false;
          rowHasBytes = false;
        } else if (b !== RETURN) {
          if (afterClose) return { line, message: 'text after the closing quote of a value' };
          fieldStart = false;
          rowHasBytes = true;
        }
      }
      read += chunk.length;
      if (read >= maxBytes) return undefined;
    }
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  if (inQuotes && !pendingQuote) return { line: quoteLine, message: 'a quote opened here is never closed' };
  return checkUtf8() ?? endRow();
}
