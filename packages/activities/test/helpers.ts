import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { FailureType } from '@research/contracts';
import pg from 'pg';
import type { FetchConfig, LlmConfig } from '../src/config.js';
import { openPglite, openPostgres } from '../src/database.js';
import { openResultStore, type ResultStore } from '../src/result-store.js';

export const fetchConfig = (overrides: Partial<FetchConfig> = {}): FetchConfig => ({
  timeoutMs: 5_000,
  maxRedirects: 5,
  maxBytes: 1024 * 1024,
  maxChars: 20_000,
  allowPrivateHosts: true,
  allowedPorts: [],
  ...overrides,
});

export const llmConfig = (baseUrl: string, overrides: Partial<LlmConfig> = {}): LlmConfig => ({
  apiKey: 'test-key',
  baseUrl,
  model: 'fake-model',
  timeoutMs: 5_000,
  maxOutputTokens: 800,
  answerAttempts: 3,
  prices: {},
  ...overrides,
});

const silent = (): void => {};
const silentLogger: Logger = { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent };

/** An activity environment that does not log the failures tests provoke on purpose; `info` as the activity sees it. */
export const mockEnvironment = (
  info?: ConstructorParameters<typeof MockActivityEnvironment>[0],
): MockActivityEnvironment => new MockActivityEnvironment(info, { logger: silentLogger });

export interface LogEntry {
  level: string;
  message: string;
  meta: Record<string, unknown> | undefined;
}

/** An activity environment that keeps what the activity logs, for asserting what reaches the worker log. */
export function recordingEnvironment(): { environment: MockActivityEnvironment; logs: LogEntry[] } {
  const logs: LogEntry[] = [];
  const record =
    (level: string) =>
    (message: string, meta?: Record<string, unknown>): void => {
      logs.push({ level, message, meta });
    };
  const logger: Logger = {
    log: (level, message, meta) => record(level)(message, meta),
    trace: record('TRACE'),
    debug: record('DEBUG'),
    info: record('INFO'),
    warn: record('WARN'),
    error: record('ERROR'),
  };
  return { environment: new MockActivityEnvironment(undefined, { logger }), logs };
}

/** Runs `activity` in `environment` with its argument and result types kept (`run` alone infers `unknown`). */
export const runActivity = <A extends unknown[], R>(
  environment: MockActivityEnvironment,
  activity: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> => environment.run(activity, ...args);

/** Asserts that `promise` rejects with an `ApplicationFailure` of `type` and returns it for further checks. */
export async function rejectsWithFailure(
  promise: Promise<unknown>,
  type: FailureType,
  nonRetryable: boolean,
): Promise<ApplicationFailure> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(caught)}`);
  assert.equal(caught.type, type, caught.message);
  assert.equal(caught.nonRetryable, nonRetryable, `nonRetryable of ${caught.message}`);
  return caught;
}

/** A loopback port with nothing listening on it, for connection-refused cases. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** Where test databases live: PostgreSQL at TEST_DATABASE_URL in a throwaway schema, else PGlite in a temp dir. */
export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  open(): Promise<ResultStore>;
  /** The worker settings (DATABASE_URL and DATABASE_SCHEMA, or DATA_DIR) naming this database, for a child process. */
  env: Record<string, string>;
  /** Runs one statement outside the store, as an operator with database access would. Close every PGlite store first. */
  sql(text: string, params?: unknown[]): Promise<void>;
  /** Drops the schema or deletes the directory. Close every store first. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const databaseUrl = process.env.TEST_DATABASE_URL || undefined;
  if (databaseUrl !== undefined) {
    const schema = `activities_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    return {
      kind: 'postgres',
      open: () => openResultStore({ databaseUrl, schema }),
      env: { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema },
      async sql(text, params) {
        const db = await openPostgres(databaseUrl, { schema });
        await db.query(text, params).finally(() => db.close());
      },
      async destroy() {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'activities-test-'));
  return {
    kind: 'pglite',
    open: () => openResultStore({ dataDir }),
    env: { DATA_DIR: dataDir },
    async sql(text, params) {
      const db = await openPglite(join(dataDir, 'results-db'));
      await db.query(text, params).finally(() => db.close());
    },
    destroy: () => rm(dataDir, { recursive: true, force: true }),
  };
}
