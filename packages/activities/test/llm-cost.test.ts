import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUsd } from '@research/contracts';
import { loadActivitiesConfig } from '../src/config.js';
import { costUsd, priceFor } from '../src/llm-cost.js';

const PRICES = { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'gpt-4o': { input: 2.5, output: 10 } };

describe('LLM cost', () => {
  it('prices input and output tokens per million', () => {
    const usage = { promptTokens: 10_000, completionTokens: 2_000, totalTokens: 12_000 };
    // 10 000 × 0.15 / 1e6 + 2 000 × 0.6 / 1e6 = 0.0015 + 0.0012
    assert.equal(costUsd(usage, PRICES['gpt-4o-mini']), 0.0027);
    assert.equal(costUsd({ promptTokens: 0, completionTokens: 0, totalTokens: 0 }, PRICES['gpt-4o']), 0);
  });

  it('reports an unknown cost without a price', () => {
    assert.equal(costUsd({ promptTokens: 1, completionTokens: 1, totalTokens: 2 }, undefined), null);
  });

  it('finds the price of a dated model name under its base name, the longest base first', () => {
    assert.equal(priceFor('gpt-4o-mini', PRICES), PRICES['gpt-4o-mini']);
    assert.equal(priceFor('gpt-4o-mini-2024-07-18', PRICES), PRICES['gpt-4o-mini']);
    assert.equal(priceFor('gpt-4o-2024-08-06', PRICES), PRICES['gpt-4o']);
    assert.equal(priceFor('llama3', PRICES), undefined);
    assert.equal(priceFor('gpt-4omni', PRICES), undefined);
  });

  it('formats amounts with two to six decimals', () => {
    assert.equal(formatUsd(0.001), '$0.001');
    assert.equal(formatUsd(0.0012), '$0.0012');
    assert.equal(formatUsd(2), '$2.00');
    assert.equal(formatUsd(1.5), '$1.50');
    assert.equal(formatUsd(0.0000004), '$0.00');
  });

  it('reads LLM_PRICES from the environment and refuses malformed prices', () => {
    const env = { LLM_PRICES: JSON.stringify(PRICES) };
    assert.deepEqual(loadActivitiesConfig(env).llm.prices, PRICES);
    assert.deepEqual(loadActivitiesConfig({}).llm.prices, {});
    assert.throws(() => loadActivitiesConfig({ LLM_PRICES: 'cheap' }), /LLM_PRICES/);
    assert.throws(() => loadActivitiesConfig({ LLM_PRICES: '{"m":{"input":-1,"output":1}}' }), /LLM_PRICES/);
  });
});
