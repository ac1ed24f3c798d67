import type { LevelWithSilent } from 'pino';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ResearchGateway } from '../temporal/gateway.js';
import { problemResponses } from '../schemas/problem.js';

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
      },
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
      },
      logLevel,
    },
    async () => {
      await gateway.ready();
      return { status: 'ready' as const };
    },
  );
};
