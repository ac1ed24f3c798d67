import { activitiesConfigFromEnv, activitiesEnvSchema } from '@research/activities';
import { parseDurationMs } from '@research/contracts';
import { appEnvSchema, checkTemporalEnv, loadEnv, temporalEnvSchema, temporalSettingsFromEnv } from '@research/config';
import { tracingEnvSchema, tracingSettingsFromEnv } from '@research/tracing';
import { z } from 'zod';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDurationMs(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as "500ms", "10s" or "2m"' });
        return z.NEVER;
      }
      return ms;
    });

const count = (fallback: number) => z.coerce.number().int().positive().max(10_000).default(fallback);

/** The worker's own variables, added to those of `@research/activities`. */
const workerEnvSchema = activitiesEnvSchema.extend({
  ...temporalEnvSchema.shape,
  ...appEnvSchema.shape,
  ...tracingEnvSchema.shape,
  TEMPORAL_CONNECT_TIMEOUT: duration('2m'),
  WORKER_SHUTDOWN_GRACE_TIME: duration('10s'),
  MAX_CONCURRENT_ACTIVITIES: count(20),
  MAX_CONCURRENT_WORKFLOW_TASKS: count(40),
  // A pipeline waits hours for a person; kept in the sticky cache it holds its workflow context all that time
  // (README "Performance"). 0 turns the cache off; the SDK caps MAX_CONCURRENT_WORKFLOW_TASKS at this value.
  MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(10_000).default(100),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

const configSchema = workerEnvSchema.superRefine(checkTemporalEnv).transform((env) => ({
  temporal: { ...temporalSettingsFromEnv(env), connectTimeoutMs: env.TEMPORAL_CONNECT_TIMEOUT },
  taskQueue: env.TASK_QUEUE,
  logLevel: env.LOG_LEVEL,
  shutdownGraceTimeMs: env.WORKER_SHUTDOWN_GRACE_TIME,
  maxConcurrentActivities: env.MAX_CONCURRENT_ACTIVITIES,
  maxConcurrentWorkflowTasks: env.MAX_CONCURRENT_WORKFLOW_TASKS,
  maxCachedWorkflows: env.MAX_CACHED_WORKFLOWS,
  workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
  metrics:
    env.WORKER_METRICS_PORT === undefined
      ? undefined
      : { host: env.WORKER_METRICS_HOST, port: env.WORKER_METRICS_PORT },
  /** Undefined when tracing is off. */
  tracing: tracingSettingsFromEnv(env, 'research-worker'),
  activities: activitiesConfigFromEnv(env),
}));

/** The worker's settings, parsed from the environment by {@link loadConfig}. */
export type Config = z.infer<typeof configSchema>;
export type TemporalConfig = Config['temporal'];

/**
 * Parses the worker's (its own and the activities') settings from `env`; empty values count as unset.
 *
 * @throws ConfigError when a value is invalid, listing every issue.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadEnv(configSchema, env);
}

export { ConfigError } from '@research/config';
