import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets in seconds, from a cached read (sub-millisecond) to an approval update waiting on a worker. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The API's Prometheus metrics, in a registry of their own (not prom-client's global one), so each app instance
 * and each test counts only what it saw.
 */
export interface ApiMetrics {
  registry: Registry;
  /** Every HTTP request, labelled by route template (not the raw URL, which would explode the label set). */
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Every call to Temporal, by operation (`start`, `describe`, `query`, `update`, …) and outcome. */
  temporalCallDuration: Histogram<'operation' | 'outcome'>;
  /** Decisions delivered: `approved`, `rejected`, or `refused` when the pipeline did not accept one. */
  decisions: Counter<'outcome'>;
  /** `POST /research` that started a pipeline (`created`) or found the one its idempotency key named (`existing`). */
  pipelinesStarted: Counter<'result'>;
}

/** Creates the metrics, plus the Node process metrics (CPU, memory, event-loop lag) under the `process_`/`nodejs_` names. */
export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests handled by the API, by route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: BUCKETS,
      registers: [registry],
    }),
    temporalCallDuration: new Histogram({
      name: 'temporal_client_call_duration_seconds',
      help: 'Duration of calls from the API to Temporal, by operation and outcome (ok or the error class).',
      labelNames: ['operation', 'outcome'],
      buckets: BUCKETS,
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'research_decisions_total',
      help: 'Human decisions delivered to pipelines, by outcome (approved, rejected, refused).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    pipelinesStarted: new Counter({
      name: 'research_pipelines_started_total',
      help: 'Accepted POST /research requests: created a pipeline, or returned the existing one for its key.',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

/** Times `call` into `histogram` with `outcome` `ok` or the thrown error's class name, and passes its result on. */
export async function timed<T>(
  histogram: Histogram<'operation' | 'outcome'>,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  const end = histogram.startTimer({ operation });
  try {
    const result = await call();
    end({ outcome: 'ok' });
    return result;
  } catch (error) {
    end({ outcome: error instanceof Error ? error.name : 'unknown' });
    throw error;
  }
}
