/**
 * A small reader for the Arrow IPC file format (Feather v2), enough for flat tables: integers,
 * floats, booleans, UTF-8 strings (also dictionary-encoded), dates and timestamps. DuckDB reads
 * Arrow only through an extension it downloads at run time, and no Arrow package is installed, so
 * the format is parsed here from its specification (Schema.fbs, Message.fbs) and the columns are
 * handed to DuckDB through its appender.
 */
import { readFileSync } from 'node:fs';
import { loadDuckDB } from '../engines/duckdb.js';
import { UserError } from '../errors/index.js';
import { type Database, quoteIdent } from './database.js';

/** Read access to one flatbuffers table: fields by index through the vtable. */
class FlatTable {
  private readonly vtable: number;
  private readonly vtableSize: number;
  constructor(
    readonly view: DataView,
    readonly pos: number,
  ) {
    this.vtable = pos - view.getInt32(pos, true);
    this.vtableSize = view.getUint16(this.vtable, true);
  }
  static root(view: DataView, offset = 0): FlatTable {
    return new FlatTable(view, offset + view.getUint32(offset, true));
  }
  private field(index: number): number {
    const slot = 4 + 2 * index;
    if (slot >= this.vtableSize) return 0;
    const rel = this.view.getUint16(this.vtable + slot, true);
    return rel === 0 ? 0 : this.pos + rel;
  }
  int8(index: number, fallback = 0): number {
    const at = this.field(index);
    return at === 0 ? fallback : this.view.getInt8(at);
  }
  uint8(index: number, fallback = 0): number {
    const at = this.field(index);
    return at === 0 ? fallback : this.view.getUint8(at);
  }
  int16(index: number, fallback = 0): number {
    const at = this.field(index);
    return at === 0 ? fallback : this.view.getInt16(at, true);
  }
  int32(index: number, fallback = 0): number {
    const at = this.field(index);
    return at === 0 ? fallback : this.view.getInt32(at, true);
  }
  int64(index: number, fallback = 0): number {
    const at = this.field(index);
    return at === 0 ? fallback : Number(this.view.getBigInt64(at, true));
  }
  table(index: number): FlatTable | undefined {
    const at = this.field(index);
    return at === 0 ? undefined : new FlatTable(this.view, at + this.view.getUint32(at, true));
  }
  string(index: number): string | undefined {
    const at = this.field(index);
    if (at === 0) return undefined;
    const start = at + this.view.getUint32(at, true);
    const length = this.view.getUint32(start, true);
    return new TextDecoder().decode(
      new Uint8Array(this.view.buffer, this.view.byteOffset + start + 4, length),
    );
  }
  /** A vector: its element count and the absolute position of element 0. */
  vector(index: number): { length: number; start: number } {
    const at = this.field(index);
    if (at === 0) return { length: 0, start: 0 };
    const start = at + this.view.getUint32(at, true);
    return { length: this.view.getUint32(start, true), start: start + 4 };
  }
  tables(index: number): FlatTable[] {
    const { length, start } = this.vector(index);
    return Array.from({ length }, (_, i) => {
      const at = start + 4 * i;
      return new FlatTable(this.view, at + this.view.getUint32(at, true));
    });
  }
}

// Type union tags from Schema.fbs.
const TYPE = {
  Null: 1,
  Int: 2,
  FloatingPoint: 3,
  Utf8: 5,
  Bool: 6,
  Date: 8,
  Timestamp: 10,
  LargeUtf8: 20,
} as const;
const TYPE_NAMES = [
  'NONE',
  'Null',
  'Int',
  'FloatingPoint',
  'Binary',
  'Utf8',
  'Bool',
  'Decimal',
  'Date',
  'Time',
  'Timestamp',
  'Interval',
  'List',
  'Struct',
  'Union',
  'FixedSizeBinary',
  'FixedSizeList',
  'Map',
  'Duration',
  'LargeBinary',
  'LargeUtf8',
  'LargeList',
  'RunEndEncoded',
  'BinaryView',
  'Utf8View',
  'ListView',
  'LargeListView',
];
// Message header union tags from Message.fbs.
const HEADER = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;

type Kind =
  | { tag: 'null' }
  | { tag: 'int'; bits: number; signed: boolean }
  | { tag: 'float'; bits: number }
  | { tag: 'bool' }
  | { tag: 'utf8'; large: boolean }
  | { tag: 'date'; unit: 'day' | 'ms' }
  | { tag: 'timestamp'; unit: number };

interface FieldSpec {
  name: string;
  kind: Kind;
  /** Dictionary id when the values are indices into a dictionary; `kind` is then the values' type. */
  dictionary?: { id: number; index: Kind };
}

function readKind(file: string, name: string, typeTag: number, type: FlatTable | undefined): Kind {
  switch (typeTag) {
    case TYPE.Null:
      return { tag: 'null' };
    case TYPE.Int:
      return { tag: 'int', bits: type?.int32(0) ?? 32, signed: (type?.uint8(1) ?? 0) !== 0 };
    case TYPE.FloatingPoint: {
      const precision = type?.int16(0) ?? 2;
      if (precision === 0) break; // half floats: rare, and there is no JS array for them
      return { tag: 'float', bits: precision === 1 ? 32 : 64 };
    }
    case TYPE.Bool:
      return { tag: 'bool' };
    case TYPE.Utf8:
      return { tag: 'utf8', large: false };
    case TYPE.LargeUtf8:
      return { tag: 'utf8', large: true };
    case TYPE.Date:
      return { tag: 'date', unit: (type?.int16(0) ?? 1) === 0 ? 'day' : 'ms' };
    case TYPE.Timestamp:
      return { tag: 'timestamp', unit: type?.int16(0) ?? 0 };
  }
  throw new UserError(
    `Arrow file '${file}': column '${name}' has type ${TYPE_NAMES[typeTag] ?? typeTag}, which this reader does not support (flat integer, float, boolean, string, date and timestamp columns are); convert the file to Parquet.`,
    { file },
  );
}

interface Message {
  headerType: number;
  header: FlatTable;
  body: DataView;
}

function* messages(file: string, bytes: Uint8Array): Generator<Message> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8; // "ARROW1" and two bytes of padding
  while (pos + 4 <= bytes.byteLength) {
    let length = view.getInt32(pos, true);
    pos += 4;
    if (length === -1) {
      // Continuation marker (format >= 0.15): the length follows.
      length = view.getInt32(pos, true);
      pos += 4;
    }
    if (length === 0) return; // end of stream; the footer follows
    if (length < 0 || pos + length > bytes.byteLength)
      throw new UserError(`Arrow file '${file}' is truncated or corrupt.`, { file });
    const meta = new DataView(bytes.buffer, bytes.byteOffset + pos, length);
    const message = FlatTable.root(meta);
    pos += length;
    const bodyLength = message.int64(3);
    const body = new DataView(bytes.buffer, bytes.byteOffset + pos, bodyLength);
    pos += bodyLength;
    const header = message.table(2);
    if (header) yield { headerType: message.uint8(1), header, body };
  }
}

/** Decodes one column of a record batch into JS values (null where the validity bit is off). */
function decodeColumn(
  kind: Kind,
  length: number,
  nullCount: number,
  buffers: DataView[],
): (number | bigint | boolean | string | null)[] {
  const validity = buffers[0]!;
  const valid = (i: number) =>
    nullCount === 0 || validity.byteLength === 0 || ((validity.getUint8(i >> 3) >> (i & 7)) & 1) === 1;
  const data = buffers[1]!;
  const out: (number | bigint | boolean | string | null)[] = new Array(length);
  switch (kind.tag) {
    case 'null':
      out.fill(null);
      return out;
    case 'bool':
      for (let i = 0; i < length; i++)
        out[i] = valid(i) ? ((data.getUint8(i >> 3) >> (i & 7)) & 1) === 1 : null;
      return out;
    case 'utf8': {
      const chars = buffers[2]!;
      const decoder = new TextDecoder();
      const raw = new Uint8Array(chars.buffer, chars.byteOffset, chars.byteLength);
      for (let i = 0; i < length; i++) {
        if (!valid(i)) {
          out[i] = null;
          continue;
        }
        const start = kind.large ? Number(data.getBigInt64(8 * i, true)) : data.getInt32(4 * i, true);
        const end = kind.large ? Number(data.getBigInt64(8 * i + 8, true)) : data.getInt32(4 * i + 4, true);
        out[i] = decoder.decode(raw.subarray(start, end));
      }
      return out;
    }
    default: {
      const bits =
        kind.tag === 'int' || kind.tag === 'float'
          ? kind.bits
          : kind.tag === 'date' && kind.unit === 'day'
            ? 32
            : 64;
      const width = bits / 8;
      for (let i = 0; i < length; i++) {
        if (!valid(i)) {
          out[i] = null;
          continue;
        }
        const at = i * width;
        if (kind.tag === 'float')
          out[i] = bits === 32 ? data.getFloat32(at, true) : data.getFloat64(at, true);
        else if (kind.tag === 'int' && !kind.signed) {
          out[i] =
            bits === 8
              ? data.getUint8(at)
              : bits === 16
                ? data.getUint16(at, true)
                : bits === 32
                  ? data.getUint32(at, true)
                  : data.getBigUint64(at, true);
        } else {
          out[i] =
            bits === 8
              ? data.getInt8(at)
              : bits === 16
                ? data.getInt16(at, true)
                : bits === 32
                  ? data.getInt32(at, true)
                  : data.getBigInt64(at, true);
        }
      }
      return out;
    }
  }
}

