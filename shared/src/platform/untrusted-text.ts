import { randomBytes } from 'node:crypto';
import { revealInvisible } from '../text/invisible.js';

// ESC and the C1 control CSI: a dataset value must not move the cursor or recolour a terminal.
// biome-ignore lint/complexity/useRegexLiterals: built once from a string for readability
const TERMINAL_ESCAPES = new RegExp(
  '[\\u001b\\u009b][[\\]()#;?]*(?:[0-9]{1,4}(?:;[0-9]{0,4})*)?[0-9A-ORZcf-nqry=><~]?',
  'g',
);
const OTHER_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f]/g;

/**
 * Removes terminal escape sequences and control characters from text bound for a log, and shows
 * C1 controls, bidi overrides and zero-width characters as `<U+XXXX>`.
 */
export function stripControlSequences(text: string): string {
  return revealInvisible(text.replace(TERMINAL_ESCAPES, '').replace(OTHER_CONTROLS, ''));
}

/**
 * Text that may hold `::command::` lines (from data, files, a user's program) is printed between
 * `::stop-commands::<token>` and `::<token>::`, so the runner treats it as plain text. The runner
 * also executes the legacy `##[command]data` form found anywhere in a line (actions/runner
 * ActionCommand.TryParse), so that needs the same guard.
 */
export function guardWorkflowCommands(text: string, token = randomBytes(16).toString('hex')): string {
  if (!text.includes('::') && !text.includes('##[')) return text;
  return `::stop-commands::${token}\n${text}\n::${token}::`;
}
