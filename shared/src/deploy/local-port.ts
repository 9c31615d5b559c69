import { UserError } from '../errors/index.js';
import { DEFAULT_SERVE_PORT } from '../serve/run-serve.js';

/** Ports of the environments most projects have; every other name gets a port of its own below. */
const WELL_KNOWN: Readonly<Record<string, number>> = {
  production: DEFAULT_SERVE_PORT,
  staging: DEFAULT_SERVE_PORT + 1,
};
const HASHED_FROM = DEFAULT_SERVE_PORT + 9;
const HASHED_RANGE = 490;

/**
 * `environment=port` pairs (the deploy `ports` input, or `deploy.ports` in mlops.yml), checked:
 * a bad pair names itself rather than silently falling back to a default.
 */
export function parsePorts(pairs: readonly string[]): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const pair of pairs) {
    const match = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(pair);
    const port = match ? Number(match[2]) : Number.NaN;
    if (!match || !(port >= 1 && port <= 65535)) {
      throw new UserError(
        `Input 'ports' takes environment=port pairs with a port from 1 to 65535 (e.g. 'staging=8601'); got '${pair.trim()}'.`,
        { input: 'ports' },
      );
    }
    ports[match[1]] = port;
  }
  return ports;
}

/** FNV-1a: a fixed, platform-independent hash, so an environment's port never changes between runs. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Where a new local server of `environment` listens: the configured port, else production 8501,
 * staging 8502, any other environment a fixed port in 8510-8999 from its name. The same every run,
 * so bookmarks, smoke tests and clients keep working across deploys.
 */
export function localServerPort(environment: string, configured: Record<string, number> = {}): number {
  return (
    configured[environment] ?? WELL_KNOWN[environment] ?? HASHED_FROM + (fnv1a(environment) % HASHED_RANGE)
  );
}
