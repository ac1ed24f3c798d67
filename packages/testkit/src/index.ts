export {
  fakeDraft,
  fakeSummary,
  wantsJson,
  startFakeLlm,
  type ChatCompletionBody,
  type FakeLlm,
  type FakeLlmBehaviour,
  type FakeLlmCall,
  type FakeLlmOptions,
} from './fake-llm.js';
export {
  FAKE_ARTICLE,
  FAKE_ARTICLE_HTML,
  FAKE_PLAIN_TEXT,
  FAKE_SITE_SECRET,
  startFakeSite,
  type FakeRoute,
  type FakeSite,
  type FakeSiteOptions,
} from './fake-site.js';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export {
  findFreePort,
  ManagedProcess,
  ProcessGroup,
  type ProcessExit,
  type SpawnTypeScriptOptions,
} from './process-harness.js';
export {
  startWebhookReceiver,
  webhookSecret,
  type ReceivedWebhook,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from './webhook-receiver.js';
