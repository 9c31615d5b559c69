import { details } from './markdown.js';

/** GitHub's limits, in characters (we count UTF-16 code units, which is never fewer). */
export const COMMENT_LIMIT = 65_536;
export const CHECK_SUMMARY_LIMIT = 65_535;
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export interface Section {
  markdown: string;
  /** Lower is more important; the most important sections are dropped last. */
  priority: number;
  /** When set, the section may be folded into `<details>` under this summary. */
  collapse?: string;
}

export interface FitOptions {
  limit: number;
  /** Trusted markdown pointing to the full report (artifact, job summary); added when anything is cut. */
  pointer: string;
  /** Always kept verbatim at the end (markers, hidden data). */
  footer?: string;
}

export interface FitResult {
  markdown: string;
  truncated: boolean;
}

/**
 * Assembles sections into one body of at most `limit` characters: first as is; if too long,
 * foldable sections go into `<details>` (for a readable page, GitHub counts them the same), then
 * the least important sections are dropped, then the last one left is cut at a line boundary with
 * its open blocks closed. Whatever was cut is replaced by the pointer to the full report.
 */
export function fitSections(sections: readonly Section[], options: FitOptions): FitResult {
  const footer = options.footer ? `\n\n${options.footer}` : '';
  const join = (parts: string[]) => parts.filter((part) => part !== '').join('\n\n') + footer;
  const plain = join(sections.map((section) => section.markdown));
  if (plain.length <= options.limit) return { markdown: plain, truncated: false };

  const folded = sections.map((section) =>
    section.collapse ? { ...section, markdown: details(section.collapse, section.markdown) } : { ...section },
  );
  const pointer = `> [!NOTE]\n> ${options.pointer}`;
  // Least important first; the most important section is never dropped, only cut.
  const dropOrder = folded
    .map((section, index) => ({ index, priority: section.priority }))
    .sort((a, b) => b.priority - a.priority || b.index - a.index)
    .map((entry) => entry.index);
  const essential = dropOrder.pop() ?? 0;
  const kept = folded.map((section) => section.markdown);
  const withPointer = () => join([...kept, pointer]);
  for (const index of dropOrder) {
    if (withPointer().length <= options.limit) return { markdown: withPointer(), truncated: true };
    kept[index] = '';
  }
  if (withPointer().length <= options.limit) return { markdown: withPointer(), truncated: true };
  const others = join(kept.map((part, index) => (index === essential ? '' : part)).concat(pointer)).length;
  kept[essential] = truncateMarkdown(kept[essential] ?? '', Math.max(0, options.limit - others - 4));
  return { markdown: withPointer().slice(0, options.limit), truncated: true };
}

/**
 * Cuts markdown to at most `max` characters at a line boundary and closes what the cut left open
 * (code fences, `<details>` blocks), so the rest of the page still renders.
 */
export function truncateMarkdown(markdown: string, max: number): string {
  if (markdown.length <= max) return markdown;
  const closers = (text: string) => {
    let suffix = '';
    const fences = (text.match(/^```/gm) ?? []).length;
    if (fences % 2 === 1) suffix += '\n```';
    const open = (text.match(/<details[\s>]/g) ?? []).length - (text.match(/<\/details>/g) ?? []).length;
    for (let index = 0; index < open; index += 1) suffix += '\n\n</details>';
    return suffix;
  };
  let cut = markdown.lastIndexOf('\n', max);
  if (cut <= 0) cut = max;
  let head = markdown.slice(0, cut);
  // The closers take room too; shorten until head + closers fit.
  while (head.length + closers(head).length + 2 > max && head.length > 0) {
    const previous = head.lastIndexOf('\n', head.length - 1);
    head = head.slice(0, previous > 0 ? previous : Math.max(0, head.length - 100));
  }
  return `${head}\n…${closers(head)}`;
}
