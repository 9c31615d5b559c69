/**
 * Checks markdown the suite wrote (step summary, PR comment, issue body) for markup that came from
 * untrusted data. The markdown is rendered by cmark-gfm (GitHub's renderer) with raw HTML allowed,
 * as GitHub does before sanitising, so a check sees what a reader's browser and GitHub's mention
 * and reference linkers would see.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CMARK = '/usr/bin/cmark-gfm';

export function renderGfm(markdown: string): string {
  if (!existsSync(CMARK))
    throw new Error(`${CMARK} is needed to render markdown (apt-get install cmark-gfm)`);
  return execFileSync(CMARK, ['-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '--unsafe'], {
    input: markdown,
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
}

/** Text GitHub scans for @mentions and #refs: rendered HTML outside code, tags removed. */
function linkableText(html: string): string {
  return html
    .replace(/<pre[\s\S]*?<\/pre>/g, ' ')
    .replace(/<code[\s\S]*?<\/code>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#35;/g, '#')
    .replace(/&#64;/g, '@');
}

/** GFM drops a row's extra cells silently, so the source rows are compared too. */
function tableSourceProblems(markdown: string): string[] {
  const problems: string[] = [];
  let width: number | undefined;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      width = undefined;
      continue;
    }
    const cells = (line.match(/(?<!\\)\|/g) ?? []).length;
    width ??= cells;
    if (cells !== width)
      problems.push(`a table row has ${cells - 1} cells, its header ${width - 1}: ${line}`);
  }
  return problems;
}

function tableShapeProblems(html: string): string[] {
  const problems: string[] = [];
  for (const table of html.match(/<table>[\s\S]*?<\/table>/g) ?? []) {
    const widths = (table.match(/<tr>[\s\S]*?<\/tr>/g) ?? []).map(
      (row) => (row.match(/<t[hd][\s>]/g) ?? []).length,
    );
    if (new Set(widths).size > 1) problems.push(`a table row changed width: ${widths.join(',')}`);
  }
  return problems;
}

/**
 * Problems in `markdown` caused by the corpus in corpus.ts. `markers` is how many hidden
 * `<!-- mlops:` markers the document itself legitimately carries (1 for a sticky comment).
 */
export function markupProblems(markdown: string, options: { markers?: number } = {}): string[] {
  const problems: string[] = [];
  const html = renderGfm(markdown);
  const tags = [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g)];
  for (const [tag, name, attributes] of tags) {
    if (['img', 'script', 'iframe', 'style', 'object'].includes(name.toLowerCase()))
      problems.push(`live <${name}> tag: ${tag}`);
    if (/\bon[a-z]+\s*=/i.test(attributes)) problems.push(`event handler attribute: ${tag}`);
    if (/href\s*=\s*"\s*javascript:/i.test(attributes)) problems.push(`javascript: link: ${tag}`);
  }
  if (/<h1>pwned|<h1>Approved by security/.test(html)) problems.push('a heading injected by data');
  if (/language-js/.test(html)) problems.push('a code fence opened by data');
  if (/<!-- hide the rest/.test(html)) problems.push('an HTML comment opened by data');
  const markers = (html.match(/<!-- mlops:/g) ?? []).length;
  if (markers !== (options.markers ?? 0))
    problems.push(`${markers} mlops markers, expected ${options.markers ?? 0}`);
  const text = linkableText(html);
  for (const live of text.match(/(?<![\w`])@(octocat|octo-org)\b/g) ?? [])
    problems.push(`live mention ${live}`);
  for (const ref of text.match(/(?<![\w&])#123\b|\bGH-1\b/g) ?? []) problems.push(`live reference ${ref}`);
  if (/[\u001b\u009b]/.test(markdown)) problems.push('a terminal escape character');
  problems.push(...tableShapeProblems(html), ...tableSourceProblems(markdown));
  return problems;
}
