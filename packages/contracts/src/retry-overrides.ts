import { z } from 'zod';
import { parseDurationMs } from './durations.js';

const duration = z
  .string()
  .refine((value) => parseDurationMs(value) !== undefined, 'must be a duration such as "100ms", "2s" or "1m"');

/** Retry options of one step that an operator may override; non-retryable failure types always stay. */
export const stepRetryOverrideSchema = z
  .object({
    initialInterval: duration.optional(),
    backoffCoefficient: z.number().min(1).max(10).optional(),
    maximumInterval: duration.optional(),
    maximumAttempts: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type StepRetryOverride = z.infer<typeof stepRetryOverrideSchema>;

/**
 * Overrides of the pipeline steps' retry policies, per step. Set by the API from `ACTIVITY_RETRY_OVERRIDES`
 * and carried in the workflow input (workflow code cannot read the environment, and the input is in history,
 * so replays see the same policy). Absent means the workflow's own policies.
 */
export const retryOverridesSchema = z
  .object({
    fetchSource: stepRetryOverrideSchema.optional(),
    summarize: stepRetryOverrideSchema.optional(),
    saveResult: stepRetryOverrideSchema.optional(),
    deliverWebhook: stepRetryOverrideSchema.optional(),
  })
  .strict();
export type RetryOverrides = z.infer<typeof retryOverridesSchema>;
