/**
 * `mlops demo --port 0` through the built CLI (`npm run build`): the deployed server picks a free
 * port, and the demo sends its traffic where the deploy says the server listens (it used to send
 * it to port 0 and stop with "fetch failed"). About 20 s.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mlops } from '../e2e/penguins-project.js';

const work = mkdtempSync(join(tmpdir(), 'mlops-demo-port0-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('mlops demo', () => {
  it('--port 0 serves on a free port and sends the traffic there', () => {
    const run = mlops(work, ['demo', '--dir', 'd', '--port', '0']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).not.toMatch(/fetch failed/);
    const deployed = /deploy +v1 serving at http:\/\/127\.0\.0\.1:(\d+), status success/.exec(run.stdout);
    expect(deployed, run.stdout).not.toBeNull();
    expect(Number(deployed![1])).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/traffic +200 predictions logged/);
    // The request log the drift check read holds that traffic.
    expect(readdirSync(join(work, 'd/.mlops/serve')).length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/drift-check +drift (true|false)/);
  }, 180_000);
});
