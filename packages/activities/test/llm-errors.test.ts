import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '@research/contracts';
import OpenAI from 'openai';
import { toLlmFailure } from '../src/llm-errors.js';

const apiError = (status: number, message: string, headers: Record<string, string> = {}): Error =>
  OpenAI.APIError.generate(status, { error: { message, type: 'x', code: null } }, undefined, new Headers(headers));

function expectFailure(error: unknown, type: FailureType, nonRetryable: boolean): ApplicationFailure {
  const failure = toLlmFailure(error);
  assert.equal(failure.type, type);
  assert.equal(failure.nonRetryable, nonRetryable);
  return failure;
}

describe('toLlmFailure', () => {
  it('maps 429 to a retryable LlmRateLimited with nextRetryDelay from Retry-After', () => {
    const failure = expectFailure(
      apiError(429, 'slow down', { 'retry-after': '12' }),
      FailureType.LlmRateLimited,
      false,
    );
    assert.equal(failure.nextRetryDelay, 12_000);
  });

  it('maps 429 with retry-after-ms', () => {
    const failure = expectFailure(
      apiError(429, 'slow down', { 'retry-after-ms': '250' }),
      FailureType.LlmRateLimited,
      false,
    );
    assert.equal(failure.nextRetryDelay, 250);
  });

  it('leaves nextRetryDelay unset on 429 without Retry-After, so the retry policy decides', () => {
    const failure = expectFailure(apiError(429, 'slow down'), FailureType.LlmRateLimited, false);
    assert.equal(failure.nextRetryDelay, undefined);
  });

  for (const status of [401, 403]) {
    it(`maps ${status} to a non-retryable LlmAuthentication naming OPENAI_API_KEY`, () => {
      const failure = expectFailure(apiError(status, 'Incorrect API key sk-123'), FailureType.LlmAuthentication, true);
      assert.match(failure.message, /authentication failed.*OPENAI_API_KEY/);
    });
  }

  for (const status of [400, 404, 422]) {
    it(`maps ${status} to a non-retryable LlmRequestRejected carrying the server's message`, () => {
      const failure = expectFailure(
        apiError(status, 'The model `nope` does not exist'),
        FailureType.LlmRequestRejected,
        true,
      );
      assert.match(failure.message, /The model `nope` does not exist/);
    });
  }

  for (const status of [500, 502, 503, 408, 409]) {
    it(`maps ${status} to a retryable LlmUnavailable`, () => {
      expectFailure(apiError(status, 'boom'), FailureType.LlmUnavailable, false);
    });
  }

  it('maps connection errors and timeouts to a retryable LlmUnavailable', () => {
    expectFailure(new OpenAI.APIConnectionError({ message: 'ECONNREFUSED' }), FailureType.LlmUnavailable, false);
    expectFailure(new OpenAI.APIConnectionTimeoutError(), FailureType.LlmUnavailable, false);
  });

  it('maps unknown errors to a retryable LlmUnavailable and keeps the cause', () => {
    const cause = new Error('weird');
    const failure = expectFailure(cause, FailureType.LlmUnavailable, false);
    assert.equal(failure.cause, cause);
  });

  it('passes an ApplicationFailure through unchanged', () => {
    const original = ApplicationFailure.create({ type: FailureType.LlmEmptyAnswer, message: 'empty' });
    assert.equal(toLlmFailure(original), original);
  });
});
