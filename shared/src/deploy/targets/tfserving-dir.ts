/**
 * The `tfserving-dir` target: copies the version into `<base>/<name>/<n>/`, the layout TF Serving,
 * Triton and `mlops serve --base-dir` watch. The files are copied into a hidden staging folder
 * beside it and renamed into place in one step, so a watcher never sees a half-copied version.
 * Rollback renames the folder away (the watcher falls back to the highest remaining version) and
 * then deletes it.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../errors/index.js';
import { crashPoint } from '../../files/crash-point.js';
import { sha256File } from '../../registry/files.js';
import { DeployFailure } from '../deploy-failure.js';
import type { DeployOutcome, DeployRequest, DeployTarget } from '../target.js';

export interface TfServingDirOptions {
  /** The base folder holding one subfolder per model. */
  path: string;
  /** A TF Serving-compatible server watching the folder, to smoke-test (optional). */
  serverUrl?: string;
}

async function versionsIn(folder: string): Promise<number[]> {
  try {
    const names = await readdir(folder, { withFileTypes: true });
    return names
      .filter((d) => d.isDirectory() && /^[1-9][0-9]*$/.test(d.name))
      .map((d) => Number(d.name))
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

async function sameFiles(folder: string, files: { path: string; sha256: string }[]): Promise<boolean> {
  for (const file of files) {
    try {
      if ((await sha256File(join(folder, file.path))).sha256 !== file.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export class TfServingDirTarget implements DeployTarget {
  readonly kind = 'tfserving-dir' as const;
  private placed: string | undefined;

  constructor(private readonly options: TfServingDirOptions) {}

  async deploy(request: DeployRequest): Promise<DeployOutcome> {
    if (!this.options.path)
      throw new UserError(`The tfserving-dir target needs path: the base folder (e.g. /models).`, {
        input: 'path',
      });
    const modelDir = join(this.options.path, request.name);
    const finalDir = join(modelDir, String(request.version));
    await mkdir(modelDir, { recursive: true });
    const before = await versionsIn(modelDir);
    const previousVersion = before.filter((v) => v !== request.version).at(-1);
    const url = this.options.serverUrl ?? `file://${finalDir}`;
    if (before.includes(request.version)) {
      if (await sameFiles(finalDir, request.record.files)) {
        return {
          url,
          serverUrl: this.options.serverUrl,
          previousVersion,
          notes: [`${finalDir} already holds version ${request.version}; left as it is.`],
        };
      }
      throw new DeployFailure(
        `${finalDir} exists with different files than version ${request.version}; remove it or pick another base folder.`,
      );
    }
    const staging = join(modelDir, `.staging-${request.version}-${randomUUID()}`);
    try {
      const source = (await stat(request.path)).isDirectory() ? request.path : dirname(request.path);
      for (const file of request.record.files) {
        await mkdir(dirname(join(staging, file.path)), { recursive: true });
        await copyFile(join(source, file.path), join(staging, file.path));
        await crashPoint('tfserving-dir:copying');
      }
      if (!(await sameFiles(staging, request.record.files)))
        throw new DeployFailure('the staged copy does not match the registered sha256 digests');
      await crashPoint('tfserving-dir:staged');
      await rename(staging, finalDir);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (
        (error as NodeJS.ErrnoException).code === 'ENOTEMPTY' ||
        (error as NodeJS.ErrnoException).code === 'EEXIST'
      ) {
        throw new DeployFailure(
          `Another deploy put version ${request.version} into ${modelDir} at the same time.`,
        );
      }
      throw error;
    }
    this.placed = finalDir;
    return {
      url,
      serverUrl: this.options.serverUrl,
      previousVersion,
      notes: [`Staged and renamed version ${request.version} into ${finalDir}.`],
    };
  }

  async rollback(): Promise<string> {
    const placed = this.placed;
    if (!placed) return 'nothing was placed';
    // Renamed first so a watcher sees the version vanish at once, then deleted.
    const away = join(dirname(placed), `.removed-${basename(placed)}-${randomUUID()}`);
    await rename(placed, away);
    await rm(away, { recursive: true, force: true });
    this.placed = undefined;
    return `removed ${placed}; the watcher serves the highest remaining version`;
  }
}
