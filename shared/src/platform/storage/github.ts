import type { Log } from '../../logging/index.js';
import type { ArtifactStore, CacheStore, UploadedArtifact } from './types.js';

/*
 * @actions/cache and @actions/artifact read ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL and friends
 * when they are called (and some at import), so they are imported lazily: a step that never
 * touches the cache never loads them, and tests can set the environment first.
 */

/** GitHub's artifact service (v2 twirp API through @actions/artifact 6). */
export class GitHubArtifactStore implements ArtifactStore {
  readonly kind = 'github' as const;

  /** `runUrl`: this workflow run's page; an artifact's page is under it, as upload-artifact reports. */
  constructor(private readonly runUrl?: string) {}

  async upload(name: string, files: string[], rootDir: string): Promise<UploadedArtifact> {
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    const result = await client.uploadArtifact(name, files, rootDir);
    const id = String(result.id ?? '');
    return {
      id,
      size: result.size ?? 0,
      url: this.runUrl && id !== '' ? `${this.runUrl}/artifacts/${id}` : '',
    };
  }

  async download(name: string, destination: string): Promise<string> {
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    const { artifact } = await client.getArtifact(name);
    const result = await client.downloadArtifact(artifact.id, { path: destination });
    return result.downloadPath ?? destination;
  }
}

/** GitHub's cache service (v2 twirp API through @actions/cache 6). */
export class GitHubCacheStore implements CacheStore {
  readonly kind = 'github' as const;

  constructor(private readonly log: Log) {}

  async restore(
    paths: string[],
    primaryKey: string,
    restoreKeys: string[] = [],
  ): Promise<string | undefined> {
    const cache = await import('@actions/cache');
    if (!cache.isFeatureAvailable()) {
      this.log.warning(
        'The GitHub cache service is not available to this job; continuing without the cache.',
      );
      return undefined;
    }
    try {
      return await cache.restoreCache(paths, primaryKey, restoreKeys);
    } catch (error) {
      // A cache outage must not fail training: it only costs time.
      this.log.warning(`Restoring the cache failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  async save(paths: string[], key: string): Promise<boolean> {
    const cache = await import('@actions/cache');
    if (!cache.isFeatureAvailable()) return false;
    try {
      const id = await cache.saveCache(paths, key);
      return id !== -1;
    } catch (error) {
      this.log.warning(`Saving the cache under '${key}' failed: ${(error as Error).message}`);
      return false;
    }
  }
}
