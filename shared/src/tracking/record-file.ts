import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UserError } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import type { Log } from '../logging/index.js';
import { type NewRunRecord, parseNewRunRecord } from './record.js';
import { appendOrWarn, type PublishOutcome, publishRunRecords, type RunStore } from './store.js';

/**
 * The file a train run leaves its record in, inside the folder it trained into. train holds no
 * GitHub token (it runs the user's code), so a step that does (evaluate with tracking: github, or
 * `mlops runs push`) publishes these files to the GitHub store; they travel in the model artifact.
 */
export const RUN_RECORD_FILE = 'run-record.json';

/** Folders deeper than this under the path given are not searched for records. */
const MAX_DEPTH = 8;

/**
 * Keeps a train run's record: run-record.json in the folder it trained into (for a later publish)
 * and an append to the store. Neither failing fails the run it describes: each is a warning.
 */
export async function keepTrainRecord(
  store: RunStore | undefined,
  folder: string,
  record: NewRunRecord,
  log: Log,
): Promise<void> {
  // No store: tracking is off, and the run leaves no record anywhere.
  if (!store) return;
  try {
    await writeFileAtomic(join(folder, RUN_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  } catch (error) {
    log.warning(`Could not write ${join(folder, RUN_RECORD_FILE)}: ${(error as Error).message}`);
  }
  await appendOrWarn(store, record, log);
}

/**
 * The records under `path`: the file itself, or every run-record.json in the folder and its
 * subfolders (a search's trials, downloaded trial artifacts). Symbolic links are not followed.
 * Records from an artifact are untrusted: each is checked field by field, and one that is
 * malformed is an error naming its file, before anything is published.
 */
export async function readRunRecordFiles(path: string, input: string): Promise<NewRunRecord[]> {
  const files: string[] = [];
  const visit = async (at: string, depth: number): Promise<void> => {
    const info = await lstat(at);
    if (info.isFile()) {
      files.push(at);
      return;
    }
    if (!info.isDirectory() || depth > MAX_DEPTH) return;
    const entries = await readdir(at, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.isDirectory()) await visit(join(at, entry.name), depth + 1);
      else if (entry.isFile() && entry.name === RUN_RECORD_FILE) files.push(join(at, entry.name));
    }
  };
  try {
    await visit(path, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UserError(`${input}: ${path} does not exist.`, { input, file: path });
    throw error;
  }
  const records: NewRunRecord[] = [];
  for (const file of files) {
    try {
      records.push(parseNewRunRecord(await readFile(file, 'utf8'), relative(process.cwd(), file) || file));
    } catch (error) {
      throw new UserError(`${input}: ${(error as Error).message}.`, { input, file });
    }
  }
  if (records.length === 0)
    throw new UserError(
      `${input}: no ${RUN_RECORD_FILE} in ${path} (train writes one into each folder it trains in).`,
      {
        input,
        file: path,
      },
    );
  return records;
}

/**
 * Publishes the records found under `path` to `store`, once each, and says what it did. A
 * malformed record is an error before anything is published; a store that cannot be written is a
 * warning, as for the step's own record (undefined is returned).
 */
export async function publishRunRecordFiles(
  store: RunStore,
  path: string,
  input: string,
  log: Log,
): Promise<PublishOutcome | undefined> {
  const records = await readRunRecordFiles(path, input);
  let outcome: PublishOutcome;
  try {
    outcome = await publishRunRecords(store, records);
  } catch (error) {
    log.warning(
      `Could not publish the run records of ${path} to ${store.location}: ${(error as Error).message}`,
    );
    return undefined;
  }
  for (const run of outcome.appended)
    log.info(
      `Published run ${run.run_id.slice(0, 8)} as ${run.experiment}#${run.number} in ${store.location}.`,
    );
  for (const run of outcome.alreadyStored)
    log.info(
      `Run ${run.run_id.slice(0, 8)} is already ${run.experiment}#${run.number} in ${store.location}.`,
    );
  return outcome;
}
