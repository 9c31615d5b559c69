/**
 * Parsing of `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` output. Kept pure so it is
 * tested on captured text; the process handling lives in probe.ts.
 */

/** Fields asked for when probing, in this order. */
export const PROBE_FIELDS = ['index', 'name', 'memory.total', 'driver_version', 'uuid'] as const;
/** Fields asked for when sampling, in this order. */
export const SAMPLE_FIELDS = ['index', 'utilization.gpu', 'memory.used', 'memory.total'] as const;

export interface GpuDevice {
  index: number;
  name: string;
  /** MiB, as nvidia-smi reports with `nounits`. */
  memoryTotalMiB: number | null;
  driverVersion: string;
  uuid: string;
}

export interface GpuSample {
  index: number;
  /** Percent of time a kernel ran over the last sample period. */
  utilizationPercent: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
}

/** Splits CSV rows; nvidia-smi quotes nothing but names may hold commas only in theory. */
function rows(text: string, width: number): string[][] {
  const out: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length > width) {
      // A comma inside the name (second column): join the surplus back.
      const extra = cells.length - width;
      cells.splice(1, extra + 1, cells.slice(1, extra + 2).join(', '));
    }
    if (cells.length === width) out.push(cells);
  }
  return out;
}

/** `[N/A]`, `[Not Supported]` and empty cells become null. */
function numberOrNull(cell: string): number | null {
  if (cell === '' || cell.startsWith('[')) return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

export function parseGpuProbe(text: string): GpuDevice[] {
  return rows(text, PROBE_FIELDS.length).map(([index, name, memory, driver, uuid]) => ({
    index: Number(index),
    name,
    memoryTotalMiB: numberOrNull(memory),
    driverVersion: driver,
    uuid,
  }));
}

export function parseGpuSample(text: string): GpuSample[] {
  return rows(text, SAMPLE_FIELDS.length).map(([index, util, used, total]) => ({
    index: Number(index),
    utilizationPercent: numberOrNull(util),
    memoryUsedMiB: numberOrNull(used),
    memoryTotalMiB: numberOrNull(total),
  }));
}

export interface GpuUsageSummary {
  samples: number;
  utilizationPercent: { mean: number; peak: number } | null;
  memoryUsedMiB: { mean: number; peak: number } | null;
}

/**
 * Peak and mean over all samples. Per sample, utilisation is averaged over devices and memory is
 * summed over devices, so one number describes the whole job.
 */
export function summariseGpuSamples(samples: GpuSample[][]): GpuUsageSummary {
  const util: number[] = [];
  const memory: number[] = [];
  for (const sample of samples) {
    const u = sample.map((s) => s.utilizationPercent).filter((v): v is number => v !== null);
    const m = sample.map((s) => s.memoryUsedMiB).filter((v): v is number => v !== null);
    if (u.length > 0) util.push(u.reduce((a, b) => a + b, 0) / u.length);
    if (m.length > 0) memory.push(m.reduce((a, b) => a + b, 0));
  }
  const stats = (values: number[]) =>
    values.length === 0
      ? null
      : { mean: values.reduce((a, b) => a + b, 0) / values.length, peak: Math.max(...values) };
  return { samples: samples.length, utilizationPercent: stats(util), memoryUsedMiB: stats(memory) };
}
