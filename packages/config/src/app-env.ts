import { RESEARCH_TASK_QUEUE } from '@research/contracts';
import { z } from 'zod';

/** pino's levels, lowest volume first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Variables the API and the worker both read besides Temporal's own. One definition, so the two processes cannot
 * disagree on the task queue's default or on what a valid log level is. A plain `z.object` for apps to extend.
 */
export const appEnvSchema = z.object({
  /** The queue the API starts workflows on and the worker polls. */
  TASK_QUEUE: z.string().min(1).default(RESEARCH_TASK_QUEUE),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});
export type AppEnv = z.infer<typeof appEnvSchema>;
