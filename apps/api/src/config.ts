import { approvalTimeoutSchema, parseDurationMs, retryOverridesSchema } from '@research/contracts';
import type { NotificationSettings } from '@research/contracts';
import { appEnvSchema, checkTemporalEnv, loadEnv, temporalEnvSchema, webhookTargetsEnvSchema } from '@research/config';
import { tracingEnvSchema } from '@research/tracing';
import { z } from 'zod';
import { authEnvShape, checkAuthEnv } from './auth/auth-config.js';

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A JSON object in one variable, e.g. `{"summarize":{"initialInterval":"100ms","maximumAttempts":3}}`. */
const retryOverridesJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object such as {"summarize":{"maximumAttempts":3}}' });
      return z.NEVER;
    }
  })
  .pipe(retryOverridesSchema);

const configSchema = temporalEnvSchema
  .extend({
    ...appEnvSchema.shape,
    ...tracingEnvSchema.shape,
    ...webhookTargetsEnvSchema.shape,
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(256).max(10_485_760).default(16_384),
    REQUEST_TIMEOUT_MS: milliseconds(30_000),
    KEEP_ALIVE_TIMEOUT_MS: milliseconds(72_000),
    SHUTDOWN_TIMEOUT_MS: milliseconds(10_000),
    TEMPORAL_RPC_TIMEOUT_MS: milliseconds(5_000),
    TEMPORAL_QUERY_TIMEOUT_MS: milliseconds(2_000),
    TEMPORAL_UPDATE_TIMEOUT_MS: milliseconds(10_000),
    TEMPORAL_READY_TIMEOUT_MS: milliseconds(800),
    EVENTS_HEARTBEAT_MS: milliseconds(15_000),
    EVENTS_RETRY_CHECK_MS: milliseconds(2_000),
    METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    APPROVAL_TIMEOUT_DEFAULT: approvalTimeoutSchema.optional(),
    MAX_COST_USD_DEFAULT: z.coerce.number().positive().max(100_000).optional(),
    // Sources longer than this together get notes per source (or chunk) before the draft; unset: one call.
    LLM_CONTEXT_CHARS: z.coerce.number().int().min(100).max(10_000_000).optional(),
    ACTIVITY_RETRY_OVERRIDES: retryOverridesJson.optional(),
    // At least 32 bytes: an HMAC key shorter than its hash weakens every link.
    APPROVAL_LINK_SECRET: z
      .string()
      .refine((v) => Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes (e.g. openssl rand -base64 48)')
      .optional(),
    APPROVAL_LINK_TTL: z
      .string()
      .refine((v) => {
        const ms = parseDurationMs(v);
        return ms !== undefined && ms >= 60_000 && ms <= 30 * 86_400_000;
      }, 'must be a duration between 1m and 30d, such as "72h"')
      .default('72h'),
    PUBLIC_BASE_URL: z
      .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL such as https://research.example.com' })
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
    ...authEnvShape,
  })
  .superRefine(checkTemporalEnv)
  .superRefine(checkAuthEnv);

/** The API's settings, parsed from the environment by {@link loadConfig}. */
export type Config = z.infer<typeof configSchema>;

/**
 * What every workflow the API starts is told about webhooks; undefined when no target is configured, so such
 * pipelines carry nothing and send nothing.
 */
export function notificationSettings(config: Config): NotificationSettings | undefined {
  if (config.WEBHOOK_URLS.length === 0) return undefined;
  return {
    webhookUrls: config.WEBHOOK_URLS,
    approvalReminders: config.APPROVAL_REMINDERS,
    // Only the configured origin: a link built from a request's Host would let a submitter point reviewers elsewhere.
    publicBaseUrl: config.PUBLIC_BASE_URL ?? null,
  };
}

/**
 * Parses the API's settings from `env`; empty values count as unset.
 *
 * @throws ConfigError when a value is invalid, listing every issue.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadEnv(configSchema, env);
}

export { ConfigError } from '@research/config';
