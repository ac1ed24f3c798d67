import { z } from 'zod';

export const usageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof usageSchema>;

/** One LLM activity of a pipeline and what it cost; `usd` is null when the worker has no price for the model. */
export const llmCallCostSchema = z.object({
  step: z.string().describe('The activity, e.g. writeDraft'),
  model: z.string(),
  usage: usageSchema,
  usd: z.number().nonnegative().nullable().describe('null: no price for the model in LLM_PRICES'),
});
export type LlmCallCost = z.infer<typeof llmCallCostSchema>;

/** What a pipeline spent on the LLM so far, and its budget. */
export const costSchema = z.object({
  totalUsd: z
    .number()
    .nonnegative()
    .nullable()
    .describe('Sum of the calls; null when any call had no price, and then no budget can be enforced'),
  budgetUsd: z
    .number()
    .positive()
    .nullable()
    .describe('maxCostUsd of the request (or MAX_COST_USD_DEFAULT); null: no cap'),
  calls: z.array(llmCallCostSchema),
});
export type Cost = z.infer<typeof costSchema>;

/** Dollars for a message: at least two decimals, at most six, no trailing zeros beyond the cents. */
export function formatUsd(usd: number): string {
  const text = usd.toFixed(6).replace(/0+$/, '');
  const [whole, fraction = ''] = text.split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}
