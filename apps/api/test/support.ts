import { createHash, randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Writable } from 'node:stream';
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Config } from '../src/config.js';
import type { ApiMetrics } from '../src/metrics/api-metrics.js';
import type { ResearchGateway } from '../src/temporal/gateway.js';
import type { WorkflowView } from '../src/schemas/workflow.js';

export const testConfig = (overrides: Record<string, string> = {}): Config =>
  loadConfig({ LOG_LEVEL: 'silent', ...overrides });

const notStubbed = (name: string) => () => Promise.reject(new Error(`gateway.${name} was not stubbed`));

/** A gateway whose methods fail unless the test overrides them. */
export function stubGateway(overrides: Partial<ResearchGateway> = {}): ResearchGateway {
  return {
    startResearch: notStubbed('startResearch'),
    getWorkflow: notStubbed('getWorkflow'),
    approve: notStubbed('approve'),
    getReceipts: notStubbed('getReceipts'),
    ready: notStubbed('ready'),
    listWorkflows: notStubbed('listWorkflows'),
    cancel: notStubbed('cancel'),
    openEvents: notStubbed('openEvents'),
    ...overrides,
  };
}

/** Builds the app around `gateway` and closes it when the test ends. */
export function testApp(
  t: TestContext,
  gateway: ResearchGateway,
  options: { config?: Config; logLines?: Record<string, unknown>[]; metrics?: ApiMetrics; tracer?: Tracer } = {},
): FastifyInstance {
  const { logLines } = options;
  const logger = logLines
    ? pino(
        { level: 'info' },
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
            done();
          },
        }),
      )
    : undefined;
  const app = buildApp({
    config: options.config ?? testConfig(),
    temporal: gateway,
    ...(logger ? { logger } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
  t.after(() => app.close());
  return app;
}

/** Deadlines of a gateway over the fake Temporal: short, since nothing there is slow unless a test makes it so. */
export const GATEWAY_TEST_TIMEOUTS = {
  rpcTimeoutMs: 1000,
  queryTimeoutMs: 200,
  updateTimeoutMs: 1000,
  readyTimeoutMs: 300,
};

export const VALID_REQUEST = { topic: 'Durable execution', sourceUrl: 'https://example.com/article' };

export function sampleView(overrides: Partial<WorkflowView> = {}): WorkflowView {
  return {
    workflowId: 'research-1',
    runId: 'run-1',
    status: 'RUNNING',
    stage: 'awaiting_approval',
    topic: VALID_REQUEST.topic,
    sourceUrl: VALID_REQUEST.sourceUrl,
    sources: [VALID_REQUEST.sourceUrl],
    submittedBy: null,
    draft: {
      summary: 'A summary.',
      model: 'gpt-test',
      usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    },
    drafts: null,
    decision: null,
    result: null,
    error: null,
    retry: null,
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    cost: null,
    startedAt: '2025-01-01T00:00:00.000Z',
    closedAt: null,
    notifications: [],
    ...overrides,
  };
}

/** Asserts the RFC 9457 shape every error shares and returns the parsed problem. */
export function problemOf(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  const contentType = String(response.headers['content-type']);
  if (!contentType.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${contentType}`);
  }
  const problem = response.json() as Record<string, unknown> & {
    type: string;
    title: string;
    status: number;
    detail: string;
    instance: string;
    code: string;
    requestId: string;
    errors?: { pointer: string; in: string; message: string }[];
  };
  for (const key of ['type', 'title', 'detail', 'instance', 'code', 'requestId'] as const) {
    if (typeof problem[key] !== 'string') throw new Error(`problem.${key} is not a string: ${JSON.stringify(problem)}`);
  }
  if (problem.status !== response.statusCode)
    throw new Error(`problem.status ${problem.status} != ${response.statusCode}`);
  if (!/^https:\/\/research-gateway\.dev\/problems\/[a-z-]+$/.test(problem.type)) {
    throw new Error(`unexpected problem type ${problem.type}`);
  }
  return problem;
}

/** An API key for tests: the raw key a client sends and its `API_KEYS` entry (which holds only the hash). */
export function testApiKey(id: string, scopes: string[]): { key: string; entry: Record<string, unknown> } {
  const key = `test-key-${id}-${randomBytes(16).toString('hex')}`;
  return {
    key,
    entry: { id, name: `Caller ${id}`, keySha256: createHash('sha256').update(key).digest('hex'), scopes },
  };
}

/** `Authorization` header for a bearer token. */
export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });
