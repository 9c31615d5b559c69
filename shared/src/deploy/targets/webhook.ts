/**
 * The `webhook` target: POSTs the version record to a URL, signed the way GitHub signs webhook
 * deliveries, so receivers can reuse GitHub's verification code:
 *
 * - `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the secret>`
 * - `X-Mlops-Event: deploy | rollback`, `X-Mlops-Delivery: <uuid>` (the same on retries)
 * - body: `{"event", "environment", "model", "version", "previous_version", "record"}`
 *
 * Each attempt has a timeout; 5xx answers, timeouts and network errors are retried with backoff,
 * other non-2xx answers fail at once.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { UserError } from '../../errors/index.js';
import type { VersionRecord } from '../../registry/record.js';
import { DeployFailure } from '../deploy-failure.js';
import type { DeployOutcome, DeployRequest, DeployTarget } from '../target.js';

export interface WebhookOptions {
  url: string;
  secret?: string;
  timeoutMs?: number;
  /** Attempts in all (first try included). */
  attempts?: number;
  /** Delay before the first retry; doubled each time. */
  backoffMs?: number;
}

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

interface Delivery {
  event: 'deploy' | 'rollback';
  environment: string;
  model: string;
  version: number;
  previous_version: number | null;
  record: VersionRecord;
}

/**
 * A webhook URL often carries a credential (`?token=…`, a path segment of a Slack-style hook), so it
 * is never repeated: logs, errors, outputs, the summary and the GitHub Deployment see its origin
 * only (`https://host:port`). The action also masks the whole URL on the runner.
 */
export function webhookOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError('The webhook url is not a URL (not repeated here, as it may hold a secret).', {
      input: 'url',
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UserError(`The webhook url must be http(s), got ${parsed.protocol}.`, { input: 'url' });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UserError(
      `The webhook url for ${parsed.origin} carries a user name or password (user:password@host), which this ` +
        'action refuses: it would travel in the clear to anything that logs URLs. Have the receiver check ' +
        'the X-Hub-Signature-256 signature made with webhook-secret, or put a token in the query string (masked).',
      { input: 'url' },
    );
  }
  return parsed.origin;
}

export class WebhookTarget implements DeployTarget {
  readonly kind = 'webhook' as const;
  private last: { request: DeployRequest; previous: number | null } | undefined;
  /** What may be shown of the URL. */
  private readonly origin: string;

  constructor(private readonly options: WebhookOptions) {
    this.origin = webhookOrigin(options.url);
  }

  /** Text from elsewhere (a receiver's answer, a network error) without the URL or its path and query. */
  private scrub(text: string): string {
    const parsed = new URL(this.options.url);
    const hidden = [this.options.url, parsed.href, `${parsed.pathname}${parsed.search}`, parsed.search];
    let clean = text;
    for (const part of hidden) if (part.length > 1) clean = clean.replaceAll(part, '…');
    return clean;
  }

  async deliver(delivery: Delivery): Promise<{ status: number; attempts: number }> {
    const body = JSON.stringify(delivery);
    const id = randomUUID();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'mlops-deploy',
      'x-mlops-event': delivery.event,
      'x-mlops-delivery': id,
    };
    if (this.options.secret) headers['x-hub-signature-256'] = signBody(body, this.options.secret);
    const attempts = Math.max(1, this.options.attempts ?? 3);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let backoff = this.options.backoffMs ?? 1000;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // A receiver may echo the request line back: its answer is quoted without the URL.
        const text = this.scrub(await response.text()).slice(0, 200);
        if (response.ok) return { status: response.status, attempts: attempt };
        lastProblem = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
        if (response.status < 500) break;
      } catch (error) {
        const name = (error as Error).name;
        lastProblem =
          name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : this.scrub((error as Error).message);
      }
      if (attempt < attempts) {
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff *= 2;
      }
    }
    throw new DeployFailure(
      `The webhook at ${this.origin} did not accept the ${delivery.event} (${lastProblem}).`,
    );
  }

  async deploy(request: DeployRequest): Promise<DeployOutcome> {
    const previous = request.previousVersion ?? null;
    const result = await this.deliver({
      event: 'deploy',
      environment: request.environment,
      model: request.name,
      version: request.version,
      previous_version: previous,
      record: request.record,
    });
    this.last = { request, previous };
    return {
      url: this.origin,
      notes: [
        `Delivered version ${request.version} to the webhook (HTTP ${result.status}, ${result.attempts} attempt(s)).`,
      ],
    };
  }

  async rollback(): Promise<string> {
    if (!this.last) return 'nothing was delivered';
    const { request } = this.last;
    await this.deliver({
      event: 'rollback',
      environment: request.environment,
      model: request.name,
      version: request.version,
      previous_version: this.last.previous,
      record: request.record,
    });
    return 'sent a rollback event to the webhook';
  }
}