function bufferCount(kind: Kind): number {
  if (kind.tag === 'null') return 0;
  return kind.tag === 'utf8' ? 3 : 2;
}

/** The DuckDB type a column is staged as, and the SQL that turns the staged value into the final one. */
function staging(kind: Kind, column: string): { type: string; select: string } {
  const c = quoteIdent(column);
  switch (kind.tag) {
    case 'null':
      return { type: 'INTEGER', select: c };
    case 'bool':
      return { type: 'BOOLEAN', select: c };
    case 'utf8':
      return { type: 'VARCHAR', select: c };
    case 'float':
      return { type: 'DOUBLE', select: kind.bits === 32 ? `CAST(${c} AS FLOAT)` : c };
    case 'int':
      if (kind.bits === 64) return { type: kind.signed ? 'BIGINT' : 'UBIGINT', select: c };
      return { type: kind.signed || kind.bits < 32 ? 'INTEGER' : 'BIGINT', select: c };
    case 'date':
      return kind.unit === 'day'
        ? { type: 'INTEGER', select: `CAST(DATE '1970-01-01' + ${c} AS DATE)` }
        : { type: 'BIGINT', select: `CAST(make_timestamp(${c} * 1000) AS DATE)` };
    case 'timestamp': {
      const toMicros = [`${c} * 1000000`, `${c} * 1000`, c, `${c} // 1000`][kind.unit] ?? c;
      return { type: 'BIGINT', select: `make_timestamp(${toMicros})` };
    }
  }
}

/** DuckDB's appender takes BIGINT values as bigint; Arrow's 32-bit unsigned integers arrive as numbers. */
function toStagedValue(value: number | bigint | boolean | string | null, type: string): unknown {
  if (value === null) return null;
  if ((type === 'BIGINT' || type === 'UBIGINT') && typeof value === 'number') return BigInt(value);
  return value;
}

/**
 * Loads an Arrow IPC file into table `table` (created, or appended to when `append`), with the
 * file's column names and types.
 */
