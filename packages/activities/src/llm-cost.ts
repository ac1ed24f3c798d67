import type { Usage } from '@research/contracts';
import { z } from 'zod';

/** USD per million tokens of one model. */
export const modelPriceSchema = z
  .object({ input: z.number().nonnegative(), output: z.number().nonnegative() })
  .strict();
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** `LLM_PRICES`: model name → price. */
export const llmPricesSchema = z.record(z.string().min(1), modelPriceSchema);
export type LlmPrices = z.infer<typeof llmPricesSchema>;

/**
 * The price of `model`: its own entry, else the longest entry it extends with a dash (endpoints answer with dated
 * names such as `gpt-4o-mini-2024-07-18` for `gpt-4o-mini`), else undefined.
 */
export function priceFor(model: string, prices: LlmPrices): ModelPrice | undefined {
  const exact = prices[model];
  if (exact !== undefined) return exact;
  const base = Object.keys(prices)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return base === undefined ? undefined : prices[base];
}

/** USD of `usage` at `price` (per million tokens); null without a price. */
export function costUsd(usage: Usage, price: ModelPrice | undefined): number | null {
  if (price === undefined) return null;
  return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
}
