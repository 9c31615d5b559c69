/**
 * The reliability summary line. Vitest schedules small files last, so this one normally starts
 * when the other security and reliability files are finished or running on the other worker; it
 * waits for any that started and have not finished, then prints figures they recorded.
 */
import { expect, it } from 'vitest';
import { readTallies } from './record.js';

it('prints how many faults, kill points and bad inputs were tried, and that nothing leaked', async () => {
  const deadline = Date.now() + 170_000;
  let tallies = readTallies();
  while (Object.values(tallies).some((t) => !t.done) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    tallies = readTallies();
  }
  const all = Object.values(tallies);
  const sum = (pick: (t: (typeof all)[number]) => number) => all.reduce((total, t) => total + pick(t), 0);
  const problems = all.flatMap((t) => t.problems);
  const files = Object.keys(tallies).sort().join(', ') || 'none ran in this process';
  const verdict =
    problems.length === 0 ? 'nothing lost or leaked' : `${problems.length} problems: ${problems.join('; ')}`;
  console.log(
    `reliability: ${sum((t) => t.faults)} faults injected, ${sum((t) => t.killPoints)} kill points, ${sum((t) => t.badInputs)} bad inputs tried; ${verdict} (from ${files})`,
  );
  expect(problems).toEqual([]);
}, 180_000);
