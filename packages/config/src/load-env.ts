import { z } from 'zod';

/** Thrown by {@link loadEnv} when a setting is invalid; `message` lists every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses an app's settings from `env` with `schema`. Empty values count as unset, so `FOO=` in a `.env` or
 * compose file falls back to the default.
 *
 * @throws ConfigError when a value is missing or invalid, with a `z.prettifyError` listing of every issue.
 */
export function loadEnv<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.output<Schema> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
