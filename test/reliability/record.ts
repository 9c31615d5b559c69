/**
 * Counts what the security and reliability tests actually tried, so the summary line is made of
 * figures from this run, not constants. Each test file records into its own JSON file in a folder
 * keyed by the Vitest process (the parent of every fork worker); summary.test.ts reads them all.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface Tally {
  faults: number;
  killPoints: number;
  badInputs: number;
  /** Things that went wrong: a leak or a loss. The summary says "nothing lost or leaked" only at 0. */
  problems: string[];
  done: boolean;
}

export function runFolder(): string {
  const folder = join(tmpdir(), `mlops-reliability-${process.ppid}`);
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** Call once at the top of a test file; returns counters that are written after the file's tests. */
export function tallyFor(testFile: string): {
  fault(n?: number): void;
  killPoint(n?: number): void;
  badInput(n?: number): void;
  problem(what: string): void;
} {
  const tally: Tally = { faults: 0, killPoints: 0, badInputs: 0, problems: [], done: false };
  const file = join(runFolder(), `${basename(testFile)}.json`);
  const write = () => {
    writeFileSync(`${file}.tmp`, JSON.stringify(tally));
    renameSync(`${file}.tmp`, file);
  };
  beforeAll(write);
  afterAll(() => {
    tally.done = true;
    write();
  });
  return {
    fault: (n = 1) => {
      tally.faults += n;
    },
    killPoint: (n = 1) => {
      tally.killPoints += n;
    },
    badInput: (n = 1) => {
      tally.badInputs += n;
    },
    problem: (what) => {
      tally.problems.push(what);
    },
  };
}

export function readTallies(): Record<string, Tally> {
  const out: Record<string, Tally> = {};
  for (const name of readdirSync(runFolder())) {
    if (!name.endsWith('.json')) continue;
    out[name.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(runFolder(), name), 'utf8')) as Tally;
  }
  return out;
}

/**
 * What the summary itself finds wrong with the tallies of a run: a file that started and never
 * finished (a crashed or hung worker: its afterAll never ran), a file that finished having tried
 * nothing (every fault, kill point and bad input skipped, yet it would read as "nothing lost"),
 * and every problem a file recorded.
 */
export function judgeTallies(tallies: Record<string, Tally>): string[] {
  const out: string[] = [];
  for (const [file, t] of Object.entries(tallies).sort(([a], [b]) => a.localeCompare(b))) {
    if (!t.done) out.push(`${file} started and did not finish`);
    else if (t.faults + t.killPoints + t.badInputs === 0) out.push(`${file} finished having tried nothing`);
    for (const p of t.problems) out.push(`${file}: ${p}`);
  }
  return out;
}
