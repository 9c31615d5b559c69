/**
 * Untrusted text the suite meets in pull requests: column names, category values, metric names,
 * model metadata, file names, PR titles. Each case is data and must stay data: never markup in a
 * comment or summary, never a workflow command in the log, never a shell word, never a path that
 * leaves its folder. Tests iterate over these lists, so adding a case adds an assertion.
 */

export interface InjectionCase {
  /** What the case attacks, for assertion messages. */
  kind: string;
  text: string;
}

/** Markdown/HTML, mentions, auto-links and marker spoofing: aimed at comments and summaries. */
export const MARKUP_CASES: InjectionCase[] = [
  { kind: 'html img onerror', text: '<img src=x onerror=alert(1)>' },
  { kind: 'script tag', text: '<script>alert(document.cookie)</script>' },
  { kind: 'details close', text: '</details><h1>pwned</h1>' },
  { kind: 'javascript link', text: '[click me](javascript:alert(1))' },
  { kind: 'image beacon', text: '![x](https://evil.example/beacon.png)' },
  { kind: 'backticks', text: '```js\nalert(1)\n```' },
  { kind: 'table pipes', text: 'a | b | c' },
  { kind: 'mention', text: '@octocat please merge' },
  { kind: 'team mention', text: '@octo-org/admins' },
  { kind: 'issue ref', text: 'fixes #123' },
  { kind: 'GH ref', text: 'see GH-1' },
  { kind: 'marker spoof', text: '<!-- mlops:compare-baseline:penguins -->' },
  { kind: 'comment open', text: '<!-- hide the rest' },
  { kind: 'heading', text: '# Approved by security' },
];

/** Control sequences: aimed at the log a person reads in a terminal or the Actions UI. */
export const TERMINAL_CASES: InjectionCase[] = [
  { kind: 'OSC 8 hyperlink', text: '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007' },
  { kind: 'clear screen', text: '\u001b[2J\u001b[Hall good' },
  { kind: 'recolour', text: '\u001b[32mPASSED\u001b[0m' },
  { kind: 'C1 CSI', text: '\u009b31mred' },
  { kind: 'backspace overwrite', text: 'failed\b\b\b\b\b\bpassed' },
];

/** Workflow commands: a line of data that starts with `::` would be executed by the runner. */
export const WORKFLOW_COMMAND_CASES: InjectionCase[] = [
  { kind: 'set-output', text: '::set-output name=passed::true' },
  { kind: 'add-mask', text: '::add-mask::octo-org' },
  { kind: 'stop-commands', text: '::stop-commands::x' },
  { kind: 'error annotation', text: '::error file=evil.py,line=1::owned' },
  { kind: 'warning annotation', text: '::warning::fake warning' },
  { kind: 'set-env', text: '::set-env name=NODE_OPTIONS::--require /tmp/evil.js' },
  { kind: 'add-path', text: '::add-path::/tmp/evil' },
  { kind: 'group', text: '::group::hidden' },
  { kind: 'echo on', text: '::echo::on' },
  // The runner also parses the legacy form anywhere in a line, not only at its start.
  { kind: 'legacy set-output', text: 'x ##[set-output name=passed;]true' },
  { kind: 'legacy add-mask', text: 'x ##[add-mask]octo-org' },
  { kind: 'legacy error', text: 'x ##[error file=evil.py]owned' },
];

/** Shell metacharacters: a split into argv keeps them as literal arguments. */
export function shellCases(marker: string): InjectionCase[] {
  return [
    { kind: 'command substitution', text: `$(touch ${marker}-subst)` },
    { kind: 'backtick substitution', text: `\`touch ${marker}-backtick\`` },
    { kind: 'semicolon', text: `x; touch ${marker}-semicolon` },
    { kind: 'and-and', text: `x && touch ${marker}-andand` },
    { kind: 'pipe', text: `x | touch ${marker}-pipe` },
    { kind: 'redirect', text: `x > ${marker}-redirect` },
    { kind: 'newline', text: `x\ntouch ${marker}-newline` },
  ];
}

/** Names that try to leave their folder (registry names, artifact names, archive entries). */
export const TRAVERSAL_NAMES: InjectionCase[] = [
  { kind: 'dot-dot', text: '../../etc/passwd' },
  { kind: 'dot-dot nested', text: 'models/../../../outside' },
  { kind: 'absolute', text: '/etc/passwd' },
  { kind: 'windows dot-dot', text: '..\\..\\windows\\system32' },
  { kind: 'windows absolute', text: 'C:\\Windows\\evil' },
  { kind: 'dot', text: '..' },
  { kind: 'NUL byte', text: 'model\u0000.txt' },
];

/** Every text case that can be a column name, category value, metric name or title. */
/** Characters that change how text reads without being seen, and C1 controls some terminals obey. */
export const INVISIBLE_CASES: InjectionCase[] = [
  { kind: 'C1 DCS', text: 'before\u0090after' },
  { kind: 'C1 ST', text: 'before\u009cafter' },
  { kind: 'C1 OSC', text: '\u009d0;title\u009c' },
  { kind: 'bidi override', text: 'invoice\u202Efdp.exe' },
  { kind: 'bidi isolate', text: 'a\u2067b\u2069c' },
  { kind: 'zero-width space', text: 'acc\u200Buracy' },
  { kind: 'zero-width joiner', text: 'lo\u200Dss' },
  { kind: 'byte order mark', text: '\uFEFFamount' },
];

/** Every raw character the INVISIBLE_CASES carry: none may reach a comment, summary or log. */
export const INVISIBLE_CHARACTERS = /\u0090|\u009c|\u009d|\u202E|\u2067|\u2069|\u200B|\u200D|\uFEFF/;

export const TEXT_CASES: InjectionCase[] = [...MARKUP_CASES, ...TERMINAL_CASES, ...WORKFLOW_COMMAND_CASES];

/** A YAML document whose aliases expand exponentially (billion laughs): 9^9 leaves if expanded. */
export function yamlBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghi';
  for (let level = 1; level < names.length; level++) {
    const previous = `*${names[level - 1]}`;
    lines.push(`${names[level]}: &${names[level]} [${Array(9).fill(previous).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** The same bomb inside schema.yaml's own keys: each column's allowed values alias the previous. */
export function schemaYamlBomb(): string {
  const lines = ['columns:'];
  const names = 'abcdefghi';
  for (let level = 0; level < names.length; level++) {
    const values =
      level === 0
        ? Array(9).fill('"lol"').join(',')
        : Array(9)
            .fill(`*${names[level - 1]}`)
            .join(',');
    lines.push(
      `  ${names[level]}:`,
      '    type: categorical',
      `    allowed_values: &${names[level]} [${values}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A syntactically valid YAML file just over `bytes` long (a long comment block). */
export function hugeYaml(firstLine: string, bytes: number): string {
  const filler = `# ${'x'.repeat(98)}\n`;
  return `${firstLine}\n${filler.repeat(Math.ceil(bytes / filler.length))}`;
}
