export {
  checkTemporalEnv,
  temporalConnectionOptions,
  temporalEnvSchema,
  temporalSettingsFromEnv,
  type TemporalConnectionOptions,
  type TemporalEnv,
  type TemporalSettings,
  type TemporalTls,
  type TemporalTlsSettings,
} from './temporal-env.js';
export { ConfigError, loadEnv } from './load-env.js';
export { LOG_LEVELS, appEnvSchema, type AppEnv, type LogLevel } from './app-env.js';
export { LOG_REDACT_CENSOR, LOG_REDACT_PATHS, redactLogFields } from './log-redact.js';
export * from './search-attributes.js';
export {
  webhookSecretEnvSchema,
  webhookTargetsEnvSchema,
  type WebhookSecretEnv,
  type WebhookTargetsEnv,
} from './webhook-env.js';
