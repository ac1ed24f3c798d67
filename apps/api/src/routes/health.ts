import type { LevelWithSilent } from 'pino';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ResearchGateway } from '../temporal/gateway.js';
import { problemResponses } from '../schemas/problem.js';

// Probes are public and not rate limited: orchestrators call them every few seconds from one address.
const PROBE_CONFIG = { public: true, rateLimit: false } as const;

const healthSchema = z.object({ status: z.literal('ok') });
const readySchema = z.object({ status: z.literal('ready') });

/** `GET /healthz` (the process is up) and `GET /readyz` (Temporal answers). */
export interface HealthRoutesOptions {
  gateway: ResearchGateway;
  /** Log level of the probe routes: probes arrive every few seconds and should not flood info logs. */
  logLevel: LevelWithSilent;
}

export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, { gateway, logLevel }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: healthSchema },
        security: [],
      },
      config: PROBE_CONFIG,
      logLevel,
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: Temporal is reachable',
        response: { 200: readySchema, ...problemResponses(503, 500) },
        security: [],
      },
      config: PROBE_CONFIG,
      logLevel,
    },
    async () => {
      await gateway.ready();
      return { status: 'ready' as const };
    },
  );
};
