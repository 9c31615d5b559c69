/**
 * Test hook for the kill -9 tests (test/reliability/crash.test.ts). When MLOPS_TEST_CRASH_POINT
 * names a point (`name`, or `name@n` for the n-th time it is reached), the process writes the file
 * MLOPS_TEST_CRASH_SIGNAL there and waits forever, so the test can SIGKILL it at exactly that
 * moment of a multi-step write. Unset, it costs one environment lookup.
 */
import { writeFileSync } from 'node:fs';

export const CRASH_POINT_ENV = 'MLOPS_TEST_CRASH_POINT';
export const CRASH_SIGNAL_ENV = 'MLOPS_TEST_CRASH_SIGNAL';

const reached = new Map<string, number>();

export async function crashPoint(name: string): Promise<void> {
  const wanted = process.env[CRASH_POINT_ENV];
  if (!wanted) return;
  const count = (reached.get(name) ?? 0) + 1;
  reached.set(name, count);
  const at = wanted.lastIndexOf('@');
  const [point, nth] = at > 0 ? [wanted.slice(0, at), Number(wanted.slice(at + 1))] : [wanted, 1];
  if (point !== name || count !== nth) return;
  const signal = process.env[CRASH_SIGNAL_ENV];
  if (signal) writeFileSync(signal, name);
  await new Promise<never>(() => setInterval(() => {}, 60_000));
}