export async function loadArrowIpcFile(
  db: Database,
  file: string,
  table: string,
  append = false,
): Promise<void> {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 6).toString('latin1') !== 'ARROW1') {
    throw new UserError(`'${file}' is not an Arrow IPC file (it does not start with 'ARROW1').`, { file });
  }
  const duckdb = await loadDuckDB();
  let fields: FieldSpec[] | undefined;
  const dictionaries = new Map<number, (string | number | bigint | boolean | null)[]>();
  const stage = `${table}__arrow_stage`;
  let appender: Awaited<ReturnType<typeof db.connection.createAppender>> | undefined;
  let stagedTypes: string[] = [];

  const readBatch = (batch: FlatTable, body: DataView, specs: { kind: Kind }[]) => {
    if (batch.table(3))
      throw new UserError(
        `Arrow file '${file}' is compressed (LZ4/ZSTD buffers); write it uncompressed or as Parquet.`,
        { file },
      );
    const rows = batch.int64(0);
    const nodes = batch.vector(1);
    const buffers = batch.vector(2);
    const meta = batch.view;
    let b = 0;
    return specs.map((spec, i) => {
      const nodeAt = nodes.start + 16 * i;
      const nullCount = Number(meta.getBigInt64(nodeAt + 8, true));
      const views: DataView[] = [];
      for (let k = 0; k < bufferCount(spec.kind); k++, b++) {
        const at = buffers.start + 16 * b;
        const offset = Number(meta.getBigInt64(at, true));
        const length = Number(meta.getBigInt64(at + 8, true));
        views.push(new DataView(body.buffer, body.byteOffset + offset, length));
      }
      return decodeColumn(spec.kind, rows, nullCount, views);
    });
  };

  try {
    for (const message of messages(file, bytes)) {
      if (message.headerType === HEADER.Schema) {
        fields = message.header.tables(1).map((field) => {
          const name = field.string(0) ?? '';
          if (field.vector(5).length > 0) readKind(file, name, 12, undefined); // nested: unsupported
          const kind = readKind(file, name, field.uint8(2), field.table(3));
          const dict = field.table(4);
          if (!dict) return { name, kind };
          const indexType = dict.table(1);
          return {
            name,
            kind,
            dictionary: {
              id: dict.int64(0),
              index: { tag: 'int', bits: indexType?.int32(0) ?? 32, signed: true },
            },
          };
        });
        stagedTypes = fields.map((f) => staging(f.kind, f.name).type);
        await db.run(`DROP TABLE IF EXISTS ${quoteIdent(stage)}`);
        await db.run(
          `CREATE TEMP TABLE ${quoteIdent(stage)} (${fields.map((f, i) => `${quoteIdent(f.name)} ${stagedTypes[i]}`).join(', ')})`,
        );
        appender = await db.connection.createAppender(stage);
      } else if (message.headerType === HEADER.DictionaryBatch) {
        const field = fields?.find((f) => f.dictionary?.id === message.header.int64(0));
        const data = message.header.table(1);
        if (!field || !data) continue;
        const [values] = readBatch(data, message.body, [{ kind: field.kind }]);
        const previous = message.header.uint8(2) !== 0 ? (dictionaries.get(field.dictionary!.id) ?? []) : [];
        dictionaries.set(field.dictionary!.id, previous.concat(values!));
      } else if (message.headerType === HEADER.RecordBatch && fields && appender) {
        const columns = readBatch(
          message.header,
          message.body,
          fields.map((f) => ({ kind: f.dictionary?.index ?? f.kind })),
        ).map((values, i) => {
          const field = fields![i]!;
          if (!field.dictionary) return values;
          const dictionary = dictionaries.get(field.dictionary.id) ?? [];
          return values.map((index) => (index === null ? null : (dictionary[Number(index)] ?? null)));
        });
        const rows = columns[0]?.length ?? 0;
        const types = stagedTypes.map((t) => duckdbType(duckdb, t));
        // DuckDB takes data chunks of at most its vector size (2048 rows).
        for (let start = 0; start < rows; start += 2048) {
          const end = Math.min(rows, start + 2048);
          const chunk = duckdb.DuckDBDataChunk.create(types, end - start);
          chunk.setColumns(
            columns.map(
              (values, i) => values.slice(start, end).map((v) => toStagedValue(v, stagedTypes[i]!)) as never,
            ),
          );
          appender.appendDataChunk(chunk);
        }
      }
    }
    if (!fields || !appender) throw new UserError(`Arrow file '${file}' has no schema message.`, { file });
    appender.closeSync();
    appender = undefined;
    const select = fields.map((f) => `${staging(f.kind, f.name).select} AS ${quoteIdent(f.name)}`).join(', ');
    const target = quoteIdent(table);
    await db.run(
      append
        ? `INSERT INTO ${target} BY NAME SELECT ${select} FROM ${quoteIdent(stage)}`
        : `CREATE TABLE ${target} AS SELECT ${select} FROM ${quoteIdent(stage)}`,
    );
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (error instanceof RangeError)
      throw new UserError(`Arrow file '${file}' is truncated or corrupt (${error.message}).`, { file });
    throw error;
  } finally {
    appender?.closeSync();
    await db.run(`DROP TABLE IF EXISTS ${quoteIdent(stage)}`);
  }
}

function duckdbType(duckdb: Awaited<ReturnType<typeof loadDuckDB>>, name: string) {
  switch (name) {
    case 'BOOLEAN':
      return duckdb.BOOLEAN;
    case 'VARCHAR':
      return duckdb.VARCHAR;
    case 'DOUBLE':
      return duckdb.DOUBLE;
    case 'INTEGER':
      return duckdb.INTEGER;
    case 'UBIGINT':
      return duckdb.UBIGINT;
    default:
      return duckdb.BIGINT;
  }
}
