/**
 * Branch-baseline artifacts come from another run and may be hostile: only the JSON entries are
 * inflated, each with a hard output limit whatever its header claims (a 4.2 MB zip once became
 * 5.4 GB), and a malformed zip is a user error naming the artifact, not "This is a bug".
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/src/errors/index.js';
import { readZip, ZIP_ENTRY_MAX_BYTES } from '../../shared/src/platform/github/zip.js';
import { storedZip } from '../emulators/github/zip.js';

const METRICS = JSON.stringify({ schema: 'mlops-metrics/v1', metrics: { accuracy: { value: 0.9 } } });
const json = { wanted: (name: string) => name.endsWith('.json'), what: 'artifact metrics of run 7' };

/** Rewrites every central-directory record's uncompressed size: a bomb lies about it. */
function lieAboutSizes(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let at = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; ) {
    out.writeUInt32LE(size, at + 24);
    at = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4);
  }
  return out;
}

describe('artifact zips', () => {
  it('inflates only the wanted entries: a huge other entry is never inflated', () => {
    const bomb = Buffer.alloc(256 * 1024 * 1024); // 256 MiB of zeros: about 256 KB deflated
    const zip = lieAboutSizes(storedZip({ 'metrics.json': METRICS, 'payload.bin': bomb }), 10);
    expect(zip.length).toBeLessThan(1024 * 1024);
    const { entries, names } = readZip(zip, json);
    expect(names).toEqual(['metrics.json', 'payload.bin']);
    expect([...entries.keys()]).toEqual(['metrics.json']);
    expect(entries.get('metrics.json')?.toString()).toBe(METRICS);
  });

  it('stops inflating a wanted entry at the limit even when its header lies about its size', () => {
    const zip = lieAboutSizes(storedZip({ 'metrics.json': Buffer.alloc(ZIP_ENTRY_MAX_BYTES * 4) }), 100);
    const error = (() => {
      try {
        readZip(zip, json);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toBe(
      `artifact metrics of run 7: entry "metrics.json" inflates to more than ${ZIP_ENTRY_MAX_BYTES} bytes, the most read from an artifact.`,
    );
  });

  it.each([
    ['not a zip', Buffer.from('<html>rate limited</html>')],
    ['a truncated zip', storedZip({ 'metrics.json': METRICS }).subarray(0, 40)],
    [
      'an end record pointing outside the file',
      (() => {
        const zip = storedZip({ 'metrics.json': METRICS });
        zip.writeUInt32LE(0xfffffff0, zip.length - 22 + 16);
        return zip;
      })(),
    ],
    [
      'a corrupt deflate stream',
      (() => {
        const zip = storedZip({ 'metrics.json': METRICS });
        const data = deflateRawSync(Buffer.from(METRICS));
        zip.fill(0xff, 30 + 'metrics.json'.length, 30 + 'metrics.json'.length + data.length);
        return zip;
      })(),
    ],
  ])('refuses %s with a user error naming the artifact', (_, zip) => {
    expect(() => readZip(zip, json)).toThrow(UserError);
    expect(() => readZip(zip, json)).toThrow(/^artifact metrics of run 7/);
  });
});
