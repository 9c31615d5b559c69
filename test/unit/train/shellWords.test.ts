import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { splitShellWords } from '../../../shared/src/train/shellWords.js';

/** argv as /bin/sh itself splits the string: the reference for every case below. */
function shSplit(command: string): string[] {
  const out = execFileSync(
    '/bin/sh',
    ['-c', `set -- ${command}; for a in "$@"; do printf '%s\\0' "$a"; done`],
    {
      encoding: 'utf8',
    },
  );
  return out === '' ? [] : out.slice(0, -1).split('\0');
}

describe('splitShellWords', () => {
  const cases = [
    'python train.py --epochs 3',
    '  python   train.py\t--lr=0.1  ',
    `python -c 'print("hi there")'`,
    `python train.py --name "my model" --tag='a b'`,
    `echo "quote \\" inside" 'single \\ backslash'`,
    'echo a\\ b c\\\\d',
    `echo --opt="x"'y'z`,
    `echo "" ''`,
    `echo "a\\b" "dollar \\$HOME" "back\\\`tick"`,
    `echo a;b 'x|y'`,
  ];
  for (const command of cases) {
    it(`splits ${JSON.stringify(command)} as sh does`, () => {
      // `;` would end the command in sh: compare only the cases sh reads as one command.
      const expected = command.includes('a;b') ? ['echo', 'a;b', 'x|y'] : shSplit(command);
      expect(splitShellWords(command)).toEqual(expected);
    });
  }

  it('never expands or runs anything', () => {
    expect(splitShellWords('echo $(rm -rf /) `id` $HOME ~ *.py && ls')).toEqual([
      'echo',
      '$(rm',
      '-rf',
      '/)',
      '`id`',
      '$HOME',
      '~',
      '*.py',
      '&&',
      'ls',
    ]);
  });

  it('rejects an unterminated quote with its column', () => {
    expect(() => splitShellWords(`python -c 'print(1)`)).toThrow(UserError);
    expect(() => splitShellWords(`python -c 'print(1)`)).toThrow(
      /unterminated single quote starting at column 11/,
    );
    expect(() => splitShellWords('echo "abc')).toThrow(/unterminated double quote/);
  });

  it('returns no words for blank input', () => {
    expect(splitShellWords('   ')).toEqual([]);
  });
});
