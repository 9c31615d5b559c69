import { fits, measure, type TextLimit } from './github-limits.js';
import { details } from './markdown.js';

export interface Section {
  markdown: string;
  /** Lower is more important; the most important sections get the room first. */
  priority: number;
  /** When set, the section may be folded into `<details>` under this summary. */
  collapse?: string;
  /**
   * When set, the section can also be shown with only its `kept` most important items (rows of
   * a table, most important first) and a note of what was left out; `render(count)` is the whole.
   */
  shorten?: { count: number; render(kept: number): string };
}

export interface FitOptions {
  /** GitHub's limit on the body, in the unit GitHub counts (see github-limits.ts). */
  limit: TextLimit;
  /** Trusted markdown pointing to the full report (artifact, job summary); added when anything is cut. */
  pointer: string;
  /** Always kept verbatim at the end (markers, hidden data); the caller keeps it well under the limit. */
  footer?: string;
}

export interface FitResult {
  markdown: string;
  truncated: boolean;
}

/**
 * Assembles sections into one body within `limit`: first as is; if too big, foldable sections go
 * into `<details>` (for a readable page; GitHub counts them the same) and the sections take the
 * room in order of importance: each one whole if it fits, else with as many of its most
 * important items as fit (a section that can shorten), else left out. The most important section
 * is never left out: at worst it is cut at a line boundary with its open blocks closed. Whatever
 * was left out is replaced by the pointer to the full report. The footer is never cut.
 */
export function fitSections(sections: readonly Section[], options: FitOptions): FitResult {
  const { limit } = options;
  const footer = options.footer ? `\n\n${options.footer}` : '';
  const join = (parts: readonly string[]) => parts.filter((part) => part !== '').join('\n\n') + footer;
  const plain = join(sections.map((section) => section.markdown));
  if (fits(plain, limit)) return { markdown: plain, truncated: false };

  const pointer = `> [!NOTE]\n> ${options.pointer}`;
  if (!fits(join([pointer]), limit)) {
    // The footer is hidden state (a marker, a history block): cutting it would corrupt it.
    throw new Error(
      `The footer and pointer alone (${measure(join([pointer]), limit.unit)} ${limit.unit}) do not fit ${limit.what} (${limit.max} ${limit.unit}).`,
    );
  }
  const fold = (section: Section, markdown: string) =>
    section.collapse && markdown !== '' ? details(section.collapse, markdown) : markdown;
  const chosen = sections.map(() => '');
  const fitsWith = (index: number, markdown: string) => {
    const parts = [...chosen, pointer];
    parts[index] = markdown;
    return fits(join(parts), limit);
  };
  const order = sections
    .map((section, index) => ({ index, priority: section.priority }))
    .sort((a, b) => a.priority - b.priority || a.index - b.index)
    .map((entry) => entry.index);
  for (const [rank, index] of order.entries()) {
    const section = sections[index]!;
    const essential = rank === 0;
    const whole = fold(section, section.markdown);
    if (fitsWith(index, whole)) {
      chosen[index] = whole;
      continue;
    }
    const shortened = section.shorten ? largestFitting(section, index, essential ? 0 : 1) : undefined;
    if (shortened !== undefined) chosen[index] = shortened;
    else if (essential) {
      // Not even its shortest form fits: cut it, leaving room for the closers and the pointer.
      const shortest = section.shorten ? section.shorten.render(0) : section.markdown;
      const others = measure(
        join(chosen.map((part, i) => (i === index ? '' : part)).concat(pointer)),
        limit.unit,
      );
      chosen[index] = truncateMarkdown(shortest, { ...limit, max: Math.max(0, limit.max - others - 4) });
    }
  }
  return { markdown: join([...chosen, pointer]), truncated: true };

  /** The section with the most items that fit (binary search from `least`), or undefined if none. */
  function largestFitting(section: Section, index: number, least: number): string | undefined {
    const shorten = section.shorten!;
    const render = (kept: number) => fold(section, shorten.render(kept));
    let low = least;
    let high = shorten.count - 1;
    let best: string | undefined;
    while (low <= high) {
      const middle = Math.floor((low + high) / 2);
      const candidate = render(middle);
      if (fitsWith(index, candidate)) {
        best = candidate;
        low = middle + 1;
      } else high = middle - 1;
    }
    return best;
  }
}

/**
 * Cuts markdown to fit `limit` at a line boundary and closes what the cut left open (code fences,
 * `<details>` blocks), so the rest of the page still renders.
 */
export function truncateMarkdown(markdown: string, limit: Pick<TextLimit, 'max' | 'unit'>): string {
  const size = (text: string) => measure(text, limit.unit);
  if (size(markdown) <= limit.max) return markdown;
  const closers = (text: string) => {
    let suffix = '';
    const fences = (text.match(/^```/gm) ?? []).length;
    if (fences % 2 === 1) suffix += '\n```';
    const open = (text.match(/<details[\s>]/g) ?? []).length - (text.match(/<\/details>/g) ?? []).length;
    for (let index = 0; index < open; index += 1) suffix += '\n\n</details>';
    return suffix;
  };
  // A first cut by characters (never fewer than bytes), then whole lines until head + closers fit.
  let cut = markdown.lastIndexOf('\n', limit.max);
  if (cut <= 0) cut = Math.min(markdown.length, limit.max);
  // A cut between the two halves of a surrogate pair would leave a lone half (U+FFFD on GitHub).
  let head = markdown.slice(0, cut).replace(/[\uD800-\uDBFF]$/, '');
  while (head.length > 0 && size(`${head}\n…${closers(head)}`) > limit.max) {
    const previous = head.lastIndexOf('\n', head.length - 1);
    head = previous > 0 ? head.slice(0, previous) : Array.from(head).slice(0, -100).join('');
  }
  return head === '' ? '…' : `${head}\n…${closers(head)}`;
}
