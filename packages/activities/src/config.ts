import { loadEnv, webhookSecretEnvSchema } from '@research/config';
import { z } from 'zod';
import type { WebhookConfig } from './deliver-webhook.js';
import { llmPricesSchema, type LlmPrices } from './llm-cost.js';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** HTML to text conversion, on a pool of worker threads (see `createHtmlExtractor`). */
export interface ExtractConfig {
  /**
   * Longest one conversion may run (waiting for a free thread not counted); past it the thread is terminated and
   * the source is `SourceUnreadable`.
   */
  timeoutMs: number;
  threads: number;
  /** Bytes of an HTML page parsed; the rest is dropped and the text marked `truncated`. */
  maxHtmlBytes: number;
}

/** The HTML_EXTRACT_* defaults, for callers that build activities without reading the environment. */
export const DEFAULT_EXTRACT_CONFIG: ExtractConfig = { timeoutMs: 5_000, threads: 2, maxHtmlBytes: 2 * 1024 * 1024 };

/**
 * Environment variables the activities read. A plain `z.object`, so an app can `.extend(...)` it with its own
 * variables, parse with `loadEnv` (which treats empty values as unset) and hand the result to
 * {@link activitiesConfigFromEnv}.
 */
export const activitiesEnvSchema = z.object({
  // Optional so the rest of the stack runs without one; the summarize step then fails, saying what to set.
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: positiveInt(120_000),
  OPENAI_MAX_OUTPUT_TOKENS: positiveInt(800),
  LLM_ANSWER_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  LLM_PRICES: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON such as {"gpt-4o-mini":{"input":0.15,"output":0.6}}' });
        return z.NEVER;
      }
    })
    .pipe(llmPricesSchema),
  FETCH_TIMEOUT_MS: positiveInt(15_000),
  FETCH_MAX_REDIRECTS: z.coerce.number().int().min(0).max(20).default(5),
  FETCH_MAX_BYTES: positiveInt(5 * 1024 * 1024),
  FETCH_MAX_CHARS: positiveInt(20_000),
  FETCH_ALLOW_PRIVATE_HOSTS: z.stringbool().default(false),
  FETCH_ALLOWED_PORTS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const ports = value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      if (!ports.every((port) => /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535)) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of ports (1-65535)' });
        return z.NEVER;
      }
      return ports.map(Number);
    }),
  HTML_EXTRACT_TIMEOUT_MS: positiveInt(DEFAULT_EXTRACT_CONFIG.timeoutMs),
  HTML_EXTRACT_THREADS: z.coerce.number().int().positive().max(64).default(DEFAULT_EXTRACT_CONFIG.threads),
  HTML_EXTRACT_MAX_BYTES: positiveInt(DEFAULT_EXTRACT_CONFIG.maxHtmlBytes),
  DATABASE_URL: z.string().optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier (letters, digits, underscores)')
    .optional(),
  DATA_DIR: z.string().default('.data'),
  // Fault tests only: see TestHooks.
  TEST_ONLY_SAVE_RESULT_DELAY_AFTER_WRITE_MS: z.coerce.number().int().min(0).default(0),
  ...webhookSecretEnvSchema.shape,
});
export type ActivitiesEnv = z.infer<typeof activitiesEnvSchema>;

export interface FetchConfig {
  /** Deadline for the whole fetch: every redirect hop and the body. */
  timeoutMs: number;
  maxRedirects: number;
  /** Bytes read from the body (after decompression); the rest is never read. */
  maxBytes: number;
  /** Characters of readable text handed on; longer text is cut and marked `truncated`. */
  maxChars: number;
  /** Allows loopback/private targets on any port (never link-local or metadata). For local development and tests only. */
  allowPrivateHosts: boolean;
  /** Ports fetched besides 80 and 443 when private hosts are not allowed. */
  allowedPorts: number[];
}

export interface LlmConfig {
  /** Undefined when not configured: `summarize` then fails non-retryably, naming OPENAI_API_KEY. */
  apiKey: string | undefined;
  /** OpenAI-compatible base URL; undefined means api.openai.com. */
  baseUrl: string | undefined;
  model: string;
  timeoutMs: number;
  /** `max_tokens` of each request; also bounds the length of an accepted answer. */
  maxOutputTokens: number;
  /** Calls `writeDraft` makes for one draft when answers are not valid JSON or do not match; then it fails. */
  answerAttempts: number;
  /** USD per million tokens by model (`LLM_PRICES`); a model without an entry costs "unknown". */
  prices: LlmPrices;
}

export interface StorageConfig {
  /** PostgreSQL connection string; when undefined results go to an embedded PGlite database under `dataDir`. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema holding the tables (created if missing); undefined uses the connection's search_path. */
  schema: string | undefined;
  dataDir: string;
}

/** Hooks only the fault tests set; zero means off, which is what production runs with. */
export interface TestHooks {
  /**
   * `saveResult` waits this long after its write and before completing, so a test can kill the worker between
   * the two and prove that the retried write leaves exactly one row.
   */
  saveResultDelayAfterWriteMs: number;
}

export interface ActivitiesConfig {
  fetch: FetchConfig;
  extract: ExtractConfig;
  llm: LlmConfig;
  storage: StorageConfig;
  testHooks: TestHooks;
  webhooks: WebhookConfig;
}

/** Maps parsed environment variables onto {@link ActivitiesConfig}. */
export function activitiesConfigFromEnv(env: ActivitiesEnv): ActivitiesConfig {
  return {
    fetch: {
      timeoutMs: env.FETCH_TIMEOUT_MS,
      maxRedirects: env.FETCH_MAX_REDIRECTS,
      maxBytes: env.FETCH_MAX_BYTES,
      maxChars: env.FETCH_MAX_CHARS,
      allowPrivateHosts: env.FETCH_ALLOW_PRIVATE_HOSTS,
      allowedPorts: env.FETCH_ALLOWED_PORTS,
    },
    extract: {
      timeoutMs: env.HTML_EXTRACT_TIMEOUT_MS,
      threads: env.HTML_EXTRACT_THREADS,
      maxHtmlBytes: env.HTML_EXTRACT_MAX_BYTES,
    },
    llm: {
      apiKey: env.OPENAI_API_KEY,
      baseUrl: env.OPENAI_BASE_URL,
      model: env.OPENAI_MODEL,
      timeoutMs: env.OPENAI_TIMEOUT_MS,
      maxOutputTokens: env.OPENAI_MAX_OUTPUT_TOKENS,
      answerAttempts: env.LLM_ANSWER_ATTEMPTS,
      prices: env.LLM_PRICES,
    },
    storage: { databaseUrl: env.DATABASE_URL, schema: env.DATABASE_SCHEMA, dataDir: env.DATA_DIR },
    testHooks: { saveResultDelayAfterWriteMs: env.TEST_ONLY_SAVE_RESULT_DELAY_AFTER_WRITE_MS },
    webhooks: { secret: env.WEBHOOK_SECRET },
  };
}

/**
 * Reads the activities' configuration from the environment; empty values count as unset.
 * @throws ConfigError (from `@research/config`) naming each malformed variable.
 */
export function loadActivitiesConfig(env: NodeJS.ProcessEnv = process.env): ActivitiesConfig {
  return activitiesConfigFromEnv(loadEnv(activitiesEnvSchema, env));
}
