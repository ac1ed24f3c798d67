// A bounded closed-loop load generator for the gateway bench: `concurrency` callers, each issuing its next call as
// soon as the previous one settled, until `count` calls were issued or `maxMs` passed.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  label: string;
  concurrency: number;
  calls: number;
  errors: number;
  /** Calls completed per second of wall time. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** The value at quantile `q` (0..1) of sorted `values`, nearest rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Runs `call(i)` with `concurrency` in flight. A rejected call counts as an error and its latency is not recorded;
 * more than 1% errors fails the run, so a broken path cannot pass as a fast one.
 */
export async function runLoad(
  label: string,
  options: { concurrency: number; count: number; maxMs: number },
  call: (index: number) => Promise<unknown>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  let firstError: unknown;
  const started = performance.now();
  const deadline = started + options.maxMs;
  const caller = async (): Promise<void> => {
    while (issued < options.count && performance.now() < deadline) {
      const index = issued++;
      const t0 = performance.now();
      try {
        await call(index);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  const elapsed = performance.now() - started;
  if (errors > Math.max(1, issued / 100)) {
    throw new Error(`${label}: ${errors} of ${issued} calls failed; first: ${String(firstError)}`);
  }
  latencies.sort((a, b) => a - b);
  return {
    label,
    concurrency: options.concurrency,
    calls: latencies.length,
    errors,
    perSecond: (latencies.length / elapsed) * 1000,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
  };
}

/** Keep-alive HTTP/1.1 JSON calls to one base URL, with less client-side CPU than `fetch`. */
export class JsonHttp {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #url: URL;
  readonly #headers: Record<string, string>;

  /** `headers` go with every call (the stack's API wants credentials). */
  constructor(baseUrl: string, headers: Record<string, string> = {}) {
    this.#url = new URL(baseUrl);
    this.#headers = headers;
  }

  /** Sends the request and parses the JSON answer. @throws Error when the status is not `expect`. */
  call<T = any>(method: string, path: string, expect: number, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          agent: this.#agent,
          host: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          headers: payload === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== expect) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
            else resolve(text ? JSON.parse(text) : undefined);
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
