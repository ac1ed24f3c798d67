export {
  OTLP_PROTOCOLS,
  tracingEnvSchema,
  tracingSettingsFromEnv,
  type OtlpProtocol,
  type TracingEnv,
  type TracingSettings,
} from './tracing-env.js';
export { startTracing, type Tracing, type TracingLogger } from './start-tracing.js';
