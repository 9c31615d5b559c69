/**
 * Markdown building blocks for PR comments, check-run summaries and job summaries.
 *
 * Anything that comes from data, files or users (column names, category values, metric names,
 * error messages) goes through `escapeMarkdown` before it is placed in markdown. The renderers
 * here never escape for you except where a parameter's doc says so, so each call site decides
 * once whether its text is trusted.
 */

import { revealInvisible } from '../text/invisible.js';

/** C0 controls except tab and line breaks, and DEL (C1 controls are revealed by revealInvisible). */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** Zero-width space: breaks GitHub's @mention and #ref auto-linking while rendering invisibly. */
const ZERO_WIDTH_SPACE = '\u200B';

/**
 * ASCII punctuation that CommonMark/GFM gives a meaning to somewhere (emphasis, links, code,
 * tables, headings, lists, strikethrough, autolinks). CommonMark lets any ASCII punctuation be
 * backslash-escaped, so escaping a few harmless ones too costs nothing.
 */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]{}()#+\-.!|~:$]/g;

export interface EscapeOptions {
  /**
   * Keep line breaks (as markdown hard breaks). By default every line break becomes a space so
   * the text cannot end a table row or start a block (heading, list, quote, fence).
   */
  multiline?: boolean;
}

/**
 * Makes untrusted text render as the literal characters it contains, in a paragraph or a table
 * cell: no HTML (including `<!-- -->` comments, so a value cannot spoof our hidden markers), no
 * markdown syntax, no @mention pings, no #123 / GH-123 cross-references, no bare-URL autolinks.
 */
export function escapeMarkdown(text: unknown, options: EscapeOptions = {}): string {
  const raw = typeof text === 'string' ? text : String(text);
  // Characters that would be swallowed, invisible or terminal-like are made visible.
  const cleaned = revealInvisible(raw.replace(CONTROL_CHARACTERS, '\uFFFD'));
  const lines = cleaned.split(/\r\n|\r|\n/);
  const escapedLines = lines.map(escapeLine);
  if (options.multiline) {
    // A trailing backslash is a CommonMark hard line break; empty lines would end the paragraph,
    // so they are kept as a lone hard break too.
    return escapedLines.map((line) => (line === '' ? '&#8203;' : line)).join('\\\n');
  }
  return escapedLines.join(' ');
}

function escapeLine(line: string): string {
  return (
    line
      // HTML first: `&` before the others so entities we add are not double-escaped, and so a
      // value cannot smuggle in `&#64;` or `&lt;` of its own.
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(MARKDOWN_PUNCTUATION, '\\$&')
      // Mentions and references are found by GitHub in the rendered text, after markdown escapes
      // are gone, so only an invisible character between the sigil and the name stops them.
      .replace(/@/g, `@${ZERO_WIDTH_SPACE}`)
      .replace(/\\#/g, `\\#${ZERO_WIDTH_SPACE}`)
      .replace(/\b(GH)\\-(?=\d)/gi, `$1${ZERO_WIDTH_SPACE}\\-`)
      // Leading/trailing spaces would be dropped or turn into code-block indentation.
      .replace(/^ +| +$/g, (spaces) => '&#32;'.repeat(spaces.length))
      .replace(/\t/g, '&#9;')
  );
}

/**
 * Untrusted text as an inline code span: shown verbatim in a monospace font. Mentions and HTML
 * inside code spans are not processed by GitHub, so only the backtick fence needs care.
 * Line breaks become spaces (a code span cannot hold them anyway); other control characters are
 * made visible, as in `escapeMarkdown`, so a terminal showing the file does not obey them.
 */
export function inlineCode(text: unknown): string {
  const raw = revealInvisible(
    (typeof text === 'string' ? text : String(text))
      .replace(/\r\n|\r|\n/g, ' ')
      .replace(CONTROL_CHARACTERS, '\uFFFD'),
  );
  if (raw === '') return '` `';
  // Inside a table cell an unescaped `|` still splits the cell, even within backticks.
  const body = raw.replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || /^ .* $/.test(body) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

export type Alignment = 'left' | 'right' | 'center';

export interface TableColumn {
  /** Header text, trusted (written by us). */
  header: string;
  align?: Alignment;
}

/**
 * A GFM table. Headers and cells are trusted markdown: escape untrusted values with
 * `escapeMarkdown` before passing them. Line breaks in cells are turned into `<br>` so a cell
 * cannot end its row.
 */
export function markdownTable(
  columns: readonly (TableColumn | string)[],
  rows: readonly (readonly string[])[],
): string {
  const cols = columns.map((column) => (typeof column === 'string' ? { header: column } : column));
  const cell = (value: string | undefined) => (value ?? '').replace(/\r\n|\r|\n/g, '<br>').trim() || ' ';
  const separator = cols.map((column) => {
    switch (column.align) {
      case 'right':
        return '---:';
      case 'center':
        return ':---:';
      case 'left':
        return ':---';
      default:
        return '---';
    }
  });
  const lines = [
    `| ${cols.map((column) => cell(column.header)).join(' | ')} |`,
    `| ${separator.join(' | ')} |`,
    ...rows.map((row) => `| ${cols.map((_, index) => cell(row[index])).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/**
 * A collapsed section. `summary` is trusted inline markdown/HTML; the blank lines around the body
 * are what make GitHub render markdown inside the `<details>` block.
 */
export function details(summary: string, body: string, options: { open?: boolean } = {}): string {
  return `<details${options.open ? ' open' : ''}>\n<summary>${summary}</summary>\n\n${body.trim()}\n\n</details>`;
}

/** A hidden HTML comment. The text must not contain `--` sequences that could close it early. */
export function hiddenComment(text: string): string {
  return `<!-- ${text.replace(/--/g, '- -')} -->`;
}
