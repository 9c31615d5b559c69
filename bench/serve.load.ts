/**
 * Load generator for bench/serve.ts, run as its own process so the server's CPU time and the
 * client's are not mixed: `node --import tsx bench/serve.load.ts '<json options>'`.
 * Keeps `concurrency` requests in flight over keep-alive connections until `maxRequests` are
 * answered or `maxSeconds` pass, then prints one JSON line.
 */
import { Agent, request } from 'node:http';

interface LoadOptions {
  url: string;
  body: string;
  concurrency: number;
  maxRequests: number;
  maxSeconds: number;
  warmup: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
const target = new URL(options.url);

function post(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

for (let i = 0; i < options.warmup; i++) await post();

const latencies: number[] = [];
let errors = 0;
let issued = 0;
const started = performance.now();
const deadline = started + options.maxSeconds * 1000;
async function worker(): Promise<void> {
  while (issued < options.maxRequests && performance.now() < deadline) {
    issued++;
    const t0 = performance.now();
    const status = await post().catch(() => 0);
    latencies.push(performance.now() - t0);
    if (status !== 200) errors++;
  }
}
await Promise.all(Array.from({ length: options.concurrency }, worker));
const seconds = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)] ?? Number.NaN;
console.log(JSON.stringify({ requests: latencies.length, errors, seconds, p50Ms: at(0.5), p99Ms: at(0.99) }));
