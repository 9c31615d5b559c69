/**
 * The reliability summary line. Vitest schedules small files last, so this one normally starts
 * when the other security and reliability files are finished or running on the other worker; it
 * waits for any that started and have not finished, then prints figures they recorded. It fails
 * on its own when a file started and never finished (a crashed or hung worker), or finished
 * having tried nothing (judgeTallies); run alone, with no tallies, it says so and skips.
 */
import { describe, expect, it } from 'vitest';
import { judgeTallies, readTallies, type Tally } from './record.js';

describe('judgeTallies', () => {
  const tally = (t: Partial<Tally>): Tally => ({
    faults: 0,
    killPoints: 0,
    badInputs: 0,
    problems: [],
    done: true,
    ...t,
  });
  it('accepts finished files that tried something', () => {
    expect(
      judgeTallies({ a: tally({ faults: 3 }), b: tally({ badInputs: 1 }), c: tally({ killPoints: 2 }) }),
    ).toEqual([]);
  });
  it('flags a file that started and did not finish, one that tried nothing, and recorded problems', () => {
    expect(
      judgeTallies({
        crashed: tally({ faults: 2, done: false }),
        empty: tally({}),
        leaky: tally({ badInputs: 4, problems: ['token in log'] }),
      }),
    ).toEqual([
      'crashed started and did not finish',
      'empty finished having tried nothing',
      'leaky: token in log',
    ]);
  });
});

it('prints how many faults, kill points and bad inputs were tried, and that nothing leaked', async (context) => {
  const deadline = Date.now() + 170_000;
  let tallies = readTallies();
  while (Object.values(tallies).some((t) => !t.done) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    tallies = readTallies();
  }
  const all = Object.values(tallies);
  if (all.length === 0) {
    console.warn('reliability: no security or reliability file ran in this process; nothing to summarise');
    context.skip('no security or reliability file ran in this process');
  }
  const sum = (pick: (t: (typeof all)[number]) => number) => all.reduce((total, t) => total + pick(t), 0);
  const problems = judgeTallies(tallies);
  const files = Object.keys(tallies).sort().join(', ');
  const verdict =
    problems.length === 0 ? 'nothing lost or leaked' : `${problems.length} problems: ${problems.join('; ')}`;
  console.log(
    `reliability: ${sum((t) => t.faults)} faults injected, ${sum((t) => t.killPoints)} kill points, ${sum((t) => t.badInputs)} bad inputs tried; ${verdict} (from ${files})`,
  );
  expect(problems).toEqual([]);
}, 180_000);
