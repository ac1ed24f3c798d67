import type { TelemetryOptions } from '@temporalio/worker';
import type { Config } from './config.js';

/**
 * The Runtime's telemetry: with `WORKER_METRICS_PORT`, the SDK's Prometheus exporter serves the SDK's own metrics
 * (task latencies, slots, poll results, activity executions) and ours (`research_activity_outcomes`) at
 * `http://WORKER_METRICS_HOST:WORKER_METRICS_PORT/metrics`. Without it, no metrics are collected.
 */
export function telemetryOptions(config: Pick<Config, 'metrics'>): TelemetryOptions | undefined {
  if (config.metrics === undefined) return undefined;
  const host = config.metrics.host.includes(':') ? `[${config.metrics.host}]` : config.metrics.host;
  return {
    metrics: {
      prometheus: {
        bindAddress: `${host}:${config.metrics.port}`,
        // Prometheus naming conventions: counters end in _total, durations are in seconds.
        countersTotalSuffix: true,
        useSecondsForDurations: true,
      },
    },
  };
}
