import { approvalTimeoutSchema } from '@research/contracts';
import { z } from 'zod';

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const configSchema = z
  .object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(256).max(10_485_760).default(16_384),
    REQUEST_TIMEOUT_MS: milliseconds(30_000),
    KEEP_ALIVE_TIMEOUT_MS: milliseconds(72_000),
    SHUTDOWN_TIMEOUT_MS: milliseconds(10_000),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be host:port, e.g. 127.0.0.1:7233')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_TLS: z.stringbool().optional(),
    TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_RPC_TIMEOUT_MS: milliseconds(5_000),
    TEMPORAL_QUERY_TIMEOUT_MS: milliseconds(2_000),
    TEMPORAL_UPDATE_TIMEOUT_MS: milliseconds(10_000),
    TEMPORAL_READY_TIMEOUT_MS: milliseconds(800),
    APPROVAL_TIMEOUT_DEFAULT: approvalTimeoutSchema.optional(),
  })
  .refine((c) => (c.TEMPORAL_TLS_CERT_PATH === undefined) === (c.TEMPORAL_TLS_KEY_PATH === undefined), {
    message: 'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together',
    path: ['TEMPORAL_TLS_KEY_PATH'],
  })
  .refine(
    (c) =>
      c.TEMPORAL_TLS !== false ||
      (c.TEMPORAL_TLS_CERT_PATH === undefined && c.TEMPORAL_TLS_CA_PATH === undefined && c.TEMPORAL_API_KEY === undefined),
    { message: 'TEMPORAL_TLS=false contradicts a TLS certificate or API key setting', path: ['TEMPORAL_TLS'] },
  );

/** The API's settings, parsed from the environment by {@link loadConfig}. */
export type Config = z.infer<typeof configSchema>;

/** Thrown by {@link loadConfig} when a setting is invalid; `message` lists every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses the API's settings from `env`. Empty values count as unset, so `FOO=` in a `.env` file or a
 * compose file falls back to the default.
 *
 * @throws ConfigError when a value is invalid, with a `z.prettifyError` listing of every issue.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Whether the Temporal connection uses TLS: explicit `TEMPORAL_TLS`, else implied by an API key or certificates. */
export function temporalTlsEnabled(config: Config): boolean {
  return (
    config.TEMPORAL_TLS ??
    (config.TEMPORAL_API_KEY !== undefined ||
      config.TEMPORAL_TLS_CERT_PATH !== undefined ||
      config.TEMPORAL_TLS_CA_PATH !== undefined)
  );
}
