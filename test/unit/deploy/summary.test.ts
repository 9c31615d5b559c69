import { describe, expect, it } from 'vitest';
import { renderDeploySummary } from '../../../shared/src/deploy/summary.js';

describe('deploy summary', () => {
  const base = {
    deploymentId: 17,
    url: 'http://127.0.0.1:8501',
    version: 2,
    previousVersion: 1,
    model: 'penguins',
    environment: 'production',
    target: 'local-server',
    alias: 'production',
    notes: [],
  };

  it('shows the outcome, the facts and each smoke check', () => {
    const text = renderDeploySummary({
      ...base,
      status: 'rolled_back',
      message: 'The smoke test failed; rolled back.',
      smoke: {
        passed: false,
        checks: [
          { name: 'status', passed: true, detail: 'version 2 is AVAILABLE' },
          { name: 'case 1', passed: false, detail: 'output differs' },
        ],
      },
    });
    expect(text).toContain('### Deploy `penguins/2` to `production`: ↩️ rolled back');
    expect(text).toContain('| Previous version | 1 |');
    expect(text).toContain('| `production` not moved |');
    expect(text).toContain('| case 1 | ❌ | output differs |');
  });

  it('escapes text that comes from servers and files', () => {
    const text = renderDeploySummary({
      ...base,
      status: 'failure',
      message: 'HTTP 500: <img src=x> @octocat | fixes #12',
      smoke: { passed: false, checks: [{ name: 'case <b>', passed: false, detail: '| broken | row' }] },
      notes: ['@team see <script>'],
    });
    expect(text).not.toMatch(/<img|<script|<b>/);
    expect(text).not.toMatch(/@octocat|@team/);
    expect(text).toContain('&lt;img src=x&gt;');
    expect(text).toContain('\\| broken \\| row');
  });
});
