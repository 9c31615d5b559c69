/**
 * C1 controls, bidi overrides and zero-width characters from data are shown as `<U+XXXX>` in
 * comments, summaries and logs: they got through as they were, so a column could read as another
 * or a terminal could obey a C1 control.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripControlSequences } from '../../shared/src/platform/untrusted-text.js';
import { escapeMarkdown, inlineCode } from '../../shared/src/report/markdown.js';
import { runSourceStep } from '../reliability/source-step.js';
import { INVISIBLE_CASES, INVISIBLE_CHARACTERS } from './corpus.js';

const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;

describe('invisible characters', () => {
  it.each(INVISIBLE_CASES)('$kind is revealed by every escaper', ({ text }) => {
    expect(INVISIBLE_CHARACTERS.test(text)).toBe(true); // the check can fail
    for (const out of [escapeMarkdown(text), inlineCode(text), stripControlSequences(text)]) {
      expect(out).not.toMatch(INVISIBLE_CHARACTERS);
      expect(out).toMatch(/U\\?\+[0-9A-F]{4}/); // markdown escapes the + as \+
    }
  });

  it('reach neither the summary nor the log of data-validate', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-invisible-'));
    const header = ['amount', ...INVISIBLE_CASES.map((c) => c.text), 'segment'].map(quote).join(',');
    const rows = Array.from({ length: 40 }, (_, i) =>
      [i, ...INVISIBLE_CASES.map(() => i % 5), quote(INVISIBLE_CASES[i % INVISIBLE_CASES.length]!.text)].join(
        ',',
      ),
    );
    writeFileSync(join(workspace, 'data.csv'), `${header}\n${rows.join('\n')}\n`);
    writeFileSync(
      join(workspace, 'schema.yaml'),
      'columns:\n  amount:\n    type: numeric\n  segment:\n    type: categorical\n    allowed_values: [retail]\n',
    );
    const result = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'data.csv', schema: 'schema.yaml', 'fail-on': 'never' },
    });
    // The corpus reached the summary and the log, revealed.
    expect(result.summary).toMatch(/U\\?\+202E/);
    expect(result.stdout).toContain('U+202E');
    expect(result.summary).not.toMatch(INVISIBLE_CHARACTERS);
    expect(result.stdout).not.toMatch(INVISIBLE_CHARACTERS);
  });
});
