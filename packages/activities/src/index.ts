export { isPublicAddress } from './address-policy.js';
export {
  activitiesConfigFromEnv,
  activitiesEnvSchema,
  DEFAULT_EXTRACT_CONFIG,
  loadActivitiesConfig,
  type ActivitiesConfig,
  type ActivitiesEnv,
  type ExtractConfig,
  type FetchConfig,
  type LlmConfig,
  type StorageConfig,
  type TestHooks,
} from './config.js';
export { createActivities, type ActivitiesDeps } from './create-activities.js';
export {
  createDeliverWebhook,
  signWebhook,
  webhookPayload,
  WEBHOOK_ATTEMPT_TIMEOUT_MS,
  type DeliverWebhookDeps,
  type WebhookConfig,
} from './deliver-webhook.js';
export { costUsd, priceFor, type LlmPrices, type ModelPrice } from './llm-cost.js';
export type { ResolveHost } from './guarded-agent.js';
export { GENESIS_HASH, chainHash, type ChainVerification, type DecisionLog } from './decision-log.js';
export { DirectoryLockedError } from './directory-lock.js';
export {
  createHtmlExtractor,
  HtmlExtractionError,
  type ExtractedPage,
  type HtmlExtractor,
  type HtmlExtractorOptions,
} from './html-extractor.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export {
  openResultStore,
  type ResultStore,
  type ResultStoreOptions,
  type ResultToSave,
  type StoredResult,
} from './result-store.js';
