import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitSections, truncateMarkdown } from '../../../shared/src/report/fit.js';
import type { TextLimit } from '../../../shared/src/report/github-limits.js';
import { decodeHiddenData, encodeHiddenData, stickyMarker } from '../../../shared/src/report/hidden-data.js';
import { escapeMarkdown, inlineCode, markdownTable } from '../../../shared/src/report/markdown.js';
import { lineChart } from '../../../shared/src/report/mermaid.js';

/** GitHub's own renderer (Debian's cmark-gfm) with the extensions github.com enables. */
function render(markdown: string): string {
  return execFileSync(
    '/usr/bin/cmark-gfm',
    ['-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tagfilter'],
    {
      input: markdown,
    },
  ).toString();
}

/** The text content of rendered HTML, entities decoded. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

describe('escapeMarkdown', () => {
  const nasty = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<!-- mlops:compare-baseline:x -->',
    '**bold** _it_ `code` ~~s~~',
    '[link](https://evil.example) https://evil.example www.evil.example',
    '# heading',
    '> quote',
    '1. list',
    '- item',
    'a | b',
    '&#64;user &lt;b&gt;',
    '\\*',
  ];

  it('renders every nasty value as its literal text, in a table cell, with no tags', () => {
    const html = render(
      markdownTable(
        ['value'],
        nasty.map((value) => [escapeMarkdown(value)]),
      ),
    );
    const cells = [...html.matchAll(/<td>(.*?)<\/td>/g)].map((match) => match[1]!);
    expect(cells).toHaveLength(nasty.length);
    cells.forEach((cell, index) => {
      expect(cell).not.toMatch(/<(?!\/?td)/);
      // Only the invisible reference breaker may differ.
      expect(text(cell).replace(/\u200B/g, '')).toBe(nasty[index]);
    });
  });

  it('breaks @mentions and #refs with an invisible character', () => {
    const html = render(escapeMarkdown('@octocat and @org/team fixed #12 and GH-3'));
    expect(html).not.toMatch(/@octocat|@org|#12|GH-3/);
    expect(text(html).replace(/\u200B/g, '')).toBe('@octocat and @org/team fixed #12 and GH-3');
  });

  it('keeps any string literal (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const escaped = escapeMarkdown(value);
        expect(escaped).not.toMatch(/[<>\n]/);
        expect(escaped).not.toContain('<!--');
      }),
    );
  });

  it('inlineCode survives backticks and pipes inside a table', () => {
    const html = render(markdownTable(['code'], [[inlineCode('a`b|c')]]));
    expect(html).toContain('<code>a`b|c</code>');
  });
});

const chars = (max: number): TextLimit => ({ max, unit: 'characters', what: 'a test body' });

describe('fitSections', () => {
  it('returns the text as is when it fits', () => {
    expect(
      fitSections([{ markdown: 'a', priority: 0 }], { limit: chars(100), pointer: 'see report' }),
    ).toEqual({
      markdown: 'a',
      truncated: false,
    });
  });

  it('drops the least important sections first, then cuts, always keeping the footer', () => {
    const sections = [
      { markdown: `main\n${'row\n'.repeat(100)}`, priority: 0 },
      { markdown: 'x'.repeat(5000), priority: 2, collapse: 'Big' },
      { markdown: 'slices', priority: 1, collapse: 'Slices' },
    ];
    const dropped = fitSections(sections, {
      limit: chars(1000),
      pointer: 'Full report: artifact',
      footer: '<!-- marker -->',
    });
    expect(dropped.truncated).toBe(true);
    expect(dropped.markdown.length).toBeLessThanOrEqual(1000);
    expect(dropped.markdown).toContain('<summary>Slices</summary>');
    expect(dropped.markdown).not.toContain('xxxx');
    expect(dropped.markdown.endsWith('<!-- marker -->')).toBe(true);
    const cut = fitSections(sections, {
      limit: chars(200),
      pointer: 'Full report: artifact',
      footer: '<!-- marker -->',
    });
    expect(cut.markdown.length).toBeLessThanOrEqual(200);
    expect(cut.markdown).toContain('Full report: artifact');
    expect(cut.markdown).toContain('<!-- marker -->');
  });

  it('closes a fence or details block the cut left open', () => {
    const cut = truncateMarkdown(
      `<details>\n<summary>s</summary>\n\n\`\`\`\n${'line\n'.repeat(50)}\`\`\`\n</details>`,
      chars(80),
    );
    expect(cut.length).toBeLessThanOrEqual(80);
    expect(cut.match(/```/g)!.length % 2).toBe(0);
    expect(cut).toContain('</details>');
  });
});

describe('hidden data and markers', () => {
  it('round-trips data that contains comment terminators', () => {
    const body = `text\n${encodeHiddenData('compare-baseline', { history: [{ sha: '-->', metrics: { a: 1 } }] })}`;
    expect(body.indexOf('-->')).toBe(body.length - 3);
    expect(decodeHiddenData(body, 'compare-baseline')).toEqual({
      history: [{ sha: '-->', metrics: { a: 1 } }],
    });
    expect(decodeHiddenData('no data', 'compare-baseline')).toBeUndefined();
  });

  it('markers cannot be closed early by the key', () => {
    expect(stickyMarker('compare-baseline', 'a --> <b>')).toBe('<!-- mlops:compare-baseline:a_-___b_ -->');
  });
});

describe('lineChart', () => {
  it('draws finite points with sanitised labels, and nothing for a single point', () => {
    const chart = lineChart({
      title: 'acc "x"',
      xLabels: ['abc', 'def', 'ghi'],
      series: { name: 'acc', values: [0.5, Number.NaN, 0.6] },
    })!;
    expect(chart).toContain('xychart-beta');
    expect(chart).toContain('title "acc _x_"');
    expect(chart).toContain('line [0.5, 0.6]');
    expect(lineChart({ title: 't', xLabels: ['a'], series: { name: 'a', values: [1] } })).toBeUndefined();
  });
});
