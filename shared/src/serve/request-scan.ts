/**
 * Looks at a request body while it arrives, before any of it is parsed: a body nested deeper than
 * the JSON depth rule (data/json-nesting.ts) or listing more rows than the server takes is refused
 * at the byte where that becomes clear, so a 360k-row or 1M-deep request costs the server one pass
 * over the bytes received so far, not a full buffer and a `JSON.parse`.
 */
import { JsonNestingScanner } from '../data/json-nesting.js';

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

interface Frame {
  array: boolean;
  /** A list of rows: an array directly under the top object (`instances`, `examples`, a list
   * `inputs`) or under an object there (a column of `inputs`). */
  rows: boolean;
  count: number;
  inElement: boolean;
}

export type ScanVerdict = { kind: 'too-deep' } | { kind: 'too-many-rows' } | undefined;

/**
 * Counts the elements of every row list (see Frame.rows) in JSON text fed in chunks, and its depth.
 * An upper bound of what the parser would find (a malformed body is left to the parser's 400).
 */
export class RequestBodyScanner {
  private readonly nesting: JsonNestingScanner;
  private readonly stack: Frame[] = [];
  private inString = false;
  private escaped = false;

  constructor(
    private readonly maxRows: number,
    depthLimit?: number,
  ) {
    this.nesting = new JsonNestingScanner(depthLimit);
  }

  feed(chunk: Uint8Array): ScanVerdict {
    if (this.nesting.feed(chunk) !== undefined) return { kind: 'too-deep' };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (isWhitespace(byte)) continue;
      const top = this.stack[this.stack.length - 1];
      if (top?.array) {
        if (byte === COMMA) {
          top.inElement = false;
          continue;
        }
        if (byte !== CLOSE_BRACKET && !top.inElement) {
          top.inElement = true;
          if (top.rows && ++top.count > this.maxRows) return { kind: 'too-many-rows' };
        }
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
        const depth = this.stack.length;
        const underObjects = this.stack.every((frame) => !frame.array);
        this.stack.push({
          array: byte === OPEN_BRACKET,
          rows: byte === OPEN_BRACKET && underObjects && (depth === 1 || depth === 2),
          count: 0,
          inElement: false,
        });
      } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) this.stack.pop();
    }
    return undefined;
  }
}
