import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderModelCard } from '../../../shared/src/registry/model-card.js';
import type { VersionRecord } from '../../../shared/src/registry/record.js';

const hostile: VersionRecord = {
  schema: 'mlops-model-version/v1',
  name: 'churn',
  version: 7,
  created_at: '2026-01-02T03:04:05.000Z',
  created_by: '@octocat <b>',
  digest: `sha256:${'0'.repeat(64)}`,
  model: { kind: 'directory', entry: null },
  files: [{ path: 'weights|x`y.bin', sha256: 'a'.repeat(64), size: 2048 }],
  git_sha: null,
  run_url: null,
  metrics: {
    schema: 'mlops-metrics/v1',
    task: 'classification',
    dataset: { path: 'data/<script>.csv\n---\nowned: true', rows: 10 },
    metrics: {
      '<img src=x onerror=alert(1)>': { value: 0.5, ci: [0.4, 0.6], n: 10 },
      accuracy: { value: 0.9 },
    },
  },
  profile: null,
  signature: { inputs: ['```'], outputs: [] },
  preprocessing: null,
  tags: ['@everyone', 'key: value'],
  status: 'forced',
  gates: [{ metric: 'accuracy', operator: '>=', threshold: 0.95, value: 0.9, passed: false }],
};

describe('renderModelCard', () => {
  it('keeps values from data inert in the markdown and the YAML front matter', () => {
    const card = renderModelCard(hostile);
    const [, front] = card.split(/^---$/m);
    const meta = parseYaml(front) as Record<string, unknown>;
    expect(meta['datasets']).toEqual(['data/<script>.csv\n---\nowned: true']);
    expect(meta['tags']).toEqual(['@everyone', 'key: value']);
    expect(meta['owned']).toBeUndefined();
    expect(meta['model-index']).toEqual([
      {
        name: 'churn',
        results: [
          {
            task: { type: 'classification' },
            dataset: {
              name: 'data/<script>.csv\n---\nowned: true',
              type: 'data/<script>.csv\n---\nowned: true',
            },
            metrics: [
              { type: '<img src=x onerror=alert(1)>', value: 0.5, name: '<img src=x onerror=alert(1)>' },
              { type: 'accuracy', value: 0.9, name: 'accuracy' },
            ],
          },
        ],
      },
    ]);
    expect(card.match(/^---$/gm)).toHaveLength(2);
    // Outside code spans and blocks (which GitHub shows verbatim) no live HTML and no mention.
    const markdown = card.slice(card.indexOf('\n---\n', 4) + 5);
    const prose = markdown.replace(/(`+)[\s\S]*?\1/g, '');
    expect(prose).not.toMatch(/<img|<script|<b>/);
    expect(prose).not.toMatch(/@octocat|@everyone/);
    expect(prose).toContain('&lt;img src=x');
    expect(markdown).toContain('# churn version 7');
    expect(markdown).toContain('FAILED');
    expect(markdown).toContain('Registered although required metric gates failed');
    expect(markdown).toContain('No data profile was stored');
    // The signature's own ``` cannot close the code block around it.
    expect(markdown).toMatch(/````json\n[\s\S]*```[\s\S]*\n````/);
  });
});
