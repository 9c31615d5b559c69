import { execFile } from 'node:child_process';
import { UserError } from '../errors/index.js';
import {
  type GpuDevice,
  type GpuSample,
  type GpuUsageSummary,
  PROBE_FIELDS,
  parseGpuProbe,
  parseGpuSample,
  SAMPLE_FIELDS,
  summariseGpuSamples,
} from './nvidiaSmi.js';

export type GpuMode = 'auto' | 'require' | 'off';

export interface GpuProbe {
  devices: GpuDevice[];
  /** Why no GPU was found, for the log (nvidia-smi missing, failing, ...). */
  reason?: string;
}

function runNvidiaSmi(args: string[], binary: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        reject(
          new Error(
            code === 'ENOENT'
              ? `${binary} not found on PATH`
              : `${binary} failed: ${stderr.trim() || error.message}`,
          ),
        );
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Lists GPUs through nvidia-smi; an empty list (with a reason) where there is none. */
export async function probeGpus(
  options: { binary?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<GpuProbe> {
  const binary =
    options.binary ?? options.env?.MLOPS_NVIDIA_SMI ?? process.env.MLOPS_NVIDIA_SMI ?? 'nvidia-smi';
  try {
    const text = await runNvidiaSmi(
      [`--query-gpu=${PROBE_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
      binary,
      15_000,
    );
    const devices = parseGpuProbe(text);
    return devices.length > 0 ? { devices } : { devices, reason: 'nvidia-smi listed no GPUs' };
  } catch (error) {
    return { devices: [], reason: (error as Error).message };
  }
}

/** Applies the `gpu` input: `require` fails fast when there is no GPU, `off` hides them. */
export async function resolveGpus(mode: GpuMode, options: { binary?: string } = {}): Promise<GpuProbe> {
  if (mode === 'off') return { devices: [], reason: 'gpu: off' };
  const probe = await probeGpus(options);
  if (mode === 'require' && probe.devices.length === 0) {
    throw new UserError(
      `gpu: require, but this runner has no usable NVIDIA GPU (${probe.reason ?? 'none found'}). ` +
        'Run the job on a GPU runner (e.g. runs-on: [self-hosted, gpu]) or set gpu: auto.',
      { input: 'gpu' },
    );
  }
  return probe;
}

/**
 * Samples utilisation and memory every `intervalMs` while training runs. Sampling failures are
 * counted, not thrown: a flaky nvidia-smi must not fail a training job.
 */
export class GpuSampler {
  private readonly samples: GpuSample[][] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();
  failures = 0;

  constructor(private readonly options: { binary?: string; intervalMs?: number } = {}) {}

  start(): void {
    const binary = this.options.binary ?? process.env.MLOPS_NVIDIA_SMI ?? 'nvidia-smi';
    const take = () => {
      this.pending = runNvidiaSmi(
        [`--query-gpu=${SAMPLE_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
        binary,
        10_000,
      )
        .then((text) => {
          this.samples.push(parseGpuSample(text));
        })
        .catch(() => {
          this.failures++;
        });
    };
    take();
    this.timer = setInterval(take, this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  async stop(): Promise<GpuUsageSummary> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pending;
    return summariseGpuSamples(this.samples);
  }
}
