import { rename, writeFile } from 'node:fs/promises';

/** Write to a sibling temp file, then rename: readers see the old file or the new one, never half. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}
