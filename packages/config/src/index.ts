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
