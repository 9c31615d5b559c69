/**
 * DuckDB's JSON reader slows down steeply with nesting (a 2 KB file nested 1000 deep did not finish
 * in a minute; 128 levels take 0.8 s, 200 take 2.7 s) and crashes the process past some 50,000
 * levels. A row of tabular data needs few levels, so JSON files are scanned for their depth before
 * DuckDB sees them, and a file deeper than the limit is refused with its line.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors/index.js';

/** The outer array and the row object are 2 levels; values may nest 62 more. */
export const MAX_JSON_NESTING = 64;

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/**
 * Counts nesting of JSON text fed in chunks, outside strings; says where it first passes `limit`.
 * The one depth rule for data files and for the model server's request bodies.
 */
export class JsonNestingScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** 1-based line of the current byte. */
  line = 1;

  constructor(readonly limit = MAX_JSON_NESTING) {}

  /** Returns the line where the limit was passed, or undefined while within it. */
  feed(chunk: Uint8Array): number | undefined {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === NEWLINE) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
        if (++this.depth > this.limit) return this.line;
      } else if ((byte === CLOSE_BRACKET || byte === CLOSE_BRACE) && this.depth > 0) this.depth--;
    }
    return undefined;
  }
}

/** Throws a `UserError` naming the line where `file` (JSON or NDJSON, gzipped or not) nests deeper than `limit`. */
export async function checkJsonNesting(file: string, limit = MAX_JSON_NESTING): Promise<void> {
  const gzipped = await startsWithGzipMagic(file);
  const raw = createReadStream(file);
  const stream = gzipped ? raw.pipe(createGunzip()) : raw;
  const scanner = new JsonNestingScanner(limit);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const line = scanner.feed(chunk);
      if (line !== undefined) {
        throw new UserError(
          `'${file}' line ${line}: JSON nested more than ${limit} levels deep. Data files are read as tables of ` +
            `rows; values may hold arrays and objects up to ${limit} levels in all (deeper nesting makes DuckDB's reader ` +
            'hang or crash). Flatten the data or store the deep part as a string.',
          { file, line },
        );
      }
    }
  } finally {
    raw.destroy();
  }
}

async function startsWithGzipMagic(file: string): Promise<boolean> {
  for await (const chunk of createReadStream(file, { start: 0, end: 1 }) as AsyncIterable<Buffer>)
    return chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
  return false;
}
