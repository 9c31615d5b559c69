/**
 * The deploy step summary: the outcome in one line, the smoke-test checks as a table, and what
 * the target did. Model names, messages and details come from users' files and servers, so all
 * of them are escaped.
 */
import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import type { DeployResult } from './run-deploy.js';

export interface DeploySummaryInput extends Omit<DeployResult, 'summaryMarkdown' | 'manifestPath'> {
  model: string;
  environment: string;
  target: string;
  alias?: string;
}

const HEADLINE: Record<DeployResult['status'], string> = {
  success: '✅ deployed',
  failure: '❌ failed',
  rolled_back: '↩️ rolled back',
};

export function renderDeploySummary(input: DeploySummaryInput): string {
  const lines = [
    `### Deploy ${inlineCode(`${input.model}/${input.version}`)} to ${inlineCode(input.environment)}: ${HEADLINE[input.status]}`,
    '',
    escapeMarkdown(input.message),
    '',
  ];
  const facts: string[][] = [
    ['Target', inlineCode(input.target)],
    ['Version', String(input.version)],
    ['Previous version', input.previousVersion === null ? 'none' : String(input.previousVersion)],
  ];
  if (input.url) facts.push(['URL', inlineCode(input.url)]);
  if (input.deploymentId !== null) facts.push(['GitHub deployment', String(input.deploymentId)]);
  if (input.alias)
    facts.push(['Alias', `${inlineCode(input.alias)} ${input.status === 'success' ? 'moved' : 'not moved'}`]);
  lines.push(markdownTable(['', ''], facts), '');
  if (input.smoke) {
    lines.push(
      '#### Smoke test',
      '',
      markdownTable(
        ['Check', 'Result', 'Detail'],
        input.smoke.checks.map((c) => [
          escapeMarkdown(c.name),
          c.passed ? '✅' : '❌',
          escapeMarkdown(c.detail),
        ]),
      ),
      '',
    );
  }
  if (input.notes.length > 0) lines.push(...input.notes.map((n) => `- ${escapeMarkdown(n)}`), '');
  return lines.join('\n');
}
