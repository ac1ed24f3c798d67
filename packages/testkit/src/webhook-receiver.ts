import { Webhook } from 'standardwebhooks';
import { readBody, startLoopbackServer } from './http-server.js';

/** One request the receiver got, verified against its secret with the `standardwebhooks` package. */
export interface ReceivedWebhook {
  webhookId: string;
  timestamp: string;
  /** The payload when its signature verified; null when it did not (or headers were missing). */
  payload: { type: string; timestamp: string; data: Record<string, unknown> } | null;
  /** Why verification failed; null when it held. */
  verificationError: string | null;
  /** This request's place among the requests with the same `webhook-id`, from 1. */
  attempt: number;
  /** What the receiver answered. */
  status: number;
  /** `Date.now()` when it arrived. */
  receivedAt: number;
}

export interface WebhookReceiverOptions {
  /** The `whsec_…` secret signatures are checked with. */
  secret: string;
  /** The status to answer; default 204 for every request. */
  respond?: (request: Omit<ReceivedWebhook, 'status' | 'receivedAt'>) => number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks` */
  url: string;
  /** Every request, in arrival order. */
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** Generates a Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function webhookSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;
}

/**
 * A loopback webhook receiver for tests: verifies each request's Standard Webhooks signature, records it, and answers
 * what `respond` says (e.g. 500 on a first attempt, to see the sender retry with the same `webhook-id`).
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const verifier = new Webhook(options.secret);
  const received: ReceivedWebhook[] = [];
  const server = await startLoopbackServer(async (req, res) => {
    const body = await readBody(req);
    const header = (name: string): string => {
      const value = req.headers[name];
      return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
    };
    const webhookId = header('webhook-id');
    let payload: ReceivedWebhook['payload'] = null;
    let verificationError: string | null = null;
    try {
      payload = verifier.verify(body, {
        'webhook-id': webhookId,
        'webhook-timestamp': header('webhook-timestamp'),
        'webhook-signature': header('webhook-signature'),
      }) as ReceivedWebhook['payload'];
    } catch (error) {
      verificationError = error instanceof Error ? error.message : String(error);
    }
    const attempt = received.filter((r) => r.webhookId === webhookId).length + 1;
    const request = { webhookId, timestamp: header('webhook-timestamp'), payload, verificationError, attempt };
    const status = options.respond?.(request) ?? 204;
    received.push({ ...request, status, receivedAt: Date.now() });
    res.writeHead(status).end();
  });
  return { url: `${server.origin}/hooks`, received, close: () => server.close() };
}
