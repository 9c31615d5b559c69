/**
 * Where a step keeps files between runs (cache) and hands files to people and later jobs
 * (artifacts). On a runner these are GitHub's cache and artifact services; in a terminal, folders.
 * Domain code gets them as plain interfaces and never imports `@actions/*`.
 */

export interface UploadedArtifact {
  /** The artifact id (GitHub's numeric id as a string; a local sequence number in folders). */
  id: string;
  size: number;
  /** Where a person downloads it: the run's artifact page on GitHub, a file URL locally; '' when unknown. */
  url: string;
}

export interface ArtifactStore {
  readonly kind: 'github' | 'local';
  /** Uploads `files` (absolute paths under `rootDir`), keeping their paths relative to it. */
  upload(name: string, files: string[], rootDir: string): Promise<UploadedArtifact>;
  /** Downloads the artifact called `name` of this run into `destination`; returns that folder. */
  download(name: string, destination: string): Promise<string>;
}

export interface CacheStore {
  readonly kind: 'github' | 'local';
  /**
   * Restores `paths` from the entry `primaryKey`, or else from the newest entry whose key starts
   * with one of `restoreKeys` (in order). Returns the matched key, or undefined on a miss. The
   * same `paths` must be given to save and restore: the GitHub cache versions entries by them.
   */
  restore(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  /** Saves `paths` under `key`. False (with the reason logged) when it was not saved, e.g. the key exists. */
  save(paths: string[], key: string): Promise<boolean>;
}
