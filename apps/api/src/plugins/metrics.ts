import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiMetrics } from '../metrics/api-metrics.js';

export interface MetricsPluginOptions {
  metrics: ApiMetrics;
  /** Serve `GET /metrics` on this instance; false when the operator moved it to its own port (`METRICS_PORT`). */
  exposeRoute: boolean;
}

/**
 * Times every request into `http_request_duration_seconds` and, unless metrics have a port of their own, serves
 * the Prometheus text format at `GET /metrics` (left out of the OpenAPI document: it is for scrapers, not clients).
 */
const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (app, { metrics, exposeRoute }) => {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe(
      {
        method: request.method,
        // The route template keeps the label set bounded; requests that matched no route share one label.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  if (exposeRoute) {
    // Behind authentication like every route: a scraper uses an API key with the admin scope, or METRICS_PORT.
    app.get('/metrics', { schema: { hide: true }, config: { scope: 'research:admin' } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }
};

export default fp(metricsPlugin, { name: 'metrics' });
