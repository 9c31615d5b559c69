import { inflateRawSync } from 'node:zlib';
import { UserError } from '../../errors/index.js';

/** A metrics file is kilobytes; this leaves room for large slice tables and nothing like a bomb. */
export const ZIP_ENTRY_MAX_BYTES = 16 * 1024 * 1024;

export interface ZipContents {
  /** The inflated entries that were asked for. */
  entries: Map<string, Buffer>;
  /** Every entry's name, read or not. */
  names: string[];
}

/**
 * The entries of a zip archive (an Actions artifact download), read through the central
 * directory. The archive comes from another workflow run, so it may be hostile: only the entries
 * `wanted` accepts are inflated, each at most `maxEntryBytes` whatever its header claims (a 4 MB
 * archive once inflated to 5.4 GB), and an archive that is not a well-formed zip is a `UserError`
 * naming `what`. Only stored and deflated entries occur in artifacts; others are refused.
 */
export function readZip(
  archive: Buffer,
  options: { wanted: (name: string) => boolean; what: string; maxEntryBytes?: number },
): ZipContents {
  const limit = options.maxEntryBytes ?? ZIP_ENTRY_MAX_BYTES;
  const fail = (why: string): never => {
    throw new UserError(`${options.what} is not a readable zip archive: ${why}.`);
  };
  const u16 = (at: number) =>
    at >= 0 && at + 2 <= archive.length ? archive.readUInt16LE(at) : fail('truncated');
  const u32 = (at: number) =>
    at >= 0 && at + 4 <= archive.length ? archive.readUInt32LE(at) : fail('truncated');

  const endOffset = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOffset < 0) fail('no end of central directory');
  const count = u16(endOffset + 10);
  let cursor = u32(endOffset + 16);
  const entries = new Map<string, Buffer>();
  const names: string[] = [];
  for (let index = 0; index < count; index += 1) {
    if (u32(cursor) !== 0x02014b50) fail('corrupt central directory');
    const method = u16(cursor + 10);
    const compressedSize = u32(cursor + 20);
    const declaredSize = u32(cursor + 24);
    const nameLength = u16(cursor + 28);
    const extraLength = u16(cursor + 30);
    const commentLength = u16(cursor + 32);
    const localOffset = u32(cursor + 42);
    if (cursor + 46 + nameLength > archive.length) fail('truncated');
    const name = archive.subarray(cursor + 46, cursor + 46 + nameLength).toString('utf8');
    names.push(name);
    cursor += 46 + nameLength + extraLength + commentLength;
    if (!options.wanted(name)) continue;
    if (u32(localOffset) !== 0x04034b50) fail(`entry ${JSON.stringify(name)} has no local header`);
    const start = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    if (start + compressedSize > archive.length) fail(`entry ${JSON.stringify(name)} is truncated`);
    const tooLarge = () =>
      new UserError(
        `${options.what}: entry ${JSON.stringify(name)} inflates to more than ${limit} bytes, the most read from an artifact.`,
      );
    if (declaredSize > limit) throw tooLarge();
    const data = archive.subarray(start, start + compressedSize);
    if (method === 0) entries.set(name, Buffer.from(data));
    else if (method === 8) {
      try {
        entries.set(name, inflateRawSync(data, { maxOutputLength: limit }));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
        fail(`entry ${JSON.stringify(name)} does not inflate (${(error as Error).message})`);
      }
    } else fail(`entry ${JSON.stringify(name)} uses unsupported compression method ${method}`);
  }
  return { entries, names };
}
