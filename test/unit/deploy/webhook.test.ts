import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeployFailure } from '../../../shared/src/deploy/deploy-failure.js';
import { signBody, WebhookTarget } from '../../../shared/src/deploy/targets/webhook.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import type { VersionRecord } from '../../../shared/src/registry/record.js';

const record = {
  schema: 'mlops-model-version/v1',
  name: 'penguins',
  version: 3,
  digest: `sha256:${'0'.repeat(64)}`,
} as unknown as VersionRecord;

const request = {
  name: 'penguins',
  version: 3,
  path: '/tmp/x',
  record,
  environment: 'staging',
  previousVersion: 2,
  log: silentLog,
};

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;

/** A receiver answering each delivery with the next status of `plan` (the last one repeats); 'hang' never answers. */
async function receiver(plan: (number | 'hang')[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      const next = plan[Math.min(received.length - 1, plan.length - 1)]!;
      if (next === 'hang') return;
      res.writeHead(next).end(next >= 400 ? 'nope' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`, received };
}

afterEach(async () => {
  const open = server;
  server = undefined;
  if (!open) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

describe('webhook signature', () => {
  it("matches GitHub's documented X-Hub-Signature-256 example", () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expect(signBody('Hello, World!', "It's a Secret to Everybody")).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });
});

describe('webhook target', () => {
  it('POSTs the record, signed, and reports the delivery', async () => {
    const hook = await receiver([200]);
    const target = new WebhookTarget({ url: hook.url, secret: 's3cret' });
    const outcome = await target.deploy(request);
    // The URL may hold a credential: the outcome (the url output, the Deployment) shows its origin only.
    expect(outcome.url).toBe(new URL(hook.url).origin);
    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    expect(delivery!.headers['x-hub-signature-256']).toBe(signBody(delivery!.body, 's3cret'));
    expect(delivery!.headers['x-mlops-event']).toBe('deploy');
    expect(JSON.parse(delivery!.body)).toEqual({
      event: 'deploy',
      environment: 'staging',
      model: 'penguins',
      version: 3,
      previous_version: 2,
      record,
    });
    expect(await target.rollback()).toBe('sent a rollback event to the webhook');
    expect(hook.received[1]!.headers['x-mlops-event']).toBe('rollback');
  });

  it('retries 5xx answers with the same delivery id, then succeeds', async () => {
    const hook = await receiver([502, 500, 204]);
    const outcome = await new WebhookTarget({ url: hook.url, attempts: 3, backoffMs: 5 }).deploy(request);
    expect(outcome.notes[0]).toMatch(/HTTP 204, 3 attempt\(s\)/);
    const ids = new Set(hook.received.map((r) => r.headers['x-mlops-delivery']));
    expect(ids.size).toBe(1);
    expect(hook.received[0]!.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('does not retry a 4xx and says what the receiver answered', async () => {
    const hook = await receiver([401]);
    const deploy = new WebhookTarget({ url: hook.url, attempts: 3, backoffMs: 5 }).deploy(request);
    await expect(deploy).rejects.toThrow(DeployFailure);
    await expect(deploy).rejects.toThrow(/did not accept the deploy \(HTTP 401: nope\)/);
    expect(hook.received).toHaveLength(1);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const hook = await receiver(['hang']);
    const deploy = new WebhookTarget({ url: hook.url, attempts: 2, backoffMs: 5, timeoutMs: 200 }).deploy(
      request,
    );
    await expect(deploy).rejects.toThrow(/did not accept the deploy \(no answer within 200 ms\)/);
    expect(hook.received).toHaveLength(2);
  });

  it('rejects a URL that is not http(s)', () => {
    expect(() => new WebhookTarget({ url: 'ftp://example.com' })).toThrow(/must be http\(s\), got ftp:/);
    expect(() => new WebhookTarget({ url: 'not a url' })).toThrow(/is not a URL/);
  });
});
