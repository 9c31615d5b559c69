import { UserError } from '../errors/index.js';

/**
 * Splits a `command` input into argv the way a POSIX shell tokenises words, WITHOUT running a
 * shell: nothing is expanded or executed, so input text can never inject a second command.
 *
 * Supported:
 * - words separated by unquoted spaces, tabs and newlines;
 * - 'single quotes': everything literal up to the next single quote;
 * - "double quotes": literal except `\"`, `\\`, `\$` and `` \` `` (the backslash is dropped) and
 *   backslash-newline (removed);
 * - a backslash outside quotes makes the next character literal (backslash-newline is removed);
 * - adjacent quoted and unquoted parts join into one word (`--name="a b"` is one argument).
 *
 * Not supported, and passed through literally: `$VAR`, `~`, globs, `;`, `|`, `&&`, redirections.
 * Use an argv array (or `sh -c '...'` yourself) when you need those.
 */
export function splitShellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < command.length) {
    const ch = command[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw unterminated(command, i, 'single quote');
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= command.length) throw unterminated(command, i, 'double quote');
        const c = command[j];
        if (c === '"') break;
        if (c === '\\' && j + 1 < command.length) {
          const next = command[j + 1];
          if (next === '"' || next === '\\' || next === '$' || next === '`') {
            word += next;
            j += 2;
            continue;
          }
          if (next === '\n') {
            j += 2;
            continue;
          }
        }
        word += c;
        j++;
      }
      inWord = true;
      i = j + 1;
    } else if (ch === '\\') {
      if (i + 1 >= command.length)
        throw new UserError('The command ends with a lone backslash.', { input: 'command' });
      if (command[i + 1] !== '\n') {
        word += command[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function unterminated(command: string, index: number, what: string): UserError {
  return new UserError(
    `The command has an unterminated ${what} starting at column ${index + 1}: ${command}`,
    {
      input: 'command',
      column: index + 1,
    },
  );
}
