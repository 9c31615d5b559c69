import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGpuProbe, parseGpuSample, summariseGpuSamples } from '../../../shared/src/gpu/nvidiaSmi.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures/nvidia-smi', name), 'utf8');

describe('nvidia-smi parsing', () => {
  it('reads count, names, memory and driver from the probe query', () => {
    const devices = parseGpuProbe(fixture('probe-2gpu.txt'));
    expect(devices).toHaveLength(2);
    expect(devices[0]).toEqual({
      index: 0,
      name: 'NVIDIA A100-SXM4-80GB',
      memoryTotalMiB: 81920,
      driverVersion: '535.129.03',
      uuid: 'GPU-4b9c1c2e-6f3a-1d2b-9c8e-0a1b2c3d4e5f',
    });
    expect(devices[1].index).toBe(1);
  });

  it('keeps a comma inside a GPU name and treats [N/A] as unknown', () => {
    const [device] = parseGpuProbe('0, Tesla T4, rev A, [N/A], 470.82.01, GPU-1\n');
    expect(device.name).toBe('Tesla T4, rev A');
    expect(device.memoryTotalMiB).toBeNull();
  });

  it('returns no devices for empty output', () => {
    expect(parseGpuProbe('\n')).toEqual([]);
  });

  it('summarises samples: mean/peak utilisation over devices, memory summed', () => {
    const first = parseGpuSample(fixture('sample-2gpu.txt'));
    expect(first[1]).toEqual({
      index: 1,
      utilizationPercent: null,
      memoryUsedMiB: 1024,
      memoryTotalMiB: 81920,
    });
    const second = parseGpuSample('0, 13, 20000, 81920\n1, 0, 0, 81920\n');
    const summary = summariseGpuSamples([first, second]);
    expect(summary.samples).toBe(2);
    // sample 1: util 87 (device 1 unknown), memory 41237; sample 2: util 6.5, memory 20000.
    expect(summary.utilizationPercent).toEqual({ mean: (87 + 6.5) / 2, peak: 87 });
    expect(summary.memoryUsedMiB).toEqual({ mean: (41237 + 20000) / 2, peak: 41237 });
    expect(summariseGpuSamples([])).toEqual({ samples: 0, utilizationPercent: null, memoryUsedMiB: null });
  });
});
